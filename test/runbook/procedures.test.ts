// Every step the author wrote is a step: procedures without code (numbered and bulleted instructions,
// headings that are steps, decisions with where each choice leads, success gates, blanks and "Actual"
// cells as typed inputs), while descriptive lists and ordinary prose stay prose and callouts and examples
// become notes. Fixtures: test/fixtures/procedures/ (the project's own words).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { branchIn, choiceTargets, decisionIn } from '../../src/main/runbook/forms.js';
import { fillInType } from '../../src/main/runbook/fillins.js';
import { calloutAt, imperativeVerb, introKind, isDescriptiveHeading, isGateHeading, isNumberedHeading, noteHeadingKind } from '../../src/main/runbook/prose.js';
import { type Runbook, RunbookSchema, type Step } from '../../src/shared/runbook-model.js';
import { REPO_ROOT } from '../support/shared.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/procedures');
const load = (name: string): Runbook => {
  const rb = parseRunbook(readFileSync(path.join(FIXTURES, name), 'utf8'), { file: name });
  RunbookSchema.parse(rb);
  return rb;
};
const md = (lines: string[]) => `${lines.join('\n')}\n`;
const parse = (text: string) => {
  const rb = parseRunbook(text, { file: 'test.md' });
  RunbookSchema.parse(rb);
  return rb;
};
const inSection = (rb: Runbook, sectionId: string): Step[] => rb.steps.filter((s) => s.sectionId === sectionId);
const summary = (steps: Step[]) => steps.map((s) => [s.kind, s.origin, s.title]);

describe('the imperative rule', () => {
  it('reads the verb an instruction opens with, after numbering, adverbs, a leading clause or a short label', () => {
    expect(imperativeVerb('Drain traffic from the failing shard')).toBe('drain');
    expect(imperativeVerb('3. Verify the metrics port is exposed')).toBe('verify');
    expect(imperativeVerb('Then, page the storage team')).toBe('page');
    expect(imperativeVerb('On the primary, restart the service')).toBe('restart');
    expect(imperativeVerb('Finally, if nothing helped, try a manual fetch')).toBe('try');
    expect(imperativeVerb('Migration loop: cancel in-flight migrations')).toBe('cancel');
    expect(imperativeVerb('**Back up** the database')).toBe('back up');
    expect(imperativeVerb('[Open the dashboard](https://example.invalid)')).toBe('open');
    expect(imperativeVerb('Make sure the replica caught up')).toBe('make sure');
  });

  it('leaves descriptions, nouns and caveats alone (positive controls)', () => {
    expect(imperativeVerb('The dashboard refreshes every thirty seconds.')).toBeNull();
    expect(imperativeVerb('Image pulls: registry reachability and credentials')).toBeNull();
    expect(imperativeVerb('Backup is taken nightly')).toBeNull();
    expect(imperativeVerb('Release notes')).toBeNull();
    expect(imperativeVerb('Post upgrade considerations')).toBeNull();
    expect(imperativeVerb('Open questions')).toBeNull();
    expect(imperativeVerb('Rollback procedure (or lack of one)')).toBeNull();
    expect(imperativeVerb('Note that the pool may lag')).toBeNull();
    expect(imperativeVerb('Do not remove old jobs in this phase')).toBeNull();
    expect(imperativeVerb('Use of the legacy API is deprecated')).toBeNull();
    expect(imperativeVerb('You should restart it')).toBeNull();
  });

  it('names descriptive and gate headings, numbered headings, descriptive and gate intros', () => {
    for (const t of ['Impact', 'Possible causes', 'Impact on users', 'Symptoms and causes', 'Examples', 'Background', '2. Overview', 'References']) expect(isDescriptiveHeading(t), t).toBe(true);
    for (const t of ['Impact assessment', 'Mitigation', 'Restore the shard', 'Triage']) expect(isDescriptiveHeading(t), t).toBe(false);
    expect(isGateHeading('Success criteria')).toBe(true);
    expect(isGateHeading('Go/No-Go criteria')).toBe(true);
    expect(isGateHeading('Verification')).toBe(false);
    expect([isNumberedHeading('3. Containment'), isNumberedHeading('Step 0.2'), isNumberedHeading('2) Verify'), isNumberedHeading('1.19 release notes')]).toEqual([true, true, true, false]);
    expect(introKind('This alert fires when:')).toBe('descriptive');
    expect(introKind('Continuing to ignore it may:')).toBe('descriptive');
    expect(introKind('The change is successful if:')).toBe('gate');
    expect(introKind('To troubleshoot, do the following:')).toBeNull();
  });
});

