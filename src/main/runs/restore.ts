// What a resumed console run shows as already done, read from its journal (each record through its schema):
// each step's status and reason, decision, mark, sign-off, fill-ins, what people did (the activity the step
// shows), and whether a skip was taken back; the blocks whose end was never recorded (the host died while
// they ran); the values the run started with or was given on steps, not secret (given back to the run: a
// secret never was journaled, so it is asked again). Read once, when the run is resumed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunStepState } from '../../shared/run-api.js';
import { JOURNAL_FILE, type JournalRecord, type TypedRecord, typedRecord } from '../audit/record.js';
import { MASK } from '../session/mask.js';
import { isOperatorSkip, operatorSkipWords } from '../session/runner.js';

export interface RestoredStep {
  status: RunStepState['status'];
  reason: string | null;
  decision: string | null;
  mark: 'pass' | 'fail' | null;
  signoff: RunStepState['signoff'];
  fillIns: Record<string, string>;
  activity: RunStepState['activity'];
  /** A skip (the operator's, or a decision's) was taken back: the decision no longer passes it over. */
  overridden: boolean;
}

export interface RestoredRun {
  started: Extract<TypedRecord, { type: 'run.started' }>;
  steps: Map<string, RestoredStep>;
  /** Blocks with a step.started and no step.finished: what they did is not known. */
  unfinished: { seq: number; step: string; block: string }[];
  /** Values the run started with (run.started), then given on steps (fillin records), not masked: by name or label. */
  given: Map<string, string>;
  /** Blocks the operator bound to another target (runs.bind), each as last recorded, in record order. */
  bindings: { record: number; step: string; block: string; target: string; kind: string; endpoint: string }[];
}

/** A target chosen for a block, as the step's activity says it (live and restored alike). */
export function boundText(binding: { block: string; target: string; endpoint: string }): string {
  return `chose target ${binding.target} (${binding.endpoint}) for block ${binding.block}`;
}

