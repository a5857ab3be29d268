// The console's own terminal lines: a dry-run diff coloured line by line, other notes dim.
import { describe, expect, it } from 'vitest';
import { styleInfo } from '../../src/renderer/terminal/info-style.js';

describe('styleInfo', () => {
  it('colours additions, removals and hunks; file headers and notes stay dim; line ends are kept', () => {
    const out = styleInfo('--- live x\n+++ dry-run x\n@@ -1 +1 @@\n-  mode: blue\n+  mode: green\n note\r\n');
    expect(out).toBe(
      [
        '\x1b[2;36m--- live x\x1b[0m\n',
        '\x1b[2;36m+++ dry-run x\x1b[0m\n',
        '\x1b[36m@@ -1 +1 @@\x1b[0m\n',
        '\x1b[31m-  mode: blue\x1b[0m\n',
        '\x1b[32m+  mode: green\x1b[0m\n',
        '\x1b[2;36m note\x1b[0m\r\n',
      ].join(''),
    );
  });
});