describe('procedures without code become steps', () => {
  const rb = load('prose-procedures.md');

  it('every item of a numbered instruction list is a manual step, description or not', () => {
    expect(summary(inSection(rb, '1-triage'))).toEqual([
      ['manual', 'list', 'Open the cache dashboard and note the eviction rate.'],
      ['manual', 'list', 'Check whether the alert fired for one shard or for all of them.'],
      ['manual', 'list', 'The dashboard refreshes every thirty seconds.'],
    ]);
  });

  it('bulleted instructions are manual steps, each with nothing to run', () => {
    const steps = inSection(rb, '2-contain');
    expect(steps.map((s) => s.title)).toEqual([
      'Drain traffic from the failing shard through the load balancer.',
      'Then, page the storage team in #storage-oncall.',
      'Pause the nightly warm-up job so it does not refill the shard.',
    ]);
    expect(steps.every((s) => s.kind === 'manual' && s.blocks.length === 0 && s.origin === 'list')).toBe(true);
  });

  it('headings are steps when numbered, when they name an action, or when a procedure heading holds an instruction or a link', () => {
    const headings = rb.steps.filter((s) => s.origin === 'heading');
    expect(headings.map((s) => [s.id, s.kind])).toEqual([
      ['3-escalate-to-the-vendor', 'manual'],
      ['communicate', 'manual'],
      ['communicate/notify-the-account-managers', 'manual'],
      ['rollback', 'manual'],
      ['hand-over-to-the-next-shift', 'manual'],
    ]);
    expect(rb.steps.find((s) => s.id === 'communicate/notify-the-account-managers')?.body).toBe('[Customer notice template](https://wiki.example.invalid/templates/cache-outage)');
    expect(rb.steps.find((s) => s.id === 'rollback')?.body).toMatch(/^Follow the containment steps backwards/);
  });

  it('leaves task items as they were: kind step, origin task (positive control)', () => {
    expect(summary(inSection(rb, 'step-4-close-the-incident'))).toEqual([
      ['step', 'task', 'Incident closed in the tracker'],
      ['step', 'task', 'Timeline written'],
    ]);
  });

  it('a whole playbook without a line of code gives its steps (the sample runbook)', () => {
    const playbook = parseRunbook(readFileSync(path.join(REPO_ROOT, 'runbooks/incident-response-playbook.md'), 'utf8'), { file: 'playbook.md' });
    const kinds = playbook.steps.reduce<Record<string, number>>((n, s) => ({ ...n, [s.kind]: (n[s.kind] ?? 0) + 1 }), {});
    expect(kinds).toEqual({ manual: 11, input: 3, step: 1, decision: 2, signoff: 1 });
  });
});

describe('descriptive lists and ordinary prose stay prose (positive controls)', () => {
  it('gives no step for impact, symptoms, causes, background, a table of contents, descriptive intros or plain prose', () => {
    const rb = load('descriptive-lists.md');
    expect(rb.steps).toEqual([]);
  });

  it('keeps heading steps with code as they are: their lists stay the body', () => {
    const rb = parse(md(['## Restart the consumers', '- Stop the consumers', '- Start them again', '', '```bash', 'systemctl restart consumer', '```']));
    expect(summary(rb.steps)).toEqual([['step', 'heading', 'Restart the consumers']]);
    expect(rb.steps[0]?.body).toBe('- Stop the consumers\n- Start them again');
  });

  it('keeps ordered procedures with code and their prose items as before', () => {
    const rb = parse(md(['## Fail over', '1. Announce the failover.', '2. Promote the replica:', '   ```bash', '   patronictl failover --force', '   ```']));
    expect(summary(rb.steps)).toEqual([
      ['step', 'ordered', 'Announce the failover.'],
      ['step', 'ordered', 'Promote the replica'],
    ]);
  });
});

