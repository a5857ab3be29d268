// Property tests: arbitrary markdown never throws anything but a RunbookError, and every code block
// lands in exactly one step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunbookError, parseRunbook } from '../../src/main/runbook/index.js';
import { RunbookSchema } from '../../src/shared/runbook-model.js';

const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _$<>{}()*.:-]{0,20}$/);
const lang = fc.constantFrom('', 'bash', 'sh', 'sql', 'yaml', 'promql', 'python', 'console', 'bash {"name":"x"}', 'sql {bad');
const fence = fc.constantFrom('```', '~~~', '````');
const indent = fc.constantFrom('', '  ', '   ', '    ', '\t');
const codeBlock = fc.tuple(indent, fence, lang, fc.array(word, { maxLength: 3 })).map(
  ([i, f, l, lines]) => [`${i}${f}${l}`, ...lines.map((x) => `${i}${x}`), `${i}${f}`].join('\n'),
);
const line = fc.oneof(
  word,
  word.map((w) => `#`.repeat(1 + (w.length % 6)) + ` ${w}`),
  word.map((w) => `- [ ] ${w}`),
  word.map((w) => `  - [x] ${w}`),
  word.map((w) => `1. ${w}`),
  word.map((w) => `**${w}**`),
  word.map((w) => `| ${w} | Name | Date |\n|---|---|---|\n| a | | |`),
  word.map((w) => `${w}: ______ Date: ____`),
  fc.constant('GO / NO-GO'),
  fc.constant('🟡 REGULATED+ ðŸ”´'),
  fc.constant('---'),
  fc.constant('> quoted'),
  fc.constant('<details>'),
  codeBlock,
);
const markdown = fc.array(line, { maxLength: 25 }).chain((lines) =>
  fc.constantFrom('\n', '\r\n', '\n\n').map((sep) => lines.join(sep)),
);

function codeCount(rb: ReturnType<typeof parseRunbook>): number {
  return rb.steps.reduce((n, s) => n + s.blocks.length, 0);
}

describe('parser properties', () => {
  it('never throws on arbitrary markdown-like text, and the model always matches its schema', () => {
    fc.assert(
      fc.property(markdown, (text) => {
        try {
          RunbookSchema.parse(parseRunbook(text));
        } catch (error) {
          if (!(error instanceof RunbookError)) throw error;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        try {
          parseRunbook(text);
        } catch (error) {
          if (!(error instanceof RunbookError)) throw error;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('places every code block in exactly one step, with unique ids', async () => {
    // remark in one piece (remark-frontmatter only before a closed front matter: an unclosed one would turn
    // every list of the document into text, micromark/micromark-extension-frontmatter#5).
    const { parseWholeMarkdown } = await import('../../src/main/runbook/markdown-chunks.js');
    const processor = { parse: parseWholeMarkdown };
    const countCode = (node: { type: string; children?: unknown[] }): number =>
      (node.type === 'code' ? 1 : 0) + ((node.children ?? []) as { type: string }[]).reduce((n, c) => n + countCode(c), 0);
    fc.assert(
      fc.property(markdown, (text) => {
        let rb;
        try {
          rb = parseRunbook(text);
        } catch (error) {
          if (error instanceof RunbookError) return;
          throw error;
        }
        const normalised = text.replace(/\r\n?/g, '\n');
        expect(codeCount(rb)).toBe(countCode(processor.parse(normalised)));
        const blockIds = rb.steps.flatMap((s) => s.blocks.map((b) => b.id));
        expect(new Set(blockIds).size).toBe(blockIds.length);
        expect(new Set(rb.steps.map((s) => s.id)).size).toBe(rb.steps.length);
      }),
      { numRuns: 300 },
    );
  });
});
