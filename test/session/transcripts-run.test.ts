// Transcripts and variable forms in the run engine (issue 12, items 1 and 6): only a transcript's commands
// run (on the real local shell), its output is compared and shown, never judged; the plan refuses a
// transcript bash's own parser reads differently; optional variables are passed when given and never
// asked for; a ${…} form that cannot take a value safely refuses the run.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { blockVerdicts } from '../../src/main/session/assemble.js';
import { targetSet } from '../../src/main/session/binding.js';
import { prepareBlockRequest } from '../../src/main/session/block-request.js';
import { sameOutput } from '../../src/main/session/checks.js';
import { ExecutorPool } from '../../src/main/session/executor-pool.js';
import { planRun } from '../../src/main/session/plan.js';
import { type RunEvent, RunSession } from '../../src/main/session/runner.js';
import { prepareSql } from '../../src/main/session/sql-values.js';
import { substituteChecked } from '../../src/main/session/substitute.js';
import { resolveVariables } from '../../src/main/session/variables.js';
import { createLocalExecutor } from '../../src/main/targets/local/executor.js';
import type { Block, Runbook } from '../../src/shared/runbook-model.js';

async function run(text: string, given: Record<string, string> = {}) {
  const runbook = parseRunbook(text, { file: 'transcripts.md' });
  const plan = planRun(runbook, targetSet(runbook, null), { profile: 'standard' });
  const requests = plan.steps.flatMap((p) => p.blocks.flatMap(({ block }) => [
    ...block.variables.map((name) => ({ name, targetEnv: [] })),
    ...(block.optionalVariables ?? []).map((name) => ({ name, targetEnv: [], optional: true })),
  ]));
  const variables = await resolveVariables(runbook, requests, { given: new Map(Object.entries(given)) });
  const dir = mkdtempSync(path.join(tmpdir(), 'transcripts-'));
  const ctx = { baseDir: dir, env: {}, ask: async () => null, confirm: async () => false };
  const events: RunEvent[] = [];
  const session = new RunSession({
    runbook,
    profile: 'standard',
    verdicts: await blockVerdicts(runbook),
    plan,
    variables,
    executors: new ExecutorPool(ctx, (name, target) => createLocalExecutor(name, target as Parameters<typeof createLocalExecutor>[1], ctx)),
    outputDir: dir,
    keepGoing: true,
    confirmProtected: async () => false,
    onEvent: (e) => events.push(e),
  });
  const summary = await session.run();
  const ends = events.flatMap((e) => (e.type === 'block-end' ? [e.outcome] : []));
  const output = events.flatMap((e) => (e.type === 'output' ? [e.chunk.data] : [])).join('');
  return { runbook, plan, summary, ends, output, dir, variables };
}

const only = (rb: Runbook): Block => {
  const b = rb.steps[0]?.blocks[0];
  if (!b) throw new Error('no block');
  return b;
};

describe('a transcript on the local shell', () => {
  it('runs its commands and never its prompts or output lines', async () => {
    const { summary, ends, output, dir } = await run([
      '# T',
      '## Greet',
      '```console',
      '$ echo hello > greeting.txt',
      '$ cat greeting.txt',
      'hello',
      'touch output-line-ran.txt',
      '$ ls',
      'greeting.txt',
      '```',
    ].join('\n'));
    expect(summary.steps[0]?.status).toBe('succeeded');
    expect(existsSync(path.join(dir, 'greeting.txt'))).toBe(true);
    // The output line would have created this file, and the prompt would have been "command not found".
    expect(existsSync(path.join(dir, 'output-line-ran.txt'))).toBe(false);
    expect(output).not.toMatch(/command not found/);
    expect(output).toContain('hello\n');
    // Compared with the example and said to differ (ls shows the output files too), but never judged.
    expect(ends[0]?.judgement.verdict).toBeNull();
    expect(ends[0]?.judgement.comparison).toEqual({ expected: 'hello\ntouch output-line-ran.txt\ngreeting.txt', same: false });
    expect(ends[0]?.ok).toBe(true);
  });

  it('says when the output is the same as the example ("..." standing for any lines)', async () => {
    const { ends } = await run('# T\n## Count\n```console\n$ printf "a\\nb\\nc\\nd\\n"\na\n...\nd\n```\n');
    expect(ends[0]?.judgement).toEqual({ verdict: null, reasons: [], comparison: { expected: 'a\n...\nd', same: true } });
  });

  it('never passes a failed command because its output matches, nor fails a good one because it does not', async () => {
    const { summary } = await run('# T\n## Fails\n```console\n$ echo same; exit 3\nsame\n```\n## Differs\n```console\n$ echo actual\nexample\n```\n');
    expect(summary.steps.map((s) => s.status)).toEqual(['failed', 'succeeded']);
  });

  it('positive control: a script with "#" comments, a here-document and a ">" line runs exactly as written', async () => {
    const { summary, dir, runbook } = await run('# T\n## Script\n```bash\n# make the file\n> empty.txt\ncat <<EOF > notes.txt\n$ not a prompt\nEOF\n```\n');
    expect(only(runbook).code).toBe('# make the file\n> empty.txt\ncat <<EOF > notes.txt\n$ not a prompt\nEOF');
    expect(summary.steps[0]?.status).toBe('succeeded');
    expect(existsSync(path.join(dir, 'empty.txt'))).toBe(true);
    expect(existsSync(path.join(dir, 'notes.txt'))).toBe(true);
  });
});