describe('decisions and gates', () => {
  const rb = load('decisions-and-gates.md');

  it('a Go/No-Go paragraph is a decision; the list under it says where each choice leads', () => {
    const go = rb.steps.find((s) => s.sectionId === 'go-no-go');
    expect(go?.kind).toBe('decision');
    expect(go?.decision?.choices).toEqual([
      { label: 'GO', leadsTo: 'switch-traffic' },
      { label: 'NO-GO', leadsTo: 'rollback' },
    ]);
    // The choices' list is the decision's body, not steps of its own.
    expect(inSection(rb, 'go-no-go')).toHaveLength(1);
  });

  it('"if … roll back" in a procedure is a decision whose roll-back leads to the linked section', () => {
    const branch = inSection(rb, 'switch-traffic')[1];
    expect(branch?.kind).toBe('decision');
    expect(branch?.decision).toEqual({ options: ['Roll back', 'Continue'], choices: [{ label: 'Roll back', leadsTo: 'rollback' }, { label: 'Continue', leadsTo: null }] });
    expect(inSection(rb, 'switch-traffic').map((s) => s.kind)).toEqual(['manual', 'decision', 'manual']);
  });

  it('success criteria are gates the operator confirms', () => {
    expect(summary(inSection(rb, 'success-criteria'))).toEqual([
      ['manual', 'gate', 'Decline rate at or below the baseline for one hour'],
      ['manual', 'gate', 'No duplicate captures in the reconciliation report'],
      ['manual', 'gate', 'Settlement file accepted by the bank'],
    ]);
  });

  it('"Decide whether to A or B" offers both, and a choice naming no section leads on', () => {
    const follow = inSection(rb, 'decide-on-the-follow-up')[0];
    expect(follow?.decision?.choices).toEqual([
      { label: 'Keep the old gateway warm', leadsTo: null },
      { label: 'Decommission it', leadsTo: null },
    ]);
  });

  it('a negative choice that names nowhere leads to the first roll-back section after the decision', () => {
    const text = md(['# Cut-over', '## Check', '- [ ] Proceed with the cut-over or roll back', '## Roll back', '- [ ] Restore the snapshot']);
    const decision = parse(text).steps[0];
    expect(decision?.decision?.choices).toEqual([
      { label: 'Proceed with the cut-over', leadsTo: null },
      { label: 'Roll back', leadsTo: 'roll-back' },
    ]);
  });

  it('a heading that is a decision keeps the list of its options as its body, and stays a decision over prose steps', () => {
    const rb2 = parse(md(['# T', '## Go / No-Go', '- GO: proceed to [Phase 2](#phase-2)', '- NO-GO: roll back to the snapshot', '## Phase 2', '1. Check the dashboards.', '## Rollback', 'Restore the snapshot.']));
    expect(summary(inSection(rb2, 'go-no-go'))).toEqual([['decision', 'heading', 'Go / No-Go']]);
    expect(rb2.steps[0]?.decision?.choices).toEqual([
      { label: 'GO', leadsTo: 'phase-2' },
      { label: 'NO-GO', leadsTo: 'rollback' },
    ]);
    const over = parse(md(['## Go / No-Go', '1. Check the error budget.', '2. Ask the lead.']));
    expect(summary(over.steps)).toEqual([
      ['decision', 'heading', 'Go / No-Go'],
      ['manual', 'list', 'Check the error budget.'],
      ['manual', 'list', 'Ask the lead.'],
    ]);
  });

  it('"If …, proceed …; otherwise roll back" offers both ways', () => {
    expect(branchIn('If all checks pass, proceed to the cut-over; otherwise roll back.')?.options).toEqual(['Proceed to the cut-over', 'Roll back']);
  });

  it('reads decision forms and where choices lead (unit)', () => {
    expect(decisionIn('Decide: mitigate vs investigate first')).toEqual(['Mitigate', 'Investigate first']);
    expect(decisionIn('Choose a version to upgrade to, and run the command')).toBeNull();
    expect(branchIn('If the lag exceeds 30 s, stop and page the DBA')?.options).toEqual(['Stop and page the DBA', 'Continue']);
    expect(branchIn('If all checks pass, proceed to [Phase 2](#phase-2)')?.options).toEqual(['Proceed to Phase 2', 'Stop']);
    expect(branchIn('If you use zonal clusters, replace the region flag')).toBeNull();
    expect(choiceTargets(['GO', 'NO-GO'], 'If NO-GO, go to [Rollback](#rollback).\nGO: continue with the cut-over')).toEqual([{ name: 'cut-over' }, { anchor: 'rollback', name: 'Rollback' }]);
  });
});

describe('inputs: blanks and "Actual" cells become typed fields', () => {
  const rb = load('inputs.md');

  it('a table with an Actual column is an input step; each row is a field typed from its unit and expected value', () => {
    const table = inSection(rb, 'measurements')[0];
    expect([table?.kind, table?.origin]).toEqual(['input', 'heading']);
    expect(table?.fillIns.map((f) => [f.label, f.type, f.unit, f.required])).toEqual([
      ['Restore duration: Actual', 'duration', null, true],
      ['Rows in orders: Actual', 'number', null, true],
      ['Replication lag: Actual', 'duration', 's', true],
      ['Disk used: Actual', 'percent', '%', true],
    ]);
  });

  it('blank lines under a heading are an input step: a date, text, and an optional note', () => {
    const drill = inSection(rb, 'record-the-drill')[0];
    expect(drill?.kind).toBe('input');
    expect(drill?.fillIns.map((f) => [f.label, f.type, f.required])).toEqual([
      ['Drill date', 'date', true],
      ['Restored by', 'text', true],
      ['Notes (optional)', 'text', false],
    ]);
  });

  it('a blank outside the items of a checklist is an input of its own; the checklist item is unchanged', () => {
    expect(summary(inSection(rb, 'verify'))).toEqual([
      ['step', 'task', 'Application answers on the drill host'],
      ['input', 'lines', 'Error ratio after restore'],
    ]);
    expect(inSection(rb, 'verify')[1]?.fillIns[0]).toMatchObject({ type: 'percent', unit: '%' });
  });

  it('types fill-ins from unit, label and expected value; names stay text (unit)', () => {
    expect(fillInType('Lag', 'ms')).toBe('duration');
    expect(fillInType('Dead tuples before', null)).toBe('number');
    expect(fillInType('Ticket number', null)).toBe('text');
    expect(fillInType('Date', null)).toBe('date');
    expect(fillInType('Error rate: Actual', null, '< 1 %')).toBe('percent');
    expect(fillInType('Name of the second engineer', null)).toBe('text');
  });

  it('a table without blanks or input columns has no fields and makes no step (positive control); one in a heading step with code gives it typed fields', () => {
    expect(parse(md(['## Windows', '| Env | Window |', '| --- | --- |', '| prod | Tue 02:00 |'])).steps).toEqual([]);
    const rb2 = parse(md(['## Check replication', '```bash', 'psql -c "select 1"', '```', '', '| Check | Actual |', '| --- | --- |', '| Lag | ____ ms |']));
    expect(summary(rb2.steps)).toEqual([['step', 'heading', 'Check replication']]);
    expect(rb2.steps[0]?.fillIns).toEqual([{ label: 'Lag: Actual', unit: 'ms', line: 8, type: 'duration', required: true }]);
  });
});

