// The seeds are runbooks of the kind our users bring. Counts below were established by reading them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/main/runbook/index.js';
import type { Runbook } from '../../src/shared/runbook-model.js';
import { RunbookSchema } from '../../src/shared/runbook-model.js';
import { sharedDir } from '../support/shared.js';

const seeds = sharedDir('seeds');
const MOJIBAKE = /ðŸ|âœ|âš|â†|Ã[\u0080-\u00bf]/;

function byLang(rb: Runbook): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of rb.steps.flatMap((s) => s.blocks)) out[b.lang ?? '-'] = (out[b.lang ?? '-'] ?? 0) + 1;
  return out;
}

function count<T>(items: T[], pred: (t: T) => boolean): number {
  return items.filter(pred).length;
}

function everyText(rb: Runbook): string[] {
  return [
    rb.title,
    ...rb.steps.flatMap((s) => [s.title, s.body, ...s.checks.map((c) => c.title), ...s.blocks.map((b) => b.code)]),
  ];
}

describe.skipIf(!seeds)('seed runbooks', () => {
  const load = (name: string) => loadRunbook(path.join(seeds as string, name));

  it('release-checklist: 92 task items, 83 top-level steps with 9 nested sub-checks, no code', async () => {
    const rb = await load('release-checklist.md');
    expect(RunbookSchema.parse(rb)).toBeTruthy();
    expect(rb.title).toBe('Release Checklist');
    expect(rb.steps).toHaveLength(83);
    expect(count(rb.steps, (s) => s.origin === 'task')).toBe(83);
    expect(rb.steps.reduce((n, s) => n + s.checks.length, 0)).toBe(9);
    expect(rb.steps.flatMap((s) => s.blocks)).toHaveLength(0);
    const rollback = rb.steps.find((s) => s.title === 'If rollback:' || s.title === 'If rollback');
    expect(rollback?.checks.map((c) => c.title)).toEqual([
      'Deploy previous Docker image version',
      'Revert database migrations (if needed)',
      'Verify system stability',
      'Communicate rollback to stakeholders',
    ]);
    const decision = rb.steps.find((s) => s.kind === 'decision');
    expect(decision?.title).toBe('Decision: hotfix or rollback?');
    expect(decision?.decision?.options).toEqual(['Hotfix', 'Rollback']);
    expect(rb.steps[0]?.id).toBe('pre-release-verification/code-quality/all-tests-pass-locally-pytest');
  });

  it('federation-release-checklist: 70 task steps, 4 lead-in steps, a sign-off, 44 blocks by language', async () => {
    const rb = await load('federation-release-checklist.md');
    expect(count(rb.steps, (s) => s.origin === 'task')).toBe(70);
    expect(rb.steps.filter((s) => s.origin === 'lead-in').map((s) => s.title)).toEqual([
      'Step 1: Disable Federation (Immediate)',
      'Step 2: Restart Services',
      'Step 3: Verify Rollback',
      'Step 4: Post-Mortem',
    ]);
    expect(byLang(rb)).toEqual({ bash: 39, markdown: 1, sql: 2, yaml: 2 });
    // SQL in a bash fence does not say its database, and a sql fence of MySQL (SHOW GLOBAL STATUS) is not
    // PostgreSQL's: both are shown, not run; the one PostgreSQL block runs. A list of notes is shown too.
    const actions = rb.steps.flatMap((s) => s.blocks).map((b) => b.action);
    expect(count(actions, (a) => a === 'sql')).toBe(1);
    const shown = rb.steps.flatMap((s) => s.blocks).filter((b) => /SHOW GLOBAL STATUS|^# Check DataLoader/m.test(b.code));
    expect(shown.map((b) => [b.lang, b.action])).toEqual([['sql', 'display'], ['bash', 'display']]);
    expect(shown[0]?.reason).toMatch(/MySQL/);
    expect(rb.steps.find((s) => s.title === 'Metrics look healthy')?.blocks[0]?.action).toBe('display');
    const signoff = rb.steps.filter((s) => s.kind === 'signoff');
    expect(signoff).toHaveLength(1);
    expect(signoff[0]?.signoff?.roles).toEqual(['Deployment Lead', 'Tech Lead', 'Product Manager']);
    expect(signoff[0]?.fillIns).toHaveLength(6);
    expect(rb.steps.find((s) => s.title === 'Proceed to Phase 2 or rollback')?.kind).toBe('decision');
    expect(rb.steps.find((s) => s.title === 'All tests pass')?.expected).toEqual(['100% pass rate (15+ tests)']);
    expect(rb.steps.reduce((n, s) => n + s.checks.length, 0)).toBe(39);
  });

  it('production-readiness-checklist: 80 task steps, 35 blocks, a sign-off table with four roles', async () => {
    const rb = await load('production-readiness-checklist.md');
    expect(count(rb.steps, (s) => s.origin === 'task')).toBe(80);
    expect(byLang(rb)).toEqual({ bash: 7, nginx: 3, python: 15, sql: 5, yaml: 5 });
    const table = rb.steps.find((s) => s.origin === 'table');
    expect(table?.kind).toBe('signoff');
    expect(table?.signoff).toEqual({
      roles: ['Engineering Lead', 'Security Lead', 'Operations Lead', 'Product Owner'],
      fields: ['Name', 'Date', 'Signature'],
    });
    // Python and nginx snippets are shown, never run.
    for (const b of rb.steps.flatMap((s) => s.blocks)) {
      if (b.lang === 'python' || b.lang === 'nginx') expect(b.action).toBe('display');
    }
  });

  it('no seed step has a profile marker, so every step is unmarked', async () => {
    for (const name of ['release-checklist.md', 'federation-release-checklist.md', 'production-readiness-checklist.md']) {
      const rb = await load(name);
      expect(rb.steps.every((s) => s.profile === null)).toBe(true);
    }
  });

  it('no mojibake is left in any text the model exposes', async () => {
    for (const name of ['release-checklist.md', 'federation-release-checklist.md', 'production-readiness-checklist.md']) {
      const rb = await load(name);
      const raw = readFileSync(path.join(seeds as string, name), 'utf8');
      for (const text of everyText(rb)) expect(text).not.toMatch(MOJIBAKE);
      // "×" followed by a space must stay as written (it is not a broken sequence).
      if (raw.includes('× 2')) expect(rb.steps.some((s) => s.body.includes('× 2'))).toBe(true);
    }
  });
});
