// What to show the operator for a failed call: the error's own message (the host's names the field).
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
