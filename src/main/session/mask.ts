// Masks secret values in streamed text. A secret split across two chunks is still caught: each stream
// holds back only a tail that could be the start of a secret, until the next chunk or the end.
export const MASK = '••••••';

export class SecretMasker {
  private readonly secrets: string[];
  private readonly holdBack: number;
  private readonly pending = new Map<string, string>();

  constructor(secrets: Iterable<string>) {
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set([...secrets].filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
    this.holdBack = this.secrets.reduce((n, s) => Math.max(n, s.length - 1), 0);
  }

  get active(): boolean {
    return this.secrets.length > 0;
  }

  /** Masks a whole text at once (results, errors, notes). */
  mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(MASK);
    return out;
  }

  /** Masks the next chunk of a stream; returns what can be released now. */
  push(stream: string, data: string): string {
    if (!this.active) return data;
    const text = (this.pending.get(stream) ?? '') + data;
    const masked = this.mask(text);
    const keep = this.possibleSecretStart(masked);
    this.pending.set(stream, masked.slice(masked.length - keep));
    return masked.slice(0, masked.length - keep);
  }

  /** Length of the longest tail of `text` that some secret begins with. */
  private possibleSecretStart(text: string): number {
    for (let k = Math.min(this.holdBack, text.length); k > 0; k--) {
      const tail = text.slice(text.length - k);
      if (this.secrets.some((s) => s.startsWith(tail))) return k;
    }
    return 0;
  }

  /** Releases what a stream still holds back, at its end. */
  flush(stream: string): string {
    const rest = this.pending.get(stream) ?? '';
    this.pending.delete(stream);
    return this.mask(rest);
  }
}
