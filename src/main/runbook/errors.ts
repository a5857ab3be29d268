// A runbook problem that names where it is: FILE:LINE: message.

export class RunbookError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'RunbookError';
  }

  /** The form editors and CI logs understand: path:line: message. */
  override toString(): string {
    return `${this.file}:${this.line}: ${this.message}`;
  }
}