/** Reads the run's journal; a torn last line (the host died while writing it) is passed over, as resuming sets it aside. */
export function restoreRun(dir: string): RestoredRun {
  const text = readFileSync(path.join(dir, JOURNAL_FILE), 'utf8');
  const lines = text.split('\n');
  // Whole lines end with LF: what follows the last one is a torn tail.
  const whole = lines.slice(0, -1);
  const records = whole.map((line) => typedRecord(JSON.parse(line) as JournalRecord));
  const first = records[0];
  if (first?.type !== 'run.started') throw new Error(`${dir}: the journal does not begin with run.started`);
  const steps = new Map<string, RestoredStep>();
  const of = (id: string): RestoredStep => {
    let s = steps.get(id);
    if (!s) {
      s = { status: 'pending', reason: null, decision: null, mark: null, signoff: null, fillIns: {}, activity: [], overridden: false };
      steps.set(id, s);
    }
    return s;
  };
  const open = new Map<number, { seq: number; step: string; block: string }>();
  /** Each step's blocks as their latest runs ended: a step run again is as good as its latest run. */
  const blockOk = new Map<string, Map<string, boolean>>();
  // The values the run started with (format 2 journals them, never a secret's), then those given on steps.
  const given = new Map<string, string>(first.data.variables.flatMap((v) => (typeof v.value === 'string' && !v.secret ? [[v.name, v.value] as const] : [])));
  const bindings = new Map<string, RestoredRun['bindings'][number]>();
  for (const r of records) {
    const act = (step: string, kind: RunStepState['activity'][number]['kind'], by: string, text: string, reason: string | null = null) => of(step).activity.push({ record: r.seq, at: r.time, by, kind, text, reason });
    switch (r.type) {
      case 'step.started': {
        const s = of(r.data.step.id);
        if (s.status !== 'running') blockOk.set(r.data.step.id, new Map());
        s.status = 'running';
        open.set(r.seq, { seq: r.seq, step: r.data.step.id, block: r.data.block.id });
        break;
      }
      case 'step.finished': {
        if (r.data.started) open.delete(r.data.started.seq);
        const s = of(r.data.step.id);
        const blocks = blockOk.get(r.data.step.id) ?? new Map<string, boolean>();
        blocks.set(r.data.block.id, r.data.outcome.ok);
        blockOk.set(r.data.step.id, blocks);
        if (!r.data.outcome.ok) {
          s.status = r.data.outcome.status === 'cancelled' ? 'cancelled' : 'failed';
          s.reason = r.data.outcome.error ?? r.data.outcome.refusal ?? r.data.outcome.status;
        } else if ([...blocks.values()].every(Boolean)) {
          s.status = 'succeeded';
          s.reason = null;
        }
        break;
      }
      case 'step.skipped': {
        if (r.data.by === 'plan') break;
        const s = of(r.data.step.id);
        s.status = r.data.by === 'refused' ? r.data.status : 'skipped';
        s.reason = r.data.reason;
        // The operator's own skip (journals written before decision skips were typed recorded those as
        // `operator` too, with the decision's reason: not the operator's skip, and not shown as one).
        if (r.data.by === 'operator' && isOperatorSkip(r.data.reason)) act(r.data.step.id, 'skip', first.data.operator.name, 'skipped', operatorSkipWords(r.data.reason));
        break;
      }
      case 'step.note': {
        const d = r.data;
        const s = of(d.step.id);
        if ('mark' in d) {
          s.mark = d.mark;
          act(d.step.id, 'mark', d.by, d.mark === 'pass' ? 'marked passed' : 'marked failed', d.note);
        } else if ('change' in d) {
          act(d.step.id, 'change', d.by, d.change === 'skip' ? 'took back the skip' : `changed the ${d.change} from ${d.from} to ${d.to}`, d.reason);
          if (d.change === 'skip') {
            // A decision's skip taken back: the decision no longer passes the step over (the operator's own skip is simply undone).
            if (d.from !== 'skipped') s.overridden = true;
            s.status = 'pending';
            s.reason = null;
          }
        } else if ('binding' in d) {
          bindings.set(`${d.step.id}\0${d.binding.block}`, { record: r.seq, step: d.step.id, block: d.binding.block, target: d.binding.target, kind: d.binding.kind, endpoint: d.binding.endpoint });
          act(d.step.id, 'target', d.by, boundText(d.binding));
        } else if ('text' in d) act(d.step.id, 'note', d.by, d.text);
        break;
      }
      case 'decision':
        of(r.data.step.id).decision = r.data.decision;
        act(r.data.step.id, 'decision', r.data.by, `decided ${r.data.decision}`, r.data.note);
        break;
      case 'signoff':
        if (r.data.accepted) {
          of(r.data.step.id).signoff = { name: r.data.name, role: r.data.role, date: r.data.date, fingerprint: r.data.fingerprint };
          act(r.data.step.id, 'signoff', first.data.operator.name, `signed off as ${r.data.role}: ${r.data.name}, dated ${r.data.date} (key ${r.data.fingerprint})`);
        }
        break;
      case 'fillin':
        of(r.data.step.id).fillIns[r.data.label] = r.data.value;
        if (r.data.value !== MASK) given.set(r.data.label, r.data.value);
        act(r.data.step.id, 'fillin', first.data.operator.name, `${r.data.label}: ${r.data.value}`);
        break;
      default:
        break;
    }
  }
  // A block whose end was never recorded: its step failed, for all anyone can tell.
  for (const block of open.values()) {
    const s = of(block.step);
    s.status = 'failed';
    s.reason = `the host stopped while block ${block.block} ran (record ${block.seq}): no end was recorded`;
  }
  return { started: first, steps, unfinished: [...open.values()], given, bindings: [...bindings.values()].sort((a, b) => a.record - b.record) };
}
