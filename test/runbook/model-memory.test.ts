// What keeps a large runbook's model small (issue 12): every block read in the parse itself (no pass over the
// model afterwards), steps copied into strings of their own with what repeats shared (compact.ts), and the
// heap budget a large parse runs under (heap-budget.ts).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listHeavyRunbook } from '../../bench/support/list-heavy.mjs';
import { ASIDE_REASON } from '../../src/main/runbook/asides.js';
import { ModelCompactor, emptyList, ownString } from '../../src/main/runbook/compact.js';
import { BUDGET_MIN_CHARS, HeapBudget } from '../../src/main/runbook/heap-budget.js';
import { parseRunbook } from '../../src/main/runbook/index.js';
import type { Step } from '../../src/shared/runbook-model.js';

const EXAMPLE = `# Rotate keys

## Pool 1

- [ ] Check the pods
  \`\`\`bash
  kubectl -n pool-1 get pods
  \`\`\`
- [ ] Check the nodes
  \`\`\`bash
  kubectl get nodes
  \`\`\`
- [ ] Read the query
  \`\`\`promql
  up{job="api"}
  rate(http_requests_total[5m])
  \`\`\`

## Drain

Drain the node:

\`\`\`console
$ kubectl drain "\${NODE:-node-1}" --ignore-daemonsets
node/node-1 drained
\`\`\`

**Before**

\`\`\`bash
kubectl drain "$OLD_NODE"
\`\`\`
`;

describe('every block is read by the parse', () => {
  const runbook = parseRunbook(EXAMPLE, { file: 'x.md' });
  const blocks = runbook.steps.flatMap((s) => s.blocks);

  it('sets source, reading, expectedOutput, queries and optionalVariables on every block', () => {
    expect(blocks.length).toBe(5);
    for (const b of blocks) {
      expect(typeof b.source).toBe('string');
      expect(b.reading.kind).toMatch(/^(as-written|transcript|output|queries)$/);
      expect(b.expectedOutput === null || typeof b.expectedOutput === 'string').toBe(true);
      expect(Array.isArray(b.queries)).toBe(true);
      expect(Array.isArray(b.optionalVariables)).toBe(true);
    }
    const promql = blocks.find((b) => b.lang === 'promql');
    expect(promql?.queries).toEqual(['up{job="api"}', 'rate(http_requests_total[5m])']);
    const transcript = blocks.find((b) => b.lang === 'console');
    expect(transcript?.code).toBe('kubectl drain "${NODE:-node-1}" --ignore-daemonsets');
    expect(transcript?.expectedOutput).toBe('node/node-1 drained');
    expect(transcript?.optionalVariables).toEqual(['NODE']);
  });

  it("shows a note's code and does not ask for the variables only it uses", () => {
    const drain = runbook.steps.find((s) => s.blocks.some((b) => b.lang === 'console'));
    const example = drain?.blocks.find((b) => b.reason === ASIDE_REASON);
    expect(example?.action).toBe('display');
    expect(example?.variables).toEqual([]);
    expect(drain?.notes.flatMap((n) => n.blockIds)).toEqual([example?.id]);
    expect(drain?.variables).not.toContain('OLD_NODE');
  });
});

describe('ModelCompactor', () => {
  const runbook = parseRunbook(EXAMPLE, { file: 'x.md' });

  it('gives a copy that writes the same JSON', () => {
    const compactor = new ModelCompactor();
    for (const step of runbook.steps) {
      const copy = compactor.step(JSON.parse(JSON.stringify(step)) as Step, step.sectionId);
      expect(JSON.stringify(copy)).toBe(JSON.stringify(step));
    }
  });

  it('shares one frozen empty list and one reading for what repeats', () => {
    const [a, b] = runbook.steps;
    expect(a?.checks).toBe(b?.checks);
    expect(a?.checks).toBe(emptyList());
    expect(Object.isFrozen(a?.checks)).toBe(true);
    expect(() => (a?.checks as unknown[]).push(1)).toThrow(TypeError);
    const bash = runbook.steps.flatMap((s) => s.blocks).filter((x) => x.lang === 'bash' && x.reason !== ASIDE_REASON);
    expect(bash.length).toBeGreaterThan(1);
    expect(bash[0]?.reading).toBe(bash[1]?.reading);
    expect(Object.isFrozen(bash[0]?.attributes)).toBe(true);
  });

  it('copies a string out of the text it was cut from', () => {
    const text = `é${'x'.repeat(100)}`;
    expect(ownString(text.slice(1))).toBe('x'.repeat(100));
  });
});

describe('HeapBudget', () => {
  it('leaves small texts alone', () => {
    expect(HeapBudget.start('# small\n')).toBeNull();
  });

  it('runs while a large text is parsed', () => {
    const text = listHeavyRunbook(BUDGET_MIN_CHARS + 100_000);
    const budget = HeapBudget.start(text);
    expect(budget).not.toBeNull();
    budget?.check();
    budget?.release();
    budget?.release(); // idempotent
    expect(parseRunbook(text, { file: 'x.md' }).steps.length).toBeGreaterThan(3000);
  });
});

describe('the hash of a text given without its bytes', () => {
  it('is that of its UTF-8 bytes, also with a surrogate pair where the text is hashed in two pieces', () => {
    for (const text of ['# x\n', `${'a'.repeat(1024 * 1024 - 1)}\u{1F600}b\n`, `${'a'.repeat(1024 * 1024 - 1)}\ud800b\n`]) {
      expect(parseRunbook(text).sha256).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
    }
  });
});
