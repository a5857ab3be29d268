// The chunked parse (markdown-chunks.ts) against remark in one piece: the same syntax tree, positions
// included, and the same runbook model, on the project's runbooks and fixtures, the shared seeds and corpus,
// and texts written to break the cuts (fences and HTML blocks over blank lines, lists split between
// chunks, references defined far away, …).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { MarkdownChunks, parseChunkedMarkdown, parseWholeMarkdown } from '../../src/main/runbook/markdown-chunks.js';
import { REPO_ROOT, markdownFiles, sharedDir } from '../support/shared.js';

const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
const normalise = (text: string) => text.replace(/\r\n?/g, '\n');

function sameTree(text: string, target: number): void {
  expect(plain(parseChunkedMarkdown(text, target))).toEqual(plain(parseWholeMarkdown(text).children));
}

function sameModel(text: string, chunkChars?: number): void {
  const options = { file: 'x.md', ...(chunkChars ? { chunkChars } : {}) };
  const chunked = parseRunbook(text, options);
  const whole = parseRunbook(text, { file: 'x.md', wholeDocument: true });
  expect(plain(chunked)).toEqual(plain(whole));
}

function mdFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...mdFilesUnder(full));
    else if (entry.endsWith('.md')) out.push(full);
  }
  return out.sort();
}

const own = [...mdFilesUnder(path.join(REPO_ROOT, 'runbooks')), ...mdFilesUnder(path.join(REPO_ROOT, 'test'))];
const corpus = sharedDir('corpus');
const seeds = sharedDir('seeds');
const shared = [...(corpus ? markdownFiles(corpus) : []), ...(seeds ? markdownFiles(seeds) : [])];

describe('chunked parse equals the parse in one piece', () => {
  it('finds files to check (a positive control: the project ships runbooks and fixtures)', () => {
    expect(own.length).toBeGreaterThan(3);
  });

  it.each(own.map((f) => [path.relative(REPO_ROOT, f), f]))('%s: same tree at every cut, same model', (_name, file) => {
    const text = normalise(readFileSync(file, 'utf8'));
    for (const target of [1, 97, 4096]) sameTree(text, target);
    sameModel(text, 1);
    sameModel(text);
  });

  describe.skipIf(shared.length === 0)('shared seeds and corpus', () => {
    it.each(shared.map((f) => [path.basename(f), f]))('%s: same tree at every cut, same model', (_name, file) => {
      const text = normalise(readFileSync(file, 'utf8'));
      for (const target of [1, 4096]) sameTree(text, target);
      sameModel(text, 1);
    });
  });
});

/** Texts written to break cuts, each with steps so that the model has something to lose. */
const ADVERSARIAL: Record<string, string> = {
  'fence holding a blank line and a column-0 "#" line': '# T\n\n- [ ] a\n\n```bash\necho a\n\n# a comment, not a heading\necho b\n```\n\n- [ ] b\n',
  'unclosed fence to the end': '# T\n\n- [ ] a\n\n```bash\necho a\n\n# comment\n\n- [ ] not a step\n',
  'unclosed fence in a list item, closed by the next item': '# T\n\n- [ ] a\n  ```bash\n  echo a\n\n- [ ] b\n  ```\n  echo b\n\nX\n',
  'html comment over blank lines': '# T\n\n<!-- hidden\n\n## Not a section\n\n- [ ] not a step\n\n-->\n\n## Real\n\n- [ ] a step\n',
  'script block over blank lines': '# T\n\n<script>\nlet a = 1;\n\n- [ ] no\n</script>\n\n- [ ] yes\n',
  'html block (kind 6) then items without a blank line': '# T\n\n<div>\n- [ ] inside html\n- [ ] still html\n\n- [ ] a step\n',
  'references defined far below': `# T\n\n- [ ] Read [the guide] and [the notes][n] and [^1]\n\n${'Filler paragraph.\n\n'.repeat(30)}[the guide]: https://example.org/g\n[n]: https://example.org/n\n\n[^1]: a footnote\n`,
  'a bracketed word that only looks like a reference': '# T\n\n- [ ] Set [x] now\n\n```\n[x]: not a definition (inside code)\n```\n',
  'loose and tight lists split across chunks': '# T\n\n- [ ] a\n- [ ] b\n\n- [ ] c\n- [ ] d\n\n\n- [ ] e\n\nprose\n\n- [ ] f\n',
  'ordered lists with start numbers': '# T\n\n3. first\n   ```bash\n   one\n   ```\n4. second\n\n7. third\n\n1) other list\n2) more\n',
  'lists changing bullet char': '# T\n\n- [ ] a\n- [ ] b\n* [ ] c\n* [ ] d\n\n+ [ ] e\n\n- [ ] f\n',
  'CRLF line endings': '# T\r\n\r\n- [ ] a\r\n  ```bash\r\n  echo a\r\n  ```\r\n\r\n- [ ] b\r\n',
  'tabs': '# T\n\n- [ ] a\n\t```bash\n\techo tab\n\t```\n\n\t- [ ] nested\n- [ ] b\n',
  'block quotes with fences': '# T\n\n> ```bash\n> echo a\n\n> echo b\n> ```\n\n- [ ] a\n> ```\n- [ ] b\n',
  'setext headings': 'Title\n=====\n\nSection\n-------\n\n- [ ] a\n\nAnother\n---\n\n- [ ] b\n',
  'tables': '# T\n\n| Role | Name | Date |\n|---|---|---|\n| Lead | | |\n- [ ] after the table\n\n## Sign-off\n\n| Role | Name | Date |\n|---|---|---|\n| Owner | | |\n',
  'a lazy line that looks like an ordered item': '# T\n\n- [ ] released in\n2023. then more text\n- [ ] next\n',
  'front matter, then one that is not': '---\ntitle: T\nprofile: regulated\n---\n---\nb: c\n---\n\n- [ ] a\n',
  'unclosed front matter does not turn lists into text': '---\ntitle: x\n\n# T\n\n- [ ] step 1\n- [ ] step 2\n',
};

