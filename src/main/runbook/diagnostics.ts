// Diagnostics: what the parser has to say about a runbook, each with a code, a place and a message, like a
// compiler's (VFileMessage's) messages. Refusals are thrown as RunbookError (errors.ts); problems the parser
// lives with go into the model's `warnings`. The codes are listed in src/shared/runbook-model.ts and
// documented in docs/runbook-model.md.
import type { Diagnostic, DiagnosticCode } from '../../shared/runbook-model.js';

export type { Diagnostic, DiagnosticCode };

/** Which codes are errors when the parser lives with them: the author wrote something that is not read. */
const ERRORS: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>([
  'front-matter-misplaced',
  'front-matter-fence',
  'front-matter-unclosed',
  'front-matter-toml',
  'front-matter-key-near-miss',
  'fence-attributes',
]);

export function severityOf(code: DiagnosticCode): 'error' | 'warning' {
  return ERRORS.has(code) ? 'error' : 'warning';
}

export interface Place {
  line: number;
  column?: number;
}

export function diagnostic(code: DiagnosticCode, file: string, place: Place, message: string): Diagnostic {
  return { code, severity: severityOf(code), file, line: Math.max(1, place.line), column: Math.max(1, place.column ?? 1), message };
}

/** The form editors and CI logs understand: FILE:LINE:COLUMN: severity: message [code]. */
export function formatDiagnostic(d: Pick<Diagnostic, 'file' | 'line' | 'column' | 'severity' | 'message' | 'code'>): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]`;
}

/** Line and column (1-based) of an offset in a text. */
export function placeOf(text: string, offset: number): Required<Place> {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Collects a runbook's diagnostics in order. */
export class Diagnostics {
  private readonly list: Diagnostic[] = [];

  constructor(readonly file: string) {}

  add(code: DiagnosticCode, place: Place, message: string): void {
    this.list.push(diagnostic(code, this.file, place, message));
  }

  /** A collector that starts with these diagnostics (for a second reading of the same text). */
  copy(): Diagnostics {
    const other = new Diagnostics(this.file);
    other.list.push(...this.list);
    return other;
  }

  /** Sorted by place (stable: same place, order of report). */
  all(): Diagnostic[] {
    return [...this.list].sort((a, b) => a.line - b.line || a.column - b.column);
  }
}
