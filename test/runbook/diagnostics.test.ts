// Errors you can act on: every diagnostic has a code, a severity, FILE:LINE:COLUMN and a message; front
// matter that is almost front matter is reported and the body after it still parses.
import { describe, expect, it } from 'vitest';
import { RunbookError, parseRunbook } from '../../src/main/runbook/index.js';
import { DiagnosticSchema, RunbookSchema } from '../../src/shared/runbook-model.js';

const md = (lines: string[]) => `${lines.join('\n')}\n`;
const parse = (lines: string[]) => {
  const rb = parseRunbook(md(lines), { file: 'fm.md' });
  RunbookSchema.parse(rb);
  return rb;
};
const codes = (lines: string[]) => parse(lines).warnings.map((w) => [w.code, w.severity, w.line, w.column]);

function thrown(lines: string[]): RunbookError {
  try {
    parse(lines);
  } catch (error) {
    if (error instanceof RunbookError) return error;
    throw error;
  }
  throw new Error('expected a RunbookError');
}

const BODY = ['# Rotate keys', '', '- [ ] Drain the node', '- [ ] Rotate the key', '  ```bash', '  rotate-key', '  ```'];

describe('front matter near-misses are errors naming the line; the body still parses', () => {
  const cases: [string, string[], string, number][] = [
    ['"---" after blank lines', ['', '', '---', 'title: Keys', 'profile: restricted', '---', ...BODY], 'front-matter-misplaced', 3],
    ['"----" as the fence', ['----', 'profile: restricted', '----', ...BODY], 'front-matter-fence', 1],
    ['"--- " with text after it', ['--- yaml', 'profile: restricted', '---', ...BODY], 'front-matter-fence', 1],
    ['never closed', ['---', 'profile: restricted', 'title: Keys', '', ...BODY], 'front-matter-unclosed', 1],
    ['closed with "..."', ['---', 'profile: restricted', '...', ...BODY], 'front-matter-unclosed', 1],
    ['TOML between "+++"', ['+++', 'profile = "restricted"', '+++', ...BODY], 'front-matter-toml', 1],
  ];
  it.each(cases)('%s', (_name, lines, code, line) => {
    const rb = parse(lines);
    expect(rb.warnings).toEqual([{ code, severity: 'error', file: 'fm.md', line, column: 1, message: expect.stringMatching(/not read/) }]);
    expect(rb.frontMatter).toBeNull();
    // Nothing of the body is lost: the title heading is the title, both task items are steps.
    expect(rb.title).toBe('Rotate keys');
    expect(rb.steps.map((s) => [s.title, s.profile, s.blocks.length])).toEqual([
      ['Drain the node', null, 0],
      ['Rotate the key', null, 1],
    ]);
  });

  it('a real front matter, and a rule at the top followed by prose, are no near-misses (positive controls)', () => {
    expect(codes(['---', 'title: Keys', 'profile: restricted', '---', ...BODY])).toEqual([]);
    expect(parse(['---', 'profile: restricted', '---', ...BODY]).steps[0]?.profile).toBe('restricted');
    const rule = parse(['', '---', 'A note for readers: this page moved.', '', ...BODY]);
    expect(rule.warnings).toEqual([]);
    expect(rule.steps).toHaveLength(2);
  });
});

describe('front matter keys and values', () => {
  it('unknown keys are warnings naming their line and column; look-alikes of read keys are errors', () => {
    const rb = parse(['---', 'title: Keys', 'weight: 3', 'Profile: restricted', 'variables:', '  TOKEN: { secert: true }', '  NAME: { default: x, note: y }', '---', ...BODY]);
    expect(rb.warnings.map((w) => [w.code, w.severity, w.line, w.column])).toEqual([
      ['front-matter-unknown-key', 'warning', 3, 1],
      ['front-matter-key-near-miss', 'error', 4, 1],
      ['front-matter-key-near-miss', 'error', 6, 12],
      ['front-matter-unknown-key', 'warning', 7, 23],
    ]);
    expect(rb.warnings[1]?.message).toMatch(/"Profile" is not "profile"/);
    expect(rb.warnings[2]?.message).toMatch(/variable "TOKEN": key "secert" is not "secret"/);
    // The misspelt profile is not applied: that is why it is an error.
    expect(rb.steps[0]?.profile).toBeNull();
  });

  it('YAML errors, non-mappings and wrong fields are refused naming line and column', () => {
    const syntax = thrown(['---', 'title: Keys', 'profile: [restricted', '---', ...BODY]);
    expect([syntax.code, syntax.line]).toEqual(['front-matter-yaml', 3]);
    const list = thrown(['---', '- a', '- b', '---', ...BODY]);
    expect([list.code, list.line, list.column]).toEqual(['front-matter-not-mapping', 2, 1]);
    const field = thrown(['---', 'profile: top-secret', '---', ...BODY]);
    expect(String(field)).toMatch(/^fm\.md:2:10: error: front matter field "profile": .* \[front-matter-field\]$/);
  });

  it('a front matter whose closing --- is missing and that a later rule closes is reported as such', () => {
    const yamlError = thrown(['---', 'title: Keys', '', '# Rotate keys', '', '- [ ] Drain the node', '', '---', 'more']);
    expect(yamlError.code).toBe('front-matter-yaml');
    expect(yamlError.message).toMatch(/line 4 reads as markdown: is the front matter's closing --- missing\? It runs to line 8/);
    const swallowed = parse(['---', 'title: Keys', '', '# Steps', '', 'Owner: ops', '---', '- [ ] after']);
    expect(swallowed.warnings.map((w) => [w.code, w.line])).toEqual([
      ['front-matter-markdown', 4],
      ['front-matter-unknown-key', 6],
    ]);
  });
});

describe('every diagnostic carries code, severity, file, line, column and message', () => {
  it('in the model, for fences and repaired characters too', () => {
    const rb = parse(['# T', 'Status: ðŸŸ¡', '- [ ] x', '  ```bash {"target": db}', '  true', '  ```', '- [ ] y', '  ```sh', '  never closed']);
    for (const w of rb.warnings) DiagnosticSchema.parse(w);
    expect(rb.warnings.map((w) => [w.code, w.severity, w.line, w.column])).toEqual([
      ['mojibake-repaired', 'warning', 2, 9],
      ['fence-attributes', 'error', 4, 3],
      ['fence-unclosed', 'warning', 8, 3],
    ]);
  });

  it('on a RunbookError, printed as FILE:LINE:COLUMN: error: message [code]', () => {
    const error = thrown(['---', 'profile: [', '---']);
    expect(error).toMatchObject({ code: 'front-matter-yaml', severity: 'error', file: 'fm.md', line: 2 });
    expect(error.column).toBeGreaterThan(0);
    expect(String(error)).toBe(`fm.md:2:${error.column}: error: ${error.message} [front-matter-yaml]`);
    expect(DiagnosticSchema.parse(error.toDiagnostic())).toMatchObject({ code: 'front-matter-yaml' });
  });
});
