// What to show the operator for a failed call: the error's own message (the host's names the field), and the
// API's error code when the host gave one (plain-errors.ts turns both into plain words).
export class HostCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HostCallError';
  }
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The host's error code (`invalid-input`, `internal`, …), or null when the error did not come with one. */
export const errorCode = (error: unknown): string | null => (error instanceof HostCallError ? error.code : null);
