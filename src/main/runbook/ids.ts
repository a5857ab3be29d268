// Stable identifiers: slugs of the section path and title, made unique in document order.

const MAX_SEGMENT = 48;

export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  if (s.length <= MAX_SEGMENT) return s;
  const cut = s.slice(0, MAX_SEGMENT);
  const lastDash = cut.lastIndexOf('-');
  return (lastDash > MAX_SEGMENT / 2 ? cut.slice(0, lastDash) : cut).replace(/-+$/, '');
}

/** Hands out ids, suffixing -2, -3 … to repeats so that each id is unique. */
export class IdAllocator {
  private readonly seen = new Map<string, number>();

  take(base: string): string {
    const wanted = base || 'untitled';
    let n = this.seen.get(wanted) ?? 0;
    let id = n === 0 ? wanted : `${wanted}-${n + 1}`;
    while (n > 0 && this.seen.has(id)) id = `${wanted}-${++n + 1}`;
    this.seen.set(wanted, n + 1);
    if (id !== wanted) this.seen.set(id, 1);
    return id;
  }
}
