// What keeps a large runbook's model small (issue 12): every block read in the parse itself (no pass over the
// model afterwards), steps copied into strings of their own with what repeats shared (compact.ts), and the
// heap budget a large parse runs under (heap-budget.ts).
import { createHash } from 'node:crypto';
import v8 from 'node:v8';
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
      const copy = compactor.step(JSON.parse(JSON.stringify(step)) as Step);
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
    // A character past Latin-1 makes the text, and a slice that is a view of it, two bytes a character.
    const oneByte = (v8 as unknown as { isStringOneByteRepresentation: (s: string) => boolean }).isStringOneByteRepresentation;
    const text = `€${'x'.repeat(100)}`;
    const slice = text.slice(1);
    expect(oneByte(slice)).toBe(false);
    expect(ownString(slice)).toBe('x'.repeat(100));
    expect(oneByte(ownString(slice))).toBe(true);
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

  it('collects once the heap in use passes the budget, not before', () => {
    const budget = HeapBudget.start(listHeavyRunbook(BUDGET_MIN_CHARS + 100_000));
    if (!budget) throw new Error('HeapBudget.start gave no budget for a text over BUDGET_MIN_CHARS');
    try {
      budget.check(); // just started: far below 4 bytes a character + 40 MiB over what was live
      expect(budget.collections).toBe(0);
      // About 110 MiB of objects, dropped: garbage past the budget until a full collection.
      let garbage: { i: number }[] | null = Array.from({ length: 3_000_000 }, (_, i) => ({ i }));
      expect(garbage.length).toBe(3_000_000);
      garbage = null;
      budget.check();
      expect(budget.collections).toBe(1);
    } finally {
      budget.release();
    }
  });
});

describe('the hash of a text given without its bytes', () => {
  it('is that of its UTF-8 bytes, also with a surrogate pair or a lone surrogate', () => {
    for (const text of ['# x\n', `${'a'.repeat(1024 * 1024 - 1)}\u{1F600}b\n`, `${'a'.repeat(1024 * 1024 - 1)}\ud800b\n`]) {
      expect(parseRunbook(text).sha256).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
    }
  });
});
