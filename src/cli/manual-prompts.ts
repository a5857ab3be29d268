// `runbook run` and the steps a person does: on a terminal it asks for each one (done / failed / skip, the
// values of its blanks checked by type, a decision's choice with where each leads); with --yes (or no
// terminal) manual steps are left to the plan (skipped: nothing to run) and a decision stops the run unless
// --decide answered it beforehand. Values and choices are checked again by the engine before they are recorded.
import { fillInHint, parseFillIn } from '../shared/fill-in-values.js';
import type { Runbook, Step } from '../shared/runbook-model.js';
import type { ManualAnswer } from '../main/session/runner.js';
import { forTerminal } from './terminal-output.js';

export interface PromptIo {
  ask(question: string): Promise<string>;
  write(text: string): void;
}

export interface ManualPromptOptions {
  runbook: Runbook;
  /** Asks on the terminal; false with --yes or without a terminal. */
  interactive: boolean;
  /** --decide STEP_ID=CHOICE, already checked against the runbook (decideOptions). */
  decide: ReadonlyMap<string, string>;
  /** REGULATED and above: a skip needs a reason. */
  skipNeedsReason: boolean;
}

/**
 * Reads `--decide STEP_ID=CHOICE` options: each names a decision step of the runbook and one of its choices
 * (any case). Throws with the reason (a usage error) otherwise.
 */
export function decideOptions(runbook: Runbook, pairs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--decide ${pair}: write STEP_ID=CHOICE`);
    const id = pair.slice(0, at).trim();
    const wanted = pair.slice(at + 1).trim();
    const step = runbook.steps.find((s) => s.id === id);
    if (!step?.decision) throw new Error(`--decide ${pair}: no decision step has the id ${id} (see \`runbook parse FILE\`)`);
    const choice = step.decision.options.find((o) => o.toLowerCase() === wanted.toLowerCase());
    if (!choice) throw new Error(`--decide ${pair}: step ${id} offers ${step.decision.options.map((o) => `"${o}"`).join(', ')}`);
    out.set(id, choice);
  }
  return out;
}

function sectionTitle(runbook: Runbook, id: string | null): string | null {
  if (id === null) return null;
  const walk = (list: Runbook['sections']): string | null => {
    for (const s of list) {
      if (s.id === id) return s.title;
      const inner = walk(s.sections);
      if (inner) return inner;
    }
    return null;
  };
  return walk(runbook.sections);
}

/** The session's manualStep hook for `runbook run`. */
export function manualStepPrompter(io: PromptIo, options: ManualPromptOptions): (step: Step) => Promise<ManualAnswer> {
  const { runbook } = options;
  const position = new Map(runbook.steps.map((s, i) => [s.id, i + 1]));
  const total = runbook.steps.length;
  const header = (step: Step, what: string) => {
    io.write(`\n${step.kind === 'decision' ? '◇' : '☐'} [${position.get(step.id)}/${total}] ${forTerminal(step.title)}  (line ${step.line}, ${forTerminal(step.id)}, ${what})\n`);
    for (const note of step.notes.filter((n) => n.kind !== 'example')) io.write(`  ${note.label}: ${forTerminal(note.text.split('\n')[0] ?? '')}\n`);
  };
  const reason = async (question: string): Promise<string> => {
    for (;;) {
      const text = (await io.ask(question)).trim();
      if (text) return text;
    }
  };
  const skipReason = async () => (options.skipNeedsReason ? reason('  Reason for skipping (recorded): ') : 'no reason given');

  const decision = async (step: Step): Promise<ManualAnswer> => {
    header(step, 'decision');
    const given = options.decide.get(step.id);
    if (given) return { decision: given, note: 'given with --decide' };
    if (!options.interactive) {
      return { stop: `decision step ${step.id} needs a person to choose (${step.decision?.options.join(' / ')}): run it on a terminal without --yes, or pass --decide ${step.id}=CHOICE` };
    }
    const choices = step.decision?.choices.length ? step.decision.choices : (step.decision?.options ?? []).map((label) => ({ label, leadsTo: null }));
    choices.forEach((c, i) => {
      const to = sectionTitle(runbook, c.leadsTo);
      io.write(`  ${i + 1}) ${forTerminal(c.label)}${to ? `  → ${forTerminal(to)}` : ''}\n`);
    });
    for (;;) {
      const answer = (await io.ask(`  Choose 1-${choices.length} (or [s]kip / [q]uit): `)).trim();
      const lower = answer.toLowerCase();
      const byNumber = /^\d+$/.test(answer) ? choices[Number(answer) - 1] : undefined;
      const byLabel = choices.find((c) => c.label.toLowerCase() === lower);
      const chosen = byNumber ?? byLabel;
      if (chosen) return { decision: chosen.label };
      if (lower === 's' || lower === 'skip') return { skip: await skipReason() };
      if (lower === 'q' || lower === 'quit') return 'quit';
      io.write(`  ✗ "${forTerminal(answer)}" is none of the choices\n`);
    }
  };

  const byHand = async (step: Step): Promise<ManualAnswer> => {
    if (!options.interactive) return 'plan';
    const fields = step.fillIns.filter((f) => f.label !== '');
    header(step, fields.length > 0 ? 'input' : 'manual');
    const values: { label: string; value: string }[] = [];
    for (const field of fields) {
      for (;;) {
        const typed = await io.ask(`  ${forTerminal(field.label)} — ${fillInHint(field)}${field.required ? '' : ' (optional: Enter leaves it empty)'}: `);
        if (typed.trim() === '' && !field.required) break;
        const parsed = parseFillIn(field, typed);
        if (parsed.ok) {
          values.push({ label: field.label, value: parsed.value });
          break;
        }
        io.write(`    ✗ ${forTerminal(parsed.reason)}\n`);
      }
    }
    for (;;) {
      const answer = (await io.ask('  [d]one / [f]ailed / [s]kip / [q]uit: ')).trim().toLowerCase();
      if (answer === 'd' || answer === 'done') return { done: true, values };
      if (answer === 'f' || answer === 'failed') return { failed: await reason('  What went wrong (recorded): ') };
      if (answer === 's' || answer === 'skip') return { skip: await skipReason() };
      if (answer === 'q' || answer === 'quit') return 'quit';
    }
  };

  return (step) => (step.kind === 'decision' ? decision(step) : byHand(step));
}
