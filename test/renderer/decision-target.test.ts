// Where the console takes the operator after a decision: the section the model says the choice leads to
// (parsed from the runbook's own words and links), before any guess from the option's name.
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { decisionTarget } from '../../src/renderer/lib/runbook-facts.js';

const TEXT = `# Cut-over

## Decide

Decide GO / NO-GO with the lead.

- GO → continue with [Verify the shop](#verify-the-shop)
- NO-GO → [Escalate](#escalate)

## Roll back

- [ ] Restore the backup

## Escalate

- [ ] Page the vendor

## Verify the shop

- [ ] Check the shop
`;

describe('decisionTarget and the model', () => {
  const rb = parseRunbook(TEXT, { file: 'cutover.md' });
  const decision = rb.steps.find((s) => s.kind === 'decision')?.id as string;
  const all = () => true;

  it('follows the model: NO-GO to the section its link names (not the roll-back section), GO past both to its own', () => {
    expect(decisionTarget(rb, decision, 'NO-GO', all)).toMatchObject({ title: 'Escalate', sectionId: 'escalate', stepId: rb.steps.find((s) => s.title === 'Page the vendor')?.id });
    expect(decisionTarget(rb, decision, 'GO', all)).toMatchObject({ title: 'Verify the shop', sectionId: 'verify-the-shop' });
  });

  it('a NO-GO that names nowhere leads to the roll-back section after it, in the model and in the console', () => {
    const plain = parseRunbook('# T\n## Check\n- [ ] Healthy? GO / NO-GO\n## Roll back\n- [ ] Undo it\n', { file: 't.md' });
    const id = plain.steps[0]?.id as string;
    expect(plain.steps[0]?.decision?.choices.find((c) => c.label === 'NO-GO')?.leadsTo).toBe('roll-back');
    expect(decisionTarget(plain, id, 'NO-GO', all)).toMatchObject({ title: 'Roll back' });
  });
});
