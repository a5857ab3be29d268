// A runbook the console refuses to read, naming where and why: FILE:LINE:COLUMN: error: message [code].
import type { Diagnostic, DiagnosticCode } from '../../shared/runbook-model.js';
import { type Place, formatDiagnostic } from './diagnostics.js';

export class RunbookError extends Error {
  readonly severity = 'error' as const;
  /** What the refusal is about; null only for files that are not runbooks (the targets file). */
  readonly code: DiagnosticCode | null;
  readonly file: string;
  readonly line: number;
  readonly column: number;

  constructor(code: DiagnosticCode, file: string, place: Place, message: string);
  /** Without a code: another file the runbook commands read (the targets file), printed FILE:LINE: message. */
  constructor(file: string, line: number, message: string);
  constructor(...args: [DiagnosticCode, string, Place, string] | [string, number, string]) {
    super(args.length === 4 ? args[3] : args[2]);
    this.name = 'RunbookError';
    if (args.length === 4) {
      this.code = args[0];
      this.file = args[1];
      this.line = Math.max(1, args[2].line);
      this.column = Math.max(1, args[2].column ?? 1);
    } else {
      this.code = null;
      this.file = args[0];
      this.line = Math.max(1, args[1]);
      this.column = 1;
    }
  }

  /** As a diagnostic, the model's shape (null for errors about files that are not runbooks). */
  toDiagnostic(): Diagnostic | null {
    if (this.code === null) return null;
    return { code: this.code, severity: this.severity, file: this.file, line: this.line, column: this.column, message: this.message };
  }

  /** The form editors and CI logs understand. */
  override toString(): string {
    if (this.code === null) return `${this.file}:${this.line}: ${this.message}`;
    return formatDiagnostic({ ...this, code: this.code, message: this.message });
  }
}
