// The journal's record vocabulary, defined once: each record type's `data` as a zod schema, the codes it
// uses (codes.ts) and the format version (format.ts). Writers are typed by it (JournalWriter.append takes
// RecordData<T> for type T, and checks the data again before anything is written); readers — the verifier,
// the report, recovery — read records through it instead of casting. docs/audit.md, "Records", is the
// normative description of the same format; test/audit/record-vocabulary.test.ts keeps the two in step.
//
// Unknown fields are refused, at every level (z.strictObject), by writers and readers alike. A conforming
// writer never writes one (its data is typed by these schemas), so a field the format does not define was
// put there by something else; and a field no reader checks and no report shows is still read by whoever
// opens the journal with jq, where `"approved_by":"cfo"` would pass for a fact. The journal says what the
// format defines and nothing more. A writer that needs a new field writes a new format (format.ts), and a
// reader of the old one then says it cannot read the journal rather than skip what it does not understand.
//
// No schema transforms or defaults a value: what parses is exactly what was read, so a reader keeps the
// object it parsed (its key order included: the report shows fields in the order recorded).
import type { z } from 'zod';
import { ExportSchema, VerifySchema } from './access.js';
import { type DataIssue, firstIssue, issueMessages } from './issues.js';
import { CheckpointSchema, ErrorSchema, LogRecoveredSchema } from './log.js';
import { DecisionSchema, FillinSchema, TimerSchema, TrustSchema } from './operator.js';
import { RunEndedEarlySchema, RunFinishedSchema, RunInterruptedSchema, RunResumedSchema, RunStartedSchema } from './run.js';
import { ApprovalSchema, SignoffSchema } from './signatures.js';
import { StepFinishedSchema, StepNoteSchema, StepSkippedSchema, StepStartedSchema } from './step.js';
import { RECORD_TYPES, type RecordType } from './types.js';

export { RECORD_TYPES, type RecordType };
export type { DataIssue };
export { JOURNAL_FORMAT, KNOWN_FORMATS, formatProblem, laterFormat } from './format.js';

export const RECORD_SCHEMAS = {
  'run.started': RunStartedSchema,
  'run.interrupted': RunInterruptedSchema,
  'run.finished': RunFinishedSchema,
  'run.ended-early': RunEndedEarlySchema,
  'run.resumed': RunResumedSchema,
  'step.started': StepStartedSchema,
  'step.finished': StepFinishedSchema,
  'step.skipped': StepSkippedSchema,
  'step.note': StepNoteSchema,
  fillin: FillinSchema,
  decision: DecisionSchema,
  trust: TrustSchema,
  timer: TimerSchema,
  approval: ApprovalSchema,
  signoff: SignoffSchema,
  checkpoint: CheckpointSchema,
  'log.recovered': LogRecoveredSchema,
  error: ErrorSchema,
  export: ExportSchema,
  verify: VerifySchema,
} as const satisfies Record<RecordType, z.ZodType>;

/** What a record of type T holds in `data`: what a writer gives and what a reader gets (no schema transforms). */
export type RecordData<T extends RecordType> = z.infer<(typeof RECORD_SCHEMAS)[T]>;

const TYPES = new Set<string>(RECORD_TYPES);

export function isRecordType(type: string): type is RecordType {
  return TYPES.has(type);
}

/** Data that does not fit its record type's schema (a writer refuses it before anything is written). */
export class RecordDataError extends Error {
  constructor(
    readonly type: string,
    readonly issue: DataIssue,
  ) {
    super(`a ${type} record cannot hold this: ${issue.path}: ${issue.message}`);
  }
}

/** Why `data` does not fit type's schema (the first field that does not), or null when it fits. */
export function dataIssue(type: RecordType, data: unknown): DataIssue | null {
  const schema = RECORD_SCHEMAS[type];
  // A verifier checks every record: the plain parse is the fast one; the messages are worded only for a failure.
  if (schema.safeParse(data).success) return null;
  const result = schema.safeParse(data, { error: issueMessages });
  return result.success ? null : firstIssue(result.error.issues);
}

/** `data` as type T's data when it fits T's schema (the same object), else null: for a reader that is not the one to say why. */
export function recordDataOrNull<T extends RecordType>(type: T, data: unknown): RecordData<T> | null {
  return dataIssue(type, data) === null ? (data as RecordData<T>) : null;
}

/** `data` as type T's data, checked against its schema (the same object: nothing is copied); throws RecordDataError. */
export function parseRecordData<T extends RecordType>(type: T, data: unknown): RecordData<T> {
  const issue = dataIssue(type, data);
  if (issue) throw new RecordDataError(type, issue);
  return data as RecordData<T>;
}
