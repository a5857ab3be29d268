// The operator's name as an allowed_signers principal: no spaces, commas or quotes, no leading #, and none
// of the pattern characters (* ? !) that would let one line match other principals, nor control characters.
export function principalFor(operator: string): string {
  return operator.trim().replace(/[\s,"*?!\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]+/g, '-').replace(/^#/, '') || 'operator';
}
