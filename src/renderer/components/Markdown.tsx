// A step body's markdown as React elements. Every piece is a text node (see lib/markdown.ts): no HTML is
// parsed and no link navigates, so a runbook cannot put markup or scripts into the console.
import type { ReactNode } from 'react';
import { type MdInline, parseMarkdown } from '../lib/markdown.js';

function inline(tokens: MdInline[]): ReactNode[] {
  return tokens.map((t, i) => {
    switch (t.kind) {
      case 'text':
        return t.text;
      case 'code':
        return <code key={i}>{t.text}</code>;
      case 'strong':
        return <strong key={i}>{t.text}</strong>;
      case 'em':
        return <em key={i}>{t.text}</em>;
      case 'link':
        return (
          <span key={i} className="md-link" title={t.url}>
            {t.text} <span className="md-url">({t.url})</span>
          </span>
        );
    }
  });
}

export function Markdown({ text, className }: { text: string; className?: string }) {
  if (!text.trim()) return null;
  return (
    <div className={`markdown ${className ?? ''}`}>
      {parseMarkdown(text).map((b, i) => {
        switch (b.kind) {
          case 'h':
            return (
              <p key={i} className="md-heading">
                {inline(b.inline)}
              </p>
            );
          case 'ul':
          case 'ol': {
            const List = b.kind;
            return (
              <List key={i}>
                {b.items.map((item, j) => (
                  <li key={j}>{inline(item)}</li>
                ))}
              </List>
            );
          }
          case 'quote':
            return <blockquote key={i}>{inline(b.inline)}</blockquote>;
          case 'pre':
            return (
              <pre key={i} className="md-table" tabIndex={0} role="group" aria-label="Table">
                {b.text}
              </pre>
            );
          case 'p':
            return <p key={i}>{inline(b.inline)}</p>;
        }
      })}
    </div>
  );
}