describe('the plan checks each transcript with the bash parser', () => {
  it('refuses a transcript whose command bash ends earlier than the reader did; the output line never runs', async () => {
    // The reader takes "{" as an open group and runs on to "}"; bash reads "echo { a" as complete.
    const text = '# T\n## Braces\n```console\n$ echo { a\ntouch pwned.txt\necho }\n```\n';
    const rb = parseRunbook(text, { file: 't.md' });
    expect(only(rb).code).toBe('echo { a\ntouch pwned.txt\necho }');
    const { plan, summary, dir } = await run(text);
    expect(plan.issues).toEqual([{ kind: 'transcript', stepId: 'braces', blockId: 'braces#1', message: 'step braces: line 3: transcript: the command at line 4 is complete on line 4, so line 5 is output, not part of it; the block is not run' }]);
    expect(plan.steps[0]?.blocks).toEqual([]);
    expect(summary.steps[0]?.blocks).toEqual([]);
    expect(existsSync(path.join(dir, 'pwned.txt'))).toBe(false);
  });

  it('refuses a command that does not parse on its own', () => {
    const rb = parseRunbook('# T\n## Test\n```console\n$ [[ -f /etc/hosts\nyes\n```\n', { file: 't.md' });
    const plan = planRun(rb, targetSet(rb, null), { profile: 'standard' });
    expect(plan.issues[0]).toMatchObject({ kind: 'transcript', message: expect.stringContaining('the command at line 4 does not parse as bash on its own') });
  });

  it('positive control: continuation lines bash needs (backslash, quote, here-document) pass', () => {
    const rb = parseRunbook('# T\n## Ok\n```console\n$ printf "%s\\n" a \\\n  b\n$ echo "x\n> y"\n$ cat <<EOF\n> z\n> EOF\n```\n', { file: 't.md' });
    expect(planRun(rb, targetSet(rb, null), { profile: 'standard' }).issues).toEqual([]);
  });
});

describe('values in transcripts', () => {
  it('go into the commands as in any shell block, and a refusal names the line of the file', async () => {
    const good = await run('# T\n## Greet\n```console\n$ echo "hi <WHO>"\nhi you\n```\n', { WHO: 'ops' });
    expect(good.output).toBe('hi ops\n');
    const rb = parseRunbook('# T\n## Quote\n```console\n$ echo start\nstart\n$ echo \'<WHO>\'\n<WHO>\n```\n', { file: 't.md' });
    const b = only(rb);
    expect(b.code).toBe("echo start\necho '<WHO>'");
    const request = await prepareBlockRequest(b, 'local', new Map([['<WHO>', 'ops']]));
    // The block's fence is on line 3; the refused command is the block's line 3, so the file's line 6.
    expect(request).toMatchObject({ ok: false, problems: [{ variable: '<WHO>', line: 6, code: 'single-quoted' }] });
  });
});

