// stderr is shown in its own colour, and keeps it through the program's own colour resets.
import { describe, expect, it } from 'vitest';
import { styleStderr } from '../../src/renderer/terminal/stderr-style.js';

describe('styleStderr', () => {
  it('colours the text and ends with the default foreground', () => {
    expect(styleStderr('warning: disk at 91%\n')).toBe('\x1b[33mwarning: disk at 91%\n\x1b[39m');
  });
  it('puts the colour back after each reset in the text', () => {
    expect(styleStderr('a\x1b[0mb\x1b[mc\x1b[39md\x1b[1;31me')).toBe('\x1b[33ma\x1b[0m\x1b[33mb\x1b[m\x1b[33mc\x1b[39m\x1b[33md\x1b[1;31me\x1b[39m');
  });
  it('leaves nothing for no output', () => {
    expect(styleStderr('')).toBe('');
  });
});
