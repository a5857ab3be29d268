// An answer from the host as the page reads it: only its envelope. The host checked the answer against the
// API contract before sending it (api/dispatch.ts), so the page does not load zod to check it again.
import type { ApiResponse } from '../../shared/api.js';

/** An answer's envelope ({ id, ok, result | error }), or null for anything else (which is dropped). */
export function envelope(data: string): ApiResponse | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const answer = value as { id?: unknown; ok?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } | null };
  if (typeof answer.id !== 'number' || !Number.isInteger(answer.id)) return null;
  if (answer.ok === true) return { id: answer.id, ok: true, result: answer.result };
  const error = answer.error;
  if (answer.ok === false && typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.message === 'string') {
    return { id: answer.id, ok: false, error: { code: error.code, message: error.message } };
  }
  return null;
}
