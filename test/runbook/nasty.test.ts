// Hostile and broken input: a model or a clean FILE:LINE error, never a crash.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunbookError, decodeRunbook, loadRunbook, parseRunbook } from '../../src/main/runbook/index.js';

const parse = (text: string) => parseRunbook(text, { file: 'nasty.md' });

describe('nasty input', () => {
  it('an unterminated fence runs to the end and is reported', () => {
    const rb = parse('- [ ] step\n  ```bash\n  echo one\n  echo two\n');
    expect(rb.steps[0]?.blocks[0]?.code).toContain('echo two');
    expect(rb.warnings[0]).toMatchObject({ line: 2, message: expect.stringMatching(/never closed/) });
  });

  it('10 000 nested list levels (or quotes, or indents) are a clean error naming the line', () => {
    const cases = [
      `${'- '.repeat(10_000)}[ ] deep\n`,
      `# fine\n\n${'> '.repeat(10_000)}text\n`,
      Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(2 * i)}- level ${i}`).join('\n'),
    ];
    const lines = [1, 3, 65];
    cases.forEach((text, i) => {
      let error: unknown;
      try {
        parse(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RunbookError);
      expect(String(error)).toMatch(new RegExp(`^nasty\\.md:${lines[i]}:\\d+: error: lists or quotes nest more than 64 levels deep; flatten the runbook \\[nesting-too-deep\\]$`));
    });
    // Ordinary nesting is untouched.
    expect(parse(`${'- '.repeat(10)}[ ] ten levels\n`).steps).toHaveLength(1);
  });

  it('CRLF and lone CR line endings give the same model as LF', () => {
    const lf = '# T\n## S\n- [ ] a\n  ```bash\n  echo hi\n  ```\n';
    const a = parse(lf);
    const b = parse(lf.replace(/\n/g, '\r\n'));
    const c = parse(lf.replace(/\n/g, '\r'));
    for (const other of [b, c]) {
      expect(other.steps.map((s) => [s.id, s.line, s.blocks.map((x) => x.code)])).toEqual(a.steps.map((s) => [s.id, s.line, s.blocks.map((x) => x.code)]));
    }
  });

  it('tabs indent list content like spaces', () => {
    const rb = parse('- [ ] tabbed\n\t```bash\n\techo tab\n\t```\n');
    expect(rb.steps[0]?.blocks[0]?.code).toBe('echo tab');
  });

  it('four-backtick and tilde fences hold inner fences as code', () => {
    const rb = parse('- [ ] outer\n  ````markdown\n  ```bash\n  echo inner\n  ```\n  ````\n  ~~~sh\n  echo tilde\n  ~~~\n');
    const blocks = rb.steps[0]?.blocks ?? [];
    expect(blocks.map((b) => [b.lang, b.action])).toEqual([['markdown', 'display'], ['sh', 'shell']]);
    expect(blocks[0]?.code).toContain('```bash');
    expect(rb.warnings).toEqual([]);
  });

  it('a NUL byte is refused as binary, naming its line', () => {
    expect(() => decodeRunbook(Buffer.from('# ok\nline two\u0000\n'), 'bin.md')).toThrow(/binary file/);
    try {
      decodeRunbook(Buffer.from('# ok\nline two\u0000\n'), 'bin.md');
    } catch (error) {
      expect(String(error)).toMatch(/^bin\.md:2:9: error: binary file.* \[file-binary\]$/);
    }
  });

  it('invalid UTF-8 is refused, naming its line and byte', () => {
    const bytes = Buffer.concat([Buffer.from('# ok\n\nbad: '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    expect(() => decodeRunbook(bytes, 'latin.md')).toThrow(RunbookError);
    try {
      decodeRunbook(bytes, 'latin.md');
    } catch (error) {
      expect(String(error)).toBe('latin.md:3:6: error: invalid UTF-8 (byte 0xc3 at offset 11); save the runbook as UTF-8 [file-invalid-utf8]');
    }
    // Overlong encodings and surrogates are invalid too; 4-byte emoji are fine.
    expect(() => decodeRunbook(Buffer.from([0xc0, 0x80]), 'x.md')).toThrow(/invalid UTF-8/);
    expect(() => decodeRunbook(Buffer.from([0xed, 0xa0, 0x80]), 'x.md')).toThrow(/invalid UTF-8/);
    expect(decodeRunbook(Buffer.from('🟡 ok', 'utf8'), 'x.md')).toBe('🟡 ok');
  });

  it('a UTF-8 BOM is dropped; UTF-16 is refused', () => {
    expect(parse(decodeRunbook(Buffer.from('\ufeff# Title\n', 'utf8'), 'bom.md')).title).toBe('Title');
    expect(() => decodeRunbook(Buffer.from([0xff, 0xfe, 0x23, 0x00]), 'u16.md')).toThrow(/UTF-16/);
  });

  it('files over 20 MB, directories and missing files are clean errors', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runbook-nasty-'));
    const big = path.join(dir, 'big.md');
    writeFileSync(big, Buffer.alloc(20 * 1024 * 1024 + 1, 0x61));
    await expect(loadRunbook(big)).rejects.toThrow(/larger than 20 MB/);
    await expect(loadRunbook(dir)).rejects.toThrow(/is a directory/);
    await expect(loadRunbook(path.join(dir, 'missing.md'))).rejects.toThrow(/cannot read: no such file/);
  });

  it('HTML, MDX components and Hugo shortcodes are left alone', () => {
    const rb = parse([
      '# Page {#anchor}',
      '{{< note >}}shortcode{{< /note >}}',
      '<Tabs>',
      '<details><summary>More</summary>',
      '',
      '- [ ] inside details',
      '',
      '</details>',
      '<script>alert(1)</script>',
    ].join('\n'));
    expect(rb.title).toBe('Page');
    expect(rb.steps.map((s) => s.title)).toEqual(['inside details']);
  });
});
