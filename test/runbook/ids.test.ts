// Ids that hold: one namespace for sections and steps, built from titles and the section path only, with
// a tie-breaker among same-titled siblings; edits elsewhere never rename a step.
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import type { Runbook, Section } from '../../src/shared/runbook-model.js';

const md = (lines: string[]) => `${lines.join('\n')}\n`;
const parse = (lines: string[]) => parseRunbook(md(lines), { file: 'ids.md' });

function sectionIds(sections: readonly Section[]): string[] {
  return sections.flatMap((s) => [s.id, ...sectionIds(s.sections)]);
}

/** Every step by what identifies it to a reader: its section's title path, its title, and its place among same-titled siblings. */
function byIdentity(rb: Runbook): Map<string, string> {
  const pathOf = new Map<string, string>();
  const walk = (sections: readonly Section[], above: string) => {
    for (const s of sections) {
      pathOf.set(s.id, `${above}/${s.title}`);
      walk(s.sections, `${above}/${s.title}`);
    }
  };
  walk(rb.sections, '');
  const seen = new Map<string, number>();
  const out = new Map<string, string>();
  for (const step of rb.steps) {
    const key = `${pathOf.get(step.sectionId) ?? step.sectionId} :: ${step.origin} ${step.title}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    out.set(`${key} #${n}`, step.id);
  }
  return out;
}

const FIXTURE = [
  'Intro text before any heading.',
  '',
  '# Rotate the database credentials',
  '',
  '- [ ] Announce the change',
  '',
  '## Prepare',
  '',
  '- [ ] Check the replica',
  '- [ ] Check the replica',
  '- [ ] Check 2',
  '- [ ] Take a backup',
  '  ```bash',
  '  pg_dump app > app.sql',
  '  ```',
  '',
  '### Vault',
  '',
  '- [ ] Unseal the vault',
  '',
  '## Rotate',
  '',
  '```bash',
  'vault write -f database/rotate-root/app',
  '```',
  '',
  '## Verify',
  '',
  '- [ ] Check the replica',
  '- [ ] Log in with the new password',
  '',
  '## Rollback',
  '',
  '1. Restore the backup',
  '   ```bash',
  '   psql app < app.sql',
  '   ```',
  '2. Tell the channel',
];

