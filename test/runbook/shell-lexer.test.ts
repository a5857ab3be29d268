import { describe, expect, it } from 'vitest';
import { contextAt, shellRuns } from '../../src/main/runbook/shell-lexer.js';
import { variablesIn } from '../../src/main/runbook/variables.js';

const ctx = (text: string, marker: string) => contextAt(shellRuns(text), text.indexOf(marker));

describe('shell lexer', () => {
  it('tells bare, single-quoted, double-quoted and comment text apart', () => {
    const text = `echo A 'B $x' "C $y \\" D" # E $z\necho F`;
    expect(ctx(text, 'A')).toBe('bare');
    expect(ctx(text, 'B')).toBe('single');
    expect(ctx(text, 'C')).toBe('double');
    expect(ctx(text, 'D')).toBe('double');
    expect(ctx(text, 'E')).toBe('comment');
    expect(ctx(text, 'F')).toBe('bare');
  });

  it("handles $'…', escaped quotes and # inside words", () => {
    const text = `echo $'it\\'s' x#notcomment \\'still-bare`;
    expect(ctx(text, 'it')).toBe('single');
    expect(ctx(text, 'notcomment')).toBe('bare');
    expect(ctx(text, 'still')).toBe('bare');
  });

  it('treats here-document bodies as double-quoted, or literal when the delimiter is quoted', () => {
    const text = "cat <<EOF\nHOT $a\nEOF\ncat <<'END'\nCOLD $b\nEND\nAFTER";
    expect(ctx(text, 'HOT')).toBe('double');
    expect(ctx(text, 'COLD')).toBe('single');
    expect(ctx(text, 'AFTER')).toBe('bare');
  });

  it('keeps single-quoted and commented names out of a block\'s variables', () => {
    expect(variablesIn(`awk '{print $NF}' "$FILE" # uses $IGNORED and <ALSO>\necho <NODE>`, 'shell')).toEqual(['FILE', '<NODE>']);
  });
});