describe('callouts and examples are notes, not steps', () => {
  const rb = load('callouts.md');
  const titles = rb.steps.map((s) => s.title);

  it('no step is titled by a callout or example label', () => {
    for (const label of ['Note', 'Warning', 'Important', 'Tip', 'Before', 'After', 'Example', 'STATE', 'Caution']) expect(titles).not.toContain(label);
    expect(titles).toEqual(['Order the certificate', 'Store it in the vault', 'Install', 'Fetch the certificate the load balancer serves', 'Compare the expiry with the order.', 'Verify', 'Scale the web tier']);
  });

  it('attaches each note to the step it stands by, or to the section', () => {
    const notes = (id: string) => rb.steps.find((s) => s.id === id)?.notes.map((n) => [n.kind, n.label]);
    expect(rb.sections[0]?.notes.map((n) => [n.kind, n.text])).toEqual([['warning', 'Rotating the wrong certificate takes the API down for every customer.']]);
    expect(notes('prepare-the-new-certificate/order-the-certificate')).toEqual([['note', 'Note']]);
    expect(notes('prepare-the-new-certificate/store-it-in-the-vault')).toEqual([['tip', '[!TIP]']]);
    expect(notes('install')).toEqual([['important', 'Important'], ['example', 'Before'], ['example', 'After']]);
    expect(notes('verify/verify')).toEqual([['warning', 'Warning'], ['note', 'note'], ['caution', 'caution'], ['state', 'STATE'], ['example', 'Example']]);
  });

  it('example code stays with its step, shown and never run; the command beside it still runs', () => {
    const install = rb.steps.find((s) => s.id === 'install');
    expect(install?.blocks.map((b) => [b.line, b.action])).toEqual([[19, 'shell'], [25, 'display'], [32, 'display']]);
    expect(install?.notes.find((n) => n.label === 'Before')?.blockIds).toEqual([install?.blocks[1]?.id]);
    const verify = rb.steps.find((s) => s.id === 'verify/verify');
    expect(verify?.blocks.map((b) => b.action)).toEqual(['shell', 'display']);
    expect(verify?.variables).toEqual([]);
  });

  it('"Example output:" and a bold "Before" on their own make the code right after them an example: shown, never run', () => {
    const scale = rb.steps.find((s) => s.id === 'scale-the-web-tier');
    expect(scale?.blocks.map((b) => b.action)).toEqual(['shell', 'display', 'display']);
    expect(scale?.notes.map((n) => [n.kind, n.label, n.blockIds.length])).toEqual([
      ['example', 'Example output', 1],
      ['example', 'Before', 1],
    ]);
  });

  it('recognises labels (unit)', () => {
    expect(calloutAt('[!WARNING] Careful')).toMatchObject({ kind: 'warning', label: '[!WARNING]' });
    expect(calloutAt('Note: the pool drains slowly')).toMatchObject({ kind: 'note' });
    expect(calloutAt('Note GPG does not normalise paths', 'Note')).toMatchObject({ kind: 'note' });
    expect(calloutAt('Before you start, back up', 'Before')).toBeNull();
    expect(calloutAt('Notes about auto-upgrades are below')).toBeNull();
    expect(noteHeadingKind('Example output')).toBe('example');
    expect(noteHeadingKind('Notes about cancelled upgrades')).toBeNull();
    expect(noteHeadingKind('Example 2: a dry run')).toBe('example');
    expect(noteHeadingKind('Before the upgrade')).toBeNull();
  });
});