describe('step and section ids', () => {
  it('are titles under their section path, with ~2, ~3 for repeated titles among siblings only', () => {
    const rb = parse(FIXTURE);
    expect(rb.steps.map((s) => s.id)).toEqual([
      'announce-the-change',
      'prepare/check-the-replica',
      'prepare/check-the-replica~2',
      'prepare/check-2',
      'prepare/take-a-backup',
      'prepare/vault/unseal-the-vault',
      'rotate',
      'verify/check-the-replica',
      'verify/log-in-with-the-new-password',
      'rollback/restore-the-backup',
      'rollback/tell-the-channel',
    ]);
    expect(sectionIds(rb.sections)).toEqual(['rotate-the-database-credentials', 'prepare', 'prepare/vault', 'rotate', 'verify', 'rollback']);
    // A heading step is its section (and shares its id); every other id is unique among steps and sections.
    const rotate = rb.steps.find((s) => s.origin === 'heading');
    expect(rotate?.id).toBe(rotate?.sectionId);
    const ids = [...sectionIds(rb.sections), ...rb.steps.filter((s) => s.origin !== 'heading').map((s) => s.id)];
    expect(new Set(ids).size).toBe(ids.length);
  });

  // Each edit, and how many of the fixture's steps it removes or retitles (those are not compared).
  const edits: Record<string, [(lines: string[]) => string[], number]> = {
    'a step inserted in another section': [(l) => [...l.slice(0, 28), '- [ ] A new first check', ...l.slice(28)], 0],
    'a step deleted in another section': [(l) => l.filter((x) => x !== '- [ ] Log in with the new password'), 1],
    'an unrelated step retitled': [(l) => l.map((x) => (x === '- [ ] Announce the change' ? '- [ ] Announce the rotation' : x)), 1],
    'a section inserted before the others': [(l) => [...l.slice(0, 6), '## Before you start', '', '- [ ] Read the plan', '- [ ] Check the replica', '', ...l.slice(6)], 0],
    'a section deleted': [(l) => [...l.slice(0, 26), ...l.slice(31)], 2],
    'code added before the first heading': [(l) => ['```bash', 'echo preamble', '```', '', ...l], 0],
    'a same-titled step added in another section': [(l) => [...l.slice(0, 28), '- [ ] Check the replica', ...l.slice(28)], 0],
    'a same-titled section added elsewhere': [(l) => [...l, '', '## Prepare', '', '- [ ] Check the replica'], 0],
    'a step added with the title of a later section': [(l) => [...l.slice(0, 5), '- [ ] Verify', ...l.slice(5)], 0],
    'a block added to another step': [(l) => [...l.slice(0, 15), '  ```bash', '  ls -l app.sql', '  ```', ...l.slice(15)], 0],
  };

  it.each(Object.entries(edits))('do not change when the file gets %s', (_name, [edit, lost]) => {
    const before = byIdentity(parse(FIXTURE));
    const after = byIdentity(parse(edit([...FIXTURE])));
    let compared = 0;
    for (const [identity, id] of before) {
      if (!after.has(identity)) continue; // an edited step
      expect(after.get(identity), identity).toBe(id);
      compared++;
    }
    expect(compared).toBe(before.size - lost);
    const blocksBefore = parse(FIXTURE).steps.flatMap((s) => s.blocks.map((b) => b.id));
    const blocksAfter = new Set(parse(edit([...FIXTURE])).steps.flatMap((s) => s.blocks.map((b) => b.id)));
    for (const id of blocksBefore) if (!id.startsWith('prepare/take-a-backup#') && !id.startsWith('verify/')) expect(blocksAfter.has(id), id).toBe(true);
  });

  it('a section keeps its id when a step before it has its title; the step takes the next number', () => {
    const rb = parse(['# Release', '- [ ] Verify', '## Verify', '- [ ] Smoke test']);
    expect(sectionIds(rb.sections)).toEqual(['release', 'verify']);
    expect(rb.steps.map((s) => s.id)).toEqual(['verify~2', 'verify/smoke-test']);
    const without = parse(['# Release', '## Verify', '- [ ] Smoke test']);
    expect(without.steps.map((s) => s.id)).toEqual(['verify/smoke-test']);
  });

  it('a natural title ending in a number never meets the tie-breaker', () => {
    const one = parse(['## A', '- [ ] Check 2', '- [ ] Check']);
    const two = parse(['## A', '- [ ] Check 2', '- [ ] Check', '- [ ] Check']);
    expect(one.steps.map((s) => s.id)).toEqual(['a/check-2', 'a/check']);
    expect(two.steps.map((s) => s.id)).toEqual(['a/check-2', 'a/check', 'a/check~2']);
  });

  it('code before the first heading does not take the heading\'s id', () => {
    const heading = ['# Deploy', '```bash', 'make deploy', '```'];
    const plain = parse(heading);
    const withPreamble = parse(['```bash', 'echo before', '```', '', ...heading]);
    expect(plain.steps.map((s) => s.id)).toEqual(['deploy']);
    expect(withPreamble.steps.map((s) => s.id)).toEqual(['_preamble', 'deploy']);
    expect(withPreamble.sections.map((s) => s.id)).toEqual(['_preamble', 'deploy']);
  });

  it('headings without letters or digits get ids that do not depend on their line', () => {
    const a = parse(['## 🚀', '```bash', 'a', '```', '## 🚀', '```bash', 'b', '```']);
    const b = parse(['Some intro.', '', '', '## 🚀', '```bash', 'a', '```', '## 🚀', '```bash', 'b', '```']);
    expect(a.steps.map((s) => s.id)).toEqual(['section', 'section~2']);
    expect(b.steps.map((s) => s.id)).toEqual(a.steps.map((s) => s.id));
  });

  it('an item with no words of its own (titled by its section and line) gets an id without the line', () => {
    const items = ['1.', '   ```bash', '   ls', '   ```', '2.', '   ```bash', '   pwd', '   ```'];
    const a = parse(['## Checks', ...items]);
    const b = parse(['## Checks', '', 'A new sentence.', '', ...items]);
    expect(a.steps.map((s) => s.title)).toEqual(['Checks (line 2)', 'Checks (line 6)']);
    expect(a.steps.map((s) => s.id)).toEqual(['checks/checks', 'checks/checks~2']);
    expect(b.steps.map((s) => s.id)).toEqual(a.steps.map((s) => s.id));
  });

  it('blocks are numbered or named within their step; a repeated name gets ~2', () => {
    const rb = parse(['## S', '- [ ] x', '  ```bash {"name":"backup"}', '  a', '  ```', '  ```bash {"name":"backup"}', '  b', '  ```', '  ```bash', '  c', '  ```']);
    expect(rb.steps[0]?.blocks.map((b) => b.id)).toEqual(['s/x#backup', 's/x#backup~2', 's/x#3']);
  });
});
