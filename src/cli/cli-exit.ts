// How a command ends with a given exit status and message (never a stack trace).
/** Exit codes: 0 success, 1 a step failed or the input is bad, 2 usage error or refused to start, 130 interrupted. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
