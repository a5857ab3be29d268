// The short diff the console shows between a transcript's example output and what the block printed: read
// as the engine compares them (blanks at line ends and blank lines around ignored, `...` for any lines),
// only the lines that differ with a line of context, long runs of matching lines elided.
import { describe, expect, it } from 'vitest';
import { sameOutput } from '../../src/main/session/checks.js';
import { diffOutput } from '../../src/shared/output-diff.js';

const kinds = (expected: string, actual: string) => diffOutput(expected, actual).lines.map((l) => `${l.kind}:${l.kind === 'elided' ? l.count : l.text}`);

describe('diffOutput', () => {
  it('a changed line shows as the example\'s line and the output\'s, with a line of context', () => {
    expect(kinds('active\nversion 1.2\nready', 'active\nversion 1.3\nready')).toEqual(['same:active', 'expected:version 1.2', 'actual:version 1.3', 'same:ready']);
  });

  it('what the engine calls the same has no changed line (blanks at ends, blank lines around, ... gaps)', () => {
    for (const [expected, actual] of [
      ['ok  \n', '\n\nok\n'],
      ['start\n...\nend', 'start\na\nb\nc\nend'],
      ['…\nlast', 'x\ny\nlast'],
    ] as const) {
      expect(sameOutput(expected, actual)).toBe(true);
      expect(diffOutput(expected, actual).lines.filter((l) => l.kind === 'expected' || l.kind === 'actual')).toEqual([]);
    }
  });

  it('long runs of matching lines are elided, and a long diff is cut and says so', () => {
    const many = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    const changed = [...many];
    changed[25] = 'line twenty-five';
    expect(kinds(many.join('\n'), changed.join('\n'))).toEqual(['elided:24', 'same:line 24', 'expected:line 25', 'actual:line twenty-five', 'same:line 26', 'elided:23']);
    const other = diffOutput(many.join('\n'), many.map((l) => `${l}!`).join('\n'), { maxLines: 10 });
    expect(other.lines).toHaveLength(10);
    expect(other.truncated).toBe(true);
  });

  it('lines only in the output, or only in the example, show as such', () => {
    expect(kinds('a\nb', 'a\nb\nwarning: c')).toEqual(['elided:1', 'same:b', 'actual:warning: c']);
    expect(kinds('a\nb\nc', 'a\nc')).toEqual(['same:a', 'expected:b', 'same:c']);
  });
});
