// `runbook run` asking for the steps a person does: done, failed, values checked by type (asked again when
// refused), a decision's choice with where each leads — and with --yes, manual steps left to the plan and a
// decision stopping the run unless --decide answered it.
import { describe, expect, it } from 'vitest';
import { decideOptions, manualStepPrompter } from '../../src/cli/manual-prompts.js';
import { parseRunbook } from '../../src/main/runbook/index.js';
import type { Step } from '../../src/shared/runbook-model.js';

const TEXT = `# Drill

## Record

Restore duration: ______ min
Notes (optional): ______

## Check

1. Tell the channel the drill is over.

## Go / No-Go

Decide GO / NO-GO.

- NO-GO → [Back out](#back-out)

## Back out

- [ ] Restore the old route
  \`\`\`bash
  echo restored
  \`\`\`
`;

const runbook = parseRunbook(TEXT, { file: 'drill.md' });
const step = (kind: Step['kind']) => runbook.steps.find((s) => s.kind === kind) as Step;

function scripted(answers: string[]) {
  const asked: string[] = [];
  let out = '';
  return {
    io: {
      ask: async (q: string) => {
        asked.push(q);
        const next = answers.shift();
        if (next === undefined) throw new Error(`no answer scripted for ${q}`);
        return next;
      },
      write: (t: string) => void (out += t),
    },
    asked,
    out: () => out,
  };
}

describe('asking for steps done by hand', () => {
  it('asks each blank with its type, asks again after a value it cannot take, leaves an optional one empty, then done', async () => {
    const s = scripted(['soon', '25', '', 'd']);
    const answer = await manualStepPrompter(s.io, { runbook, interactive: true, decide: new Map(), skipNeedsReason: false })(step('input'));
    expect(answer).toEqual({ done: true, values: [{ label: 'Restore duration', value: '25' }] });
    expect(s.asked[0]).toBe('  Restore duration — a duration in min (or with its unit, such as 90s or 5 min): ');
    expect(s.out()).toContain('✗ "Restore duration" takes a duration in min');
    expect(s.asked[2]).toBe('  Notes (optional) — some text (optional: Enter leaves it empty): ');
  });

  it('failed asks what went wrong; skip under REGULATED asks a reason; quit quits', async () => {
    const manual = step('manual');
    expect(await manualStepPrompter(scripted(['f', '', 'nobody answered']).io, { runbook, interactive: true, decide: new Map(), skipNeedsReason: false })(manual)).toEqual({ failed: 'nobody answered' });
    expect(await manualStepPrompter(scripted(['s', 'done by phone']).io, { runbook, interactive: true, decide: new Map(), skipNeedsReason: true })(manual)).toEqual({ skip: 'done by phone' });
    expect(await manualStepPrompter(scripted(['q']).io, { runbook, interactive: true, decide: new Map(), skipNeedsReason: false })(manual)).toBe('quit');
  });

  it('lists a decision\'s choices with where each leads and takes a number or a label', async () => {
    const s = scripted(['3', 'no-go']);
    expect(await manualStepPrompter(s.io, { runbook, interactive: true, decide: new Map(), skipNeedsReason: false })(step('decision'))).toEqual({ decision: 'NO-GO' });
    expect(s.out()).toContain('  1) GO\n  2) NO-GO  → Back out\n');
    expect(s.out()).toContain('✗ "3" is none of the choices');
  });

  it('without a terminal: manual steps go to the plan, a decision stops the run unless --decide answered it', async () => {
    const prompter = manualStepPrompter(scripted([]).io, { runbook, interactive: false, decide: new Map(), skipNeedsReason: false });
    expect(await prompter(step('manual'))).toBe('plan');
    expect(await prompter(step('input'))).toBe('plan');
    const stop = await prompter(step('decision'));
    expect(stop).toEqual({ stop: expect.stringMatching(/^decision step go-no-go\/\S+ needs a person to choose \(GO \/ NO-GO\): .* --decide go-no-go\/\S+=CHOICE$/) });
    const decided = manualStepPrompter(scripted([]).io, { runbook, interactive: false, decide: decideOptions(runbook, [`${step('decision').id}=no-go`]), skipNeedsReason: false });
    expect(await decided(step('decision'))).toEqual({ decision: 'NO-GO', note: 'given with --decide' });
  });

  it('--decide names a decision step and one of its choices, or is a usage error', () => {
    const id = step('decision').id;
    expect(() => decideOptions(runbook, ['nope=GO'])).toThrow(/no decision step has the id nope/);
    expect(() => decideOptions(runbook, [`${id}=MAYBE`])).toThrow(/offers "GO", "NO-GO"/);
    expect(() => decideOptions(runbook, ['GO'])).toThrow(/write STEP_ID=CHOICE/);
    expect(decideOptions(runbook, [`${id}=go`])).toEqual(new Map([[id, 'GO']]));
  });
});