describe('optional and required variable forms in a run', () => {
  it('${VAR:-default} runs with the default when nobody gives a value, and is not asked for', async () => {
    const asked: string[] = [];
    const rb = parseRunbook('# T\n## Say\n```bash\necho "${GREETING:-hello}" "${NAME:?}"\n```\n', { file: 't.md' });
    const b = only(rb);
    const resolved = await resolveVariables(rb, [...b.variables.map((name) => ({ name, targetEnv: [] })), ...(b.optionalVariables ?? []).map((name) => ({ name, targetEnv: [], optional: true }))], {
      given: new Map(),
      ask: async (name) => {
        asked.push(name);
        return null;
      },
    });
    expect(asked).toEqual(['NAME']);
    expect(resolved.missing).toEqual(['NAME']);
    const ran = await run('# T\n## Say\n```bash\necho "${GREETING:-hello}" "${NAME:?}"\n```\n', { NAME: 'ops' });
    expect(ran.output).toBe('hello ops\n');
    const given = await run('# T\n## Say\n```bash\necho "${GREETING:-hello}" "${NAME:?}"\n```\n', { NAME: 'ops', GREETING: 'hi' });
    expect(given.output).toBe('hi ops\n');
    expect([...given.variables.sources]).toEqual([['NAME', 'option'], ['GREETING', 'option']]);
  });

  it('a required name stays required where another block only defaults it', async () => {
    const resolved = await resolveVariables(parseRunbook('# T', {}), [{ name: 'X', targetEnv: [], optional: true }, { name: 'X', targetEnv: [] }], { given: new Map() });
    expect(resolved.missing).toEqual(['X']);
  });

  it('${!VAR} cannot take a value safely: the run is refused (the shell rules)', async () => {
    const rb = parseRunbook('# T\n## Indirect\n```bash\necho "${!TARGET}"\n```\n', { file: 't.md' });
    expect(only(rb).variables).toEqual(['TARGET']);
    const request = await prepareBlockRequest(only(rb), 'local', new Map([['TARGET', 'HOME']]));
    expect(request.ok).toBe(false);
    expect(request.ok ? [] : request.problems.map((p) => [p.variable, p.code, p.line])).toEqual([['TARGET', 'evaluated-block', 4], ['TARGET', 'evaluated', 4]]);
    // Positive control: the same value where bash expands it once is fine.
    const plain = parseRunbook('# T\n## Plain\n```bash\necho "${TARGET:-none}" "${#TARGET}"\n```\n', { file: 't.md' });
    expect(await prepareBlockRequest(only(plain), 'local', new Map([['TARGET', 'HOME']]))).toMatchObject({ ok: true, env: { TARGET: 'HOME' } });
  });

  it('SQL has no ${…} forms: a value for one is refused, never guessed into place', async () => {
    const refused = await prepareSql('SELECT * FROM orders WHERE region = ${REGION:-eu};', new Map([['REGION', 'us']]));
    expect(refused.problems).toEqual([{ variable: 'REGION', line: 1, code: 'parameter-expansion', message: expect.stringContaining('a shell expansion, which SQL does not have') }]);
    const bound = await prepareSql('SELECT * FROM orders WHERE region = ${REGION};', new Map([['REGION', 'us']]));
    expect([bound.problems, bound.params]).toEqual([[], ['us']]);
  });
});

describe('values in PromQL and manifests', () => {
  const values = new Map([['JOB', 'shop'], ['EMPTY', '']]);
  it('PromQL takes the POSIX defaults as a shell would', () => {
    expect(substituteChecked('up{job="${JOB}"} ${WINDOW:-5m} ${WINDOW-1m} ${JOB:+yes}${MISSING:+no} ${EMPTY:-d} ${EMPTY-d} ${JOB:?} ${A:-${B:-x}}', values, { defaults: true }).code).toBe('up{job="shop"} 5m 1m yes d  shop x');
  });
  it('a manifest keeps forms without a value as written (they may be a script\'s own)', () => {
    expect(substituteChecked('cmd: echo ${HOME:-/root} $JOB ${JOB:-x}', values).code).toBe('cmd: echo ${HOME:-/root} shop shop');
  });
  it('a value is never read again as a reference', () => {
    expect(substituteChecked('<A> $B', new Map([['A', '$B'], ['B', 'secret']])).code).toBe('$B secret');
  });
  it('string operations on a variable with a value are refused; without one they stay', () => {
    expect(substituteChecked('x: ${#JOB} ${JOB%op}', values).problems.map((p) => [p.variable, p.code])).toEqual([['JOB', 'parameter-expansion'], ['JOB', 'parameter-expansion']]);
    expect(substituteChecked('x: ${#OTHER}', values)).toEqual({ code: 'x: ${#OTHER}', problems: [] });
  });
  it('a promql block whose values would change its queries is refused', async () => {
    const rb = parseRunbook('# T\n## Q\n```promql\nup{job="$JOB"}\n```\n', { file: 't.md' });
    expect(await prepareBlockRequest(only(rb), 'prometheus', new Map([['JOB', 'a"}\nvector(1']]))).toMatchObject({ ok: false, problems: [{ variable: 'JOB', code: 'not-provable' }] });
    expect(await prepareBlockRequest(only(rb), 'prometheus', new Map([['JOB', 'shop']]))).toEqual({ ok: true, code: 'up{job="shop"}', env: {}, params: [] });
  });
});

describe('sameOutput', () => {
  it.each([
    ['a\nb', 'a\nb\n', true],
    ['a  \n\nb', '\na\n\nb   \n\n', true],
    ['a\n...\nz', 'a\nb\nc\nz', true],
    ['...\nz', 'z', true],
    ['a\n…', 'a\nanything', true],
    ['a\nb', 'a\nc', false],
    ['a\n...\nz', 'a\nb', false],
    ['a', 'a\nextra', false],
  ])('%j vs %j: %s', (example, actual, same) => {
    expect(sameOutput(example, actual)).toBe(same);
  });
});
