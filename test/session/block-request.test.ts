// A block's request once values are known: a value that reads as an option is refused in a block proven
// read-only, since the verdict took each value as one plain argument (kubectl trusts such words).
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { prepareBlockRequest } from '../../src/main/session/block-request.js';
import { verdictOf } from '../../src/main/session/verdict.js';

async function blockOf(code: string) {
  const runbook = parseRunbook(`# T\n\n- [ ] Look\n  \`\`\`bash\n  ${code}\n  \`\`\`\n`, { file: 'rb.md' });
  const block = runbook.steps[0]?.blocks[0];
  if (!block) throw new Error('no block');
  return { block, verdict: await verdictOf(block) };
}

describe('prepareBlockRequest', () => {
  it('refuses a value starting with "-" in a block proven read-only (kubectl --log-file would write)', async () => {
    const { block, verdict } = await blockOf('kubectl get pods <POD> -n default');
    expect(verdict.changesState).toBe(false);
    const refused = await prepareBlockRequest(block, 'local', new Map([['<POD>', '--log-file=/tmp/x']]), verdict);
    expect(refused).toMatchObject({ ok: false, problems: [{ variable: '<POD>', code: 'flag', line: 5 }] });
  });

  it('positive control: an ordinary value is prepared as data, its reference quoted', async () => {
    const { block, verdict } = await blockOf('kubectl get pods <POD> -n default');
    const ok = await prepareBlockRequest(block, 'local', new Map([['<POD>', 'web-1']]), verdict);
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(Object.values(ok.env)).toContain('web-1');
      expect(ok.code).not.toContain('web-1');
    }
  });
});

describe('SQL values that would choose what runs', () => {
  const sqlBlock = (code: string) => {
    const runbook = parseRunbook(`# T\n\n- [ ] q\n  \`\`\`sql\n  ${code}\n  \`\`\`\n`, { file: 'rb.md' });
    const block = runbook.steps[0]?.blocks[0];
    if (!block) throw new Error('no block');
    return block;
  };

  it('refuses a value as the name of the function to call', async () => {
    const r = await prepareBlockRequest(sqlBlock('SELECT <F>(1)'), 'postgres', new Map([['<F>', 'query_to_xml']]));
    expect(r).toMatchObject({ ok: false, problems: [{ variable: '<F>', code: 'function-name' }] });
  });

  it('refuses values in a block that calls a function running SQL text (query_to_xml, dblink)', async () => {
    const r = await prepareBlockRequest(sqlBlock("SELECT query_to_xml('<Q>', true, true, '')"), 'postgres', new Map([['<Q>', 'DELETE FROM t RETURNING 1']]));
    expect(r).toMatchObject({ ok: false, problems: [{ variable: '<Q>', code: 'evaluated-block' }] });
  });

  it('positive control: a value as data in an ordinary query is a bind parameter', async () => {
    const r = await prepareBlockRequest(sqlBlock("SELECT count(*) FROM pg_class WHERE relname = '<NAME>'"), 'postgres', new Map([['<NAME>', "x'); DROP TABLE t; --"]]));
    expect(r).toMatchObject({ ok: true, params: ["x'); DROP TABLE t; --"] });
  });
});
