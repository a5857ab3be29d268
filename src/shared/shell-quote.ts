// Quoting for shell command text: values written into a command that someone else copies and runs (an
// auditor's `ssh-keygen -Y verify -I PRINCIPAL`, an approver's signing command) or that a script runs.
// Pure (no Node): the CLI, src/main and the renderer share the one implementation.

/** Words that mean the same quoted or not in every POSIX shell (as Python's shlex.quote): left bare. */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Characters a terminal or text view would obey or hide (C0 and C1 controls, DEL, bidi marks, embeddings,
 * overrides and isolates): spelled as `$'\xHH'` bytes, so the command text itself holds none of them.
 */
const CONTROL_RUN = /([\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]+)/;

/** POSIX single quoting, always: everything literal, each `'` written as `'\''`. For scripts a shell runs. */
export function shellSingleQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * One POSIX shell word: bare when that is unambiguous, else single-quoted. No `$'…'`, so readers that know
 * only POSIX quoting (the shell-quote package) read it back exactly; for text shown to people, shellQuote.
 */
export function posixShellWord(value: string): string {
  return BARE.test(value) ? value : shellSingleQuote(value);
}

/** A control run as `$'\xHH…'` over its UTF-8 bytes: locale-independent, unlike `\u`. */
function dollarQuote(run: string): string {
  const hex = [...new TextEncoder().encode(run)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
  return `$'${hex}'`;
}

/**
 * One shell word for command text shown to people: bare when that is unambiguous, else POSIX single
 * quotes (`'` as `'\''`), so quotes, `;`, `$`, backticks, spaces and non-ASCII stay literal. Control and
 * bidi characters are written as `$'\xHH'` (bash, zsh, ksh, POSIX.1-2024 sh), so the line stays one line,
 * shows no invisible text and still passes the exact value. The empty string is `''`.
 */
export function shellQuote(value: string): string {
  if (!CONTROL_RUN.test(value)) return posixShellWord(value);
  return value
    .split(CONTROL_RUN)
    .map((part, i) => (part === '' ? '' : i % 2 === 1 ? dollarQuote(part) : shellSingleQuote(part)))
    .join('');
}
