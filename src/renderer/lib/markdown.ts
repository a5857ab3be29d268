// A tiny markdown reader for step bodies: paragraphs, lists, quotes, headings, tables kept as text, and
// inline `code`, **strong**, *emphasis* and [links](url). It yields plain tokens, never HTML: whatever a
// runbook says ends up as text nodes.

export type MdInline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong'; text: string }
  | { kind: 'em'; text: string }
  | { kind: 'link'; text: string; url: string };

export type MdBlock =
  | { kind: 'p' | 'quote'; inline: MdInline[] }
  | { kind: 'h'; inline: MdInline[] }
  | { kind: 'ul' | 'ol'; items: MdInline[][] }
  | { kind: 'pre'; text: string };

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|\b_([^_\s][^_]*)_\b|\[([^\]]+)\]\(([^)\s]+)\)/g;
const LIST_ITEM = /^\s*(?:([-*+])|\d+[.)])\s+(.*)$/;
const HEADING = /^#{1,6}\s+(.*)$/;

export function parseInline(text: string): MdInline[] {
  const out: MdInline[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push({ kind: 'text', text: text.slice(last, m.index) });
    if (m[1] !== undefined) out.push({ kind: 'code', text: m[1] });
    else if (m[2] !== undefined || m[3] !== undefined) out.push({ kind: 'strong', text: m[2] ?? m[3] ?? '' });
    else if (m[4] !== undefined || m[5] !== undefined) out.push({ kind: 'em', text: m[4] ?? m[5] ?? '' });
    else out.push({ kind: 'link', text: m[6] ?? '', url: m[7] ?? '' });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

type Draft = { kind: 'p' | 'quote' | 'pre'; lines: string[] } | { kind: 'ul' | 'ol'; items: string[] } | { kind: 'h'; text: string };

export function parseMarkdown(text: string): MdBlock[] {
  const drafts: Draft[] = [];
  let blank = true;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!line.trim()) {
      blank = true;
      continue;
    }
    const last = drafts.at(-1);
    const item = LIST_ITEM.exec(line);
    const heading = HEADING.exec(line);
    const kind = line.startsWith('>') ? 'quote' : line.trimStart().startsWith('|') ? 'pre' : null;
    if (heading) drafts.push({ kind: 'h', text: heading[1] ?? '' });
    else if (item) {
      const list = item[1] ? 'ul' : 'ol';
      if (last?.kind === list) last.items.push(item[2] ?? '');
      else drafts.push({ kind: list, items: [item[2] ?? ''] });
    } else if (kind) {
      const content = kind === 'quote' ? line.replace(/^>\s?/, '') : line;
      if (last?.kind === kind) last.lines.push(content);
      else drafts.push({ kind, lines: [content] });
    } else if (!blank && (last?.kind === 'p' || last?.kind === 'quote')) last.lines.push(line);
    else if (!blank && (last?.kind === 'ul' || last?.kind === 'ol')) last.items[last.items.length - 1] += ` ${line.trim()}`;
    else drafts.push({ kind: 'p', lines: [line] });
    blank = false;
  }
  return drafts.map((d): MdBlock => {
    switch (d.kind) {
      case 'h':
        return { kind: 'h', inline: parseInline(d.text) };
      case 'ul':
      case 'ol':
        return { kind: d.kind, items: d.items.map(parseInline) };
      case 'pre':
        return { kind: 'pre', text: d.lines.join('\n') };
      default:
        return { kind: d.kind, inline: parseInline(d.lines.join('\n')) };
    }
  });
}
