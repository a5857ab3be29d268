// The record-data check of `runbook verify`: the journal is in a format this verifier reads (its first
// record is a run.started naming it: E_FORMAT), and every record's data fits its type's schema in that
// format (records/index.ts: E_RECORD_DATA, naming the record, its type and the field). It comes after the
// record-level checks (a record changed without the MAC key is E_MAC, whatever it holds) and before
// everything that reads what records say — seals, approvals, sign-offs, blobs, the report — so those read
// records through their schemas and never guess at a shape.
//
// A record after the final seal (a checkpoint right after run.finished) is not part of the sealed run: if
// its data does not fit either, the failure to report is that it is there at all (E_AFTER_SEAL).
import { type JournalRecord, type TypedRecord, typedRecord } from './record.js';
import { RecordDataError, formatProblem, laterFormat } from './records/index.js';
import { failure } from './verify-phases.js';

export class RecordDataChecker {
  private previousType: string | null = null;
  private finalSeal: number | null = null;
  /** The format record 0 names (a later format's records are refused in an earlier one's journal). */
  private format = '';

  /**
   * Record `i` read through its schema (the same object); throws the VerifyFailure to report. `parsed` is the
   * line as parsed, when the envelope check made `record` a copy of it: the copy leaves out a "__proto__" key,
   * which is a field the format does not define all the same.
   */
  record(i: number, record: JournalRecord, parsed: unknown = record): TypedRecord {
    const at = { record: i, line: i + 1 };
    const sealedAt = this.finalSeal;
    if (record.type === 'checkpoint' && this.previousType === 'run.finished' && sealedAt === null) this.finalSeal = i;
    this.previousType = record.type;
    if (i === 0) {
      const problem = formatProblem(record);
      if (problem) throw failure('E_FORMAT', `record 0: ${problem}`, at);
      this.format = String(record.data.format);
    }
    try {
      const typed = typedRecord(parsed === record ? record : { ...record, data: (parsed as { data: Record<string, unknown> }).data });
      const later = laterFormat(this.format, record.type, record.data);
      if (later) throw failure('E_RECORD_DATA', `record ${i} (${record.type}): ${later}, and the journal is in ${this.format}`, at);
      return typed;
    } catch (error) {
      if (!(error instanceof RecordDataError)) throw error;
      if (sealedAt !== null) throw failure('E_AFTER_SEAL', `record ${i} (${record.type}) follows the final seal (record ${sealedAt})`, at);
      throw failure('E_RECORD_DATA', `record ${i} (${record.type}): ${error.issue.path}: ${error.issue.message}`, at);
    }
  }
}
