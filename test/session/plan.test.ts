// The plan decides, before anything runs, where each block runs and what stops a step.
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { targetSet } from '../../src/main/session/binding.js';
import { planRun } from '../../src/main/session/plan.js';
import type { TargetsFile } from '../../src/shared/targets.js';

const OPERATOR: TargetsFile = { targets: { web: { kind: 'ssh', host: 'web-1' }, db: { kind: 'postgres', host: 'h', database: 'd', user: 'u' } }, defaults: { sql: 'db' } };

function plan(text: string, options: { only?: string[] } = {}) {
  const runbook = parseRunbook(text, { file: 'rb.md' });
  return planRun(runbook, targetSet(runbook, OPERATOR), { profile: 'restricted', ...options });
}

describe('planRun', () => {
  it('attack: a fence whose attributes do not parse is refused with its step and line, never planned on local', () => {
    const p = plan('# Typo\n\n- [ ] Remote\n  ```bash {"target":"web",}\n  rm -rf /srv/cache\n  ```\n- [ ] Fine\n  ```bash\n  echo ok\n  ```\n');
    const [remote, fine] = p.steps;
    expect(remote?.blocks).toEqual([]); // nothing of it will run, on any target
    expect(remote?.skip).toBeNull(); // not "manual": it is refused through the problem below
    expect(p.problems).toHaveLength(1);
    expect(p.problems[0]).toMatch(/^step remote: line 4: fence attributes cannot be read: attributes are not valid JSON: .+ — fix them; the block is not run$/);
    // Positive control: the next step is planned on the built-in local target.
    expect(fine?.blocks.map((b) => [b.binding.targetName, b.binding.source])).toEqual([['local', 'built-in default']]);
  });

  it('refuses a target written where it is not read, and a target that is no name', () => {
    const p = plan('# X\n\n- [ ] A\n  ```bash target=web\n  hostname\n  ```\n- [ ] B\n  ```bash {"target":["web"]}\n  hostname\n  ```\n');
    expect(p.steps.flatMap((s) => s.blocks)).toEqual([]);
    expect(p.problems).toEqual([
      expect.stringMatching(/^step a: line 4: fence attributes cannot be read: a "target" is written outside the \{ \} attributes/),
      expect.stringMatching(/^step b: line 8: fence attributes cannot be read: attribute "target" must be a target's name/),
    ]);
  });

  it('leaves the rest of a step\'s blocks planned but the step blocked by the problem it names', () => {
    const p = plan('# X\n\n- [ ] Mixed\n  ```bash\n  echo one\n  ```\n  ```bash {"target":"web",}\n  echo two\n  ```\n');
    expect(p.steps[0]?.blocks.map((b) => b.block.line)).toEqual([4]);
    expect(p.problems).toEqual([expect.stringMatching(/^step mixed: line 7: fence attributes cannot be read/)]);
  });

  it('does not complain about a step that does not run (--only leaves it out)', () => {
    const p = plan('# X\n\n- [ ] Broken\n  ```bash {"target":"web",}\n  echo\n  ```\n- [ ] Fine\n  ```bash\n  echo ok\n  ```\n', { only: ['fine'] });
    expect(p.problems).toEqual([]);
    expect(p.steps[0]?.skip).toBe('not selected by --only');
  });

  it('keeps reporting a target the operator did not define', () => {
    const p = plan('# X\n\n- [ ] A\n  ```bash {"target":"elsewhere"}\n  hostname\n  ```\n');
    expect(p.problems).toEqual(['step a: line 4: target "elsewhere" is not defined (known: local, web, db)']);
    expect(p.steps[0]?.blocks).toEqual([]);
  });

  it('binds by fence attribute, front-matter defaults and the operator\'s defaults', () => {
    const p = plan('---\ndefaults: { shell: web }\n---\n# X\n\n- [ ] A\n  ```bash\n  uptime\n  ```\n- [ ] B\n  ```sql\n  SELECT 1;\n  ```\n- [ ] C\n  ```bash {"target":"local"}\n  uptime\n  ```\n');
    expect(p.problems).toEqual([]);
    expect(p.steps.map((s) => s.blocks.map((b) => `${b.binding.targetName} (${b.binding.source})`))).toEqual([
      ['web (front matter)'],
      ['db (targets file defaults)'],
      ['local (fence attribute)'],
    ]);
  });
});
