// What the console works out from the runbook model on its own: what a profile hides, which variables to
// ask for (and which as secrets), where to roll back, progress per section, and step bodies as text tokens.
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import type { RunState } from '../../src/shared/run-api.js';
import { parseInline, parseMarkdown } from '../../src/renderer/lib/markdown.js';
import { runProgress, visibleStepIds } from '../../src/renderer/lib/progress.js';
import { decisionTarget, hiddenSteps, isNegativeDecision, profileMarkers, rollbackSection, variablesToAsk } from '../../src/renderer/lib/runbook-facts.js';

const RUNBOOK = `---
variables:
  REGION: eu-west-1
  DB_HOST: { default: db-1 }
  TICKET: { description: the change ticket }
  VAULT: { secret: true }
---
# Change

## Prepare
- [ ] Check $REGION and $DB_HOST
  \`\`\`bash
  echo "$REGION $DB_HOST $TICKET"
  \`\`\`
- [ ] Log in 🟡
  \`\`\`bash
  login --token "$API_TOKEN" --vault "$VAULT" --who <OPERATOR_NAME>
  \`\`\`
- [ ] Vault only 🔴
  \`\`\`bash
  echo "$RESTRICTED_ONLY"
  \`\`\`
- [ ] GO / NO-GO

## Roll back
- [ ] Restore
`;

const runbook = parseRunbook(RUNBOOK, { file: 'change.md' });

function stateWith(statuses: Record<string, Partial<RunState['steps'][number]>>): RunState {
  return {
    runId: 'r',
    dir: '/tmp/r',
    profile: 'regulated',
    operator: 'a',
    status: 'ready',
    hiddenCount: 1,
    problems: [],
    records: 1,
    seal: null,
    approvals: [],
    questions: [],
    steps: runbook.steps.map((s) => ({ id: s.id, status: 'pending', reason: null, hidden: s.profile === 'restricted', manual: null, targets: {}, choices: {}, verdicts: {}, decision: null, signoff: null, mark: null, fillIns: {}, activity: [], ...statuses[s.id] })),
    unfinished: [],
  };
}

describe('runbook facts for the start form', () => {
  it('counts profile markers and what each profile hides', () => {
    expect(profileMarkers(runbook)).toEqual({ standard: 0, regulated: 1, restricted: 1 });
    expect(hiddenSteps(runbook, 'standard').map((s) => s.title)).toEqual(['Log in', 'Vault only']);
    expect(hiddenSteps(runbook, 'regulated').map((s) => s.title)).toEqual(['Vault only']);
    expect(hiddenSteps(runbook, 'restricted')).toEqual([]);
  });

  it('asks for the variables the shown steps use and the front matter gives no default, secrets as such', () => {
    expect(variablesToAsk(runbook, 'standard')).toEqual([{ name: 'TICKET', secret: false, description: 'the change ticket', required: true }]);
    const regulated = variablesToAsk(runbook, 'regulated');
    expect(regulated.map((v) => [v.name, v.secret])).toEqual([
      ['TICKET', false],
      ['API_TOKEN', true],
      ['VAULT', true],
      ['OPERATOR_NAME', false],
    ]);
    expect(variablesToAsk(runbook, 'restricted').map((v) => v.name)).toContain('RESTRICTED_ONLY');
  });

  it('finds the roll-back section and knows which decisions mean "do not go on"', () => {
    expect(rollbackSection(runbook)?.title).toBe('Roll back');
    expect(rollbackSection(parseRunbook('# A\n- [ ] GO / NO-GO\n', { file: 'a.md' }))).toBeNull();
    for (const no of ['NO-GO', 'No go', 'Roll back', 'rollback', 'Abort the change']) expect(isNegativeDecision(no), no).toBe(true);
    for (const yes of ['GO', 'Proceed to close the window', 'Going ahead']) expect(isNegativeDecision(yes), yes).toBe(false);
  });
});

describe('run progress', () => {
  it('counts done per section and overall, leaving hidden steps out', () => {
    const [check, login, , decision, restore] = runbook.steps.map((s) => s.id) as string[];
    const state = stateWith({ [check as string]: { status: 'succeeded' }, [login as string]: { status: 'failed' }, [decision as string]: { status: 'skipped' }, [restore as string]: { mark: 'pass' } });
    const progress = runProgress(runbook, state);
    expect(progress).toMatchObject({ done: 3, total: 4 });
    expect(progress.sections.map((s) => [s.section.title, s.done, s.total, s.failed])).toEqual([
      ['Change', 0, 0, 0],
      ['Prepare', 2, 3, 1],
      ['Roll back', 1, 1, 0],
    ]);
    expect(visibleStepIds(runbook, state)).not.toContain(runbook.steps[2]?.id);
  });
});

describe('step bodies as text tokens', () => {
  it('reads paragraphs, lists, quotes, headings and tables, and inline code, strong, emphasis and links', () => {
    expect(parseMarkdown('Check the **ledger** with `psql`.\nThen wait.\n\n- one\n- two *now*\n\n1. first\n\n> careful\n\n| a | b |\n| - | - |\n\n### Note')).toEqual([
      { kind: 'p', inline: [{ kind: 'text', text: 'Check the ' }, { kind: 'strong', text: 'ledger' }, { kind: 'text', text: ' with ' }, { kind: 'code', text: 'psql' }, { kind: 'text', text: '.\nThen wait.' }] },
      { kind: 'ul', items: [[{ kind: 'text', text: 'one' }], [{ kind: 'text', text: 'two ' }, { kind: 'em', text: 'now' }]] },
      { kind: 'ol', items: [[{ kind: 'text', text: 'first' }]] },
      { kind: 'quote', inline: [{ kind: 'text', text: 'careful' }] },
      { kind: 'pre', text: '| a | b |\n| - | - |' },
      { kind: 'h', inline: [{ kind: 'text', text: 'Note' }] },
    ]);
    expect(parseInline('see [the docs](https://example.invalid/x)')).toEqual([{ kind: 'text', text: 'see ' }, { kind: 'link', text: 'the docs', url: 'https://example.invalid/x' }]);
  });

  it('keeps markup as text: nothing becomes HTML', () => {
    const tokens = parseMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)>');
    expect(tokens).toEqual([{ kind: 'p', inline: [{ kind: 'text', text: '<script>alert(1)</script> <img src=x onerror=alert(1)>' }] }]);
  });
});

describe('where a decision leads', () => {
  const text = `# Cutover
## Decide
- [ ] Proceed, wait or roll back? Options: Proceed / Extend window / Roll back
## Extend window
- [ ] Ask for more time
## Roll back
- [ ] Restore the backup
## Verify
- [ ] Check the shop
`;
  const rb = parseRunbook(text, { file: 'cutover.md' });
  const decision = rb.steps[0]?.id as string;
  const all = () => true;

  it('goes to the section an option names, to roll-back on a negative answer, and otherwise on past the roll-back', () => {
    expect(decisionTarget(rb, decision, 'Extend window', all)).toMatchObject({ title: 'Extend window', stepId: rb.steps[1]?.id });
    expect(decisionTarget(rb, decision, 'NO-GO', all)).toMatchObject({ title: 'Roll back', stepId: rb.steps[2]?.id });
    expect(decisionTarget(rb, decision, 'Proceed', all)).toMatchObject({ title: 'Ask for more time', sectionId: null });
    expect(decisionTarget(rb, decision, 'GO', (id) => id !== rb.steps[1]?.id)).toMatchObject({ title: 'Check the shop', stepId: rb.steps[3]?.id });
  });
});
