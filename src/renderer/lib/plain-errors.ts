// A failed call in plain words: what went wrong, a short code to quote, and the raw text kept for a click.
// The host's messages name fields and paths (`runs.skip: reason: a skip needs a reason`, `ENOENT: no such
// file or directory, open '/x'`); the operator at 3 a.m. reads the plain line first.
export interface PlainError {
  /** One sentence in plain words. */
  text: string;
  /** A short code: the host's (invalid-input, internal…), a system error's (ENOENT…), else "error". */
  code: string;
  /** The message as the host sent it. */
  raw: string;
}

const SYSTEM: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Not permitted',
  EEXIST: 'Already exists',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ENOSPC: 'The disk is full',
  ECONNREFUSED: 'The connection was refused',
  ETIMEDOUT: 'The connection timed out',
  EHOSTUNREACH: 'The host cannot be reached',
};

const sentence = (text: string): string => {
  const t = text.trim();
  if (!t) return t;
  return `${t[0]?.toUpperCase()}${t.slice(1)}${/[.!?…]$/.test(t) ? '' : '.'}`;
};

// Electron's IPC wraps a handler's error: "Error invoking remote method 'CHANNEL': Error: …" (and drops its code).
const IPC_WRAPPER = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

export function plainError(raw: string, hostCode: string | null = null): PlainError {
  const message = raw.replace(IPC_WRAPPER, '');
  const system = /\b(E[A-Z]{3,})\b:?\s*([^,]*)(?:,\s*\w+\s+'([^']*)')?/.exec(message);
  if (system?.[1] && SYSTEM[system[1]]) {
    const where = system[3] ? `: ${system[3]}` : '';
    return { text: `${SYSTEM[system[1]]}${where}.`, code: system[1], raw };
  }
  // A refused input names the method and the field path (zod): keep only what was wrong, per field.
  const call = /^([a-z]+\.[a-zA-Z]+): (.*)$/s.exec(message);
  if (call?.[2] !== undefined && (hostCode === 'invalid-input' || hostCode === null)) {
    const parts = call[2].split('; ').map((part) => {
      const field = /^[\w.]+: (.*)$/s.exec(part);
      return sentence(field?.[1] ?? part);
    });
    return { text: parts.join(' '), code: hostCode ?? 'invalid-input', raw };
  }
  return { text: sentence(message), code: hostCode ?? 'error', raw };
}