describe('texts written to break the cuts', () => {
  it.each(Object.entries(ADVERSARIAL))('%s', (_name, raw) => {
    const text = normalise(raw);
    for (const target of [1, 3, 10, 50, 4096]) sameTree(text, target);
    sameModel(raw, 1);
    sameModel(raw, 20);
  });

  it('keeps what the cuts would break (positive controls on the model)', () => {
    const fence = parseRunbook(normalise(ADVERSARIAL['fence holding a blank line and a column-0 "#" line'] as string), { chunkChars: 1 });
    expect(fence.sections.flatMap((s) => s.sections).map((s) => s.title)).toEqual([]);
    expect(fence.steps.flatMap((s) => s.blocks).map((b) => b.code)).toEqual(['echo a\n\n# a comment, not a heading\necho b']);
    const refs = parseRunbook(ADVERSARIAL['references defined far below'] as string, { chunkChars: 1 });
    expect(refs.steps[0]?.title).toBe('Read the guide and the notes and');
    const bracket = parseRunbook(ADVERSARIAL['a bracketed word that only looks like a reference'] as string, { chunkChars: 1 });
    expect(bracket.steps[0]?.title).toBe('Set [x] now');
    const unclosed = parseRunbook(ADVERSARIAL['unclosed front matter does not turn lists into text'] as string, { chunkChars: 1 });
    expect(unclosed.steps.map((s) => s.title)).toEqual(['step 1', 'step 2']);
  });

  it('a guessed definition that is not one is read again (second pass), giving the parse in one piece', () => {
    // "[x]:" inside a fence looks like a definition to the scan; the chunk that mentions [x] is far above.
    const text = `# T\n\n- [ ] Use [x] here\n\n${'Filler.\n\n'.repeat(20)}\`\`\`\n[x]: inside code\n\`\`\`\n`;
    const chunks = new MarkdownChunks(text, undefined, 1);
    while (chunks.next() !== null);
    expect(chunks.needsSecondPass).toBe(true);
    sameTree(text, 1);
    expect(parseRunbook(text, { chunkChars: 1 }).steps[0]?.title).toBe('Use [x] here');
  });
});

const LINES = [
  '- [ ] task', '- item', '* star', '+ plus', '1. one', '2. two', '3) paren', '  - nested', '  ```bash', '  echo x', '  ```',
  '```', '~~~', '# comment', '## Heading', 'Para text [ref] [^n]', '[ref]: /url', '[^n]: note', '<!--', '-->', '<div>',
  '</div>', '<script>', '</script>', '> quote', '> ```', '', '', '', '    indented', '\tindent tab', '| a | b |', '|---|---|',
  '---', '***', '===', 'Setext', '   ```', '````', '- - -', '-', '1.', '10. ten', 'lazy line', '<?php', '?>', '<!DOCTYPE x',
  '>', '<![CDATA[', ']]>', '+++', 'title: x',
];

describe('random markdown-like texts', () => {
  it('give the same tree chunked at every line as in one piece, and the same model', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...LINES), { maxLength: 40 }), fc.boolean(), (lines, newline) => {
        const text = lines.join('\n') + (newline ? '\n' : '');
        sameTree(text, 1);
        sameTree(text, 30);
        sameModel(text, 1);
      }),
      { numRuns: 400 },
    );
  });
});
