// The operator's name as an allowed_signers principal: no spaces, commas or quotes, no leading #.
export function principalFor(operator: string): string {
  return operator.trim().replace(/[\s,"]+/g, '-').replace(/^#/, '') || 'operator';
}
