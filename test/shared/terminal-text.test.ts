// Step output is untrusted: neutralise() shows every control sequence as inert text (a title change, an OSC 52
// clipboard write, cursor moves and screen clears, C1 controls, bidi overrides, a bare CR), keeps only newlines
// and tabs, and with keepSgr only plain colours. The CLI prints through forTerminal and formatResultSet.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatResultSet } from '../../src/cli/format-result.js';
import { forTerminal } from '../../src/cli/terminal-output.js';
import { neutralise } from '../../src/shared/terminal-text.js';
import { REPO_ROOT } from '../support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');

/** Anything a terminal or a text view would obey rather than show (a CR is fine only before a LF). */
const LIVE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|\r(?!\n)/;
/** The same, but an SGR colour sequence is allowed. */
const LIVE_BUT_SGR = (text: string) => LIVE.test(text.replace(/\x1b\[[0-9;]*m/g, ''));

const HOSTILE = {
  title: '\x1b]0;pwned\x07',
  titleSt: '\x1b]2;pwned\x1b\\',
  clipboard: '\x1b]52;c;cm0gLXJmIH4K\x07',
  clear: '\x1b[2J\x1b[H',
  hideLines: 'real error\n\x1b[1A\x1b[2Kall good',
  dcs: '\x1bP+q544e\x1b\\',
  c1Csi: '\u009b2J',
  c1Osc: '\u009d0;pwned\u009c',
  bidi: 'rm -rf \u202e/ fi\u202c \u2066x\u2069',
  overwrite: 'FAILED\rOK    ',
  backspace: 'FAILED\b\b\b\b\b\bOK    ',
};

// Chunks of hostile output as a step would print them, cut anywhere.
const unit = fc.oneof(
  fc.constantFrom('\x1b', '\u009b', '\u009d', '\x07', '\r', '\n', '\t', '\b', '\0', '\x7f', '\u202e', '\u2066', '\u200f', '[', ']', 'm', ';', '8', '38', '5', '0', '2J', 'a', 'é', '日'),
  fc.integer({ min: 0, max: 0x2100 }).map((c) => String.fromCodePoint(c)),
);
const hostileText = fc.array(unit, { maxLength: 60 }).map((parts) => parts.join(''));

describe('neutralise', () => {
  it('renders each kind of control visibly and inertly', () => {
    expect(neutralise(HOSTILE.title)).toBe('␛]0;pwned␇');
    expect(neutralise(HOSTILE.titleSt)).toBe('␛]2;pwned␛\\');
    expect(neutralise(HOSTILE.clipboard)).toBe('␛]52;c;cm0gLXJmIH4K␇');
    expect(neutralise(HOSTILE.clear)).toBe('␛[2J␛[H');
    expect(neutralise(HOSTILE.hideLines)).toBe('real error\n␛[1A␛[2Kall good');
    expect(neutralise(HOSTILE.dcs)).toBe('␛P+q544e␛\\');
    expect(neutralise(HOSTILE.c1Csi)).toBe('<U+009B>2J');
    expect(neutralise(HOSTILE.c1Osc)).toBe('<U+009D>0;pwned<U+009C>');
    expect(neutralise(HOSTILE.bidi)).toBe('rm -rf <U+202E>/ fi<U+202C> <U+2066>x<U+2069>');
    expect(neutralise(HOSTILE.overwrite)).toBe('FAILED␍OK    ');
    expect(neutralise(HOSTILE.backspace)).toBe(`FAILED${'␈'.repeat(6)}OK    `);
    expect(neutralise('nul\0 del\x7f')).toBe('nul␀ del␡');
  });

  it('keeps newlines, tabs, CRLF line ends and ordinary text (non-ASCII too) as they are', () => {
    const text = 'line 1\r\nline 2\n\tindented · Zoë 日本語 ✓ ␛ already shown\n';
    expect(neutralise(text)).toBe(text);
  });

  it('shows colours too unless asked to keep them', () => {
    expect(neutralise('\x1b[31mred\x1b[0m')).toBe('␛[31mred␛[0m');
  });

  it('with keepSgr keeps plain colour sequences only, and resets colour at the end', () => {
    expect(neutralise('\x1b[31mred\x1b[0m', { keepSgr: true })).toBe('\x1b[31mred\x1b[0m');
    expect(neutralise('\x1b[1;38;5;196mbold red', { keepSgr: true })).toBe('\x1b[1;38;5;196mbold red\x1b[0m');
    expect(neutralise('\x1b[38;2;8;8;8mdark\x1b[m', { keepSgr: true })).toBe('\x1b[38;2;8;8;8mdark\x1b[m'); // ends reset already
    expect(neutralise('\x1b[38;5;8mgrey\x1b[0m', { keepSgr: true })).toBe('\x1b[38;5;8mgrey\x1b[0m');
    // Conceal (8) would let output hide itself; anything that is not SGR stays visible.
    expect(neutralise('\x1b[8msecret', { keepSgr: true })).toBe('␛[8msecret');
    expect(neutralise('\x1b[0;8mx', { keepSgr: true })).toBe('␛[0;8mx');
    expect(neutralise(`\x1b[31m${HOSTILE.clear}${HOSTILE.title}\x1b[38:5:1m\x1b[?25l`, { keepSgr: true })).toBe('\x1b[31m␛[2J␛[H␛]0;pwned␇␛[38:5:1m␛[?25l\x1b[0m');
    expect(neutralise('\u009b31m', { keepSgr: true })).toBe('<U+009B>31m');
    expect(neutralise('no colour', { keepSgr: true })).toBe('no colour');
  });

  it('leaves nothing live in any text, however output is cut into chunks', () => {
    fc.assert(
      fc.property(hostileText, hostileText, (a, b) => {
        const shown = neutralise(a) + neutralise(b);
        expect(LIVE.test(shown)).toBe(false);
        expect(LIVE_BUT_SGR(neutralise(a, { keepSgr: true }) + neutralise(b, { keepSgr: true }))).toBe(false);
      }),
    );
  });

  it('is idempotent, and changes text without controls not at all', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const once = neutralise(text);
        expect(neutralise(once)).toBe(once);
        const kept = neutralise(text, { keepSgr: true });
        expect(neutralise(kept, { keepSgr: true })).toBe(kept);
        if (!LIVE.test(text)) expect(once).toBe(text);
      }),
    );
  });
});

describe('CLI output', () => {
  it('forTerminal shows every control of hostile step output', () => {
    for (const text of Object.values(HOSTILE)) {
      const shown = forTerminal(text);
      expect(LIVE.test(shown), JSON.stringify(shown)).toBe(false);
      expect(shown).toBe(neutralise(text));
    }
    expect(forTerminal('\x1b[32mok\x1b[0m\n', { keepSgr: true })).toBe('\x1b[32mok\x1b[0m\n');
  });

  it('result tables show hostile cells and column names inert, one line per row, aligned', () => {
    const table = formatResultSet({
      command: `SELECT${HOSTILE.title}`,
      columns: ['name', `col${HOSTILE.c1Csi}`],
      rows: [
        [`a${HOSTILE.clipboard}`, 'x\r\ny'],
        ['b', `tab\there${HOSTILE.bidi}`],
      ],
      rowCount: 2,
    });
    expect(LIVE.test(table)).toBe(false);
    const lines = table.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain('col<U+009B>2J');
    expect(lines[2]).toContain('a␛]52;c;cm0gLXJmIH4K␇');
    expect(lines[2]).toContain('x\\ny');
    expect(lines[3]).toContain('tab\\there');
    // The separator column sits at the same place on every row.
    const bar = (line: string) => line.indexOf('│');
    expect(bar(lines[0] as string)).toBe(bar(lines[2] as string));
    expect(bar(lines[0] as string)).toBe(bar(lines[3] as string));
    expect(lines[4]).toBe('(2 rows, SELECT␛]0;pwned␇)');
  });
});

describe.skipIf(!existsSync(CLI))('runbook run with hostile step output', () => {
  it('prints every control inert, while the journal keeps the exact bytes', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hostile-output-'));
    // Title, OSC 52, screen clear, 8-bit CSI (UTF-8 C2 9B), a bidi override (E2 80 AE), a bare CR, cursor up + erase.
    const printf = String.raw`printf 'A\033]0;pwned\007B\033]52;c;cm0K\007C\033[2JD\302\2332JE\342\200\256F\rG\n\033[1A\033[2Kdone\n'`;
    const raw = Buffer.from('A\x1b]0;pwned\x07B\x1b]52;c;cm0K\x07C\x1b[2JD\u009b2JE\u202eF\rG\n\x1b[1A\x1b[2Kdone\n', 'utf8');
    writeFileSync(path.join(root, 'rb.md'), `# Hostile output\n- [ ] Print controls\n  \`\`\`bash\n  ${printf}\n  \`\`\`\n`);
    const journal = path.join(root, 'run');
    const res = spawnSync(process.execPath, [CLI, 'run', path.join(root, 'rb.md'), '--yes', '--operator', 'alice', '--journal', journal], {
      encoding: 'utf8',
      env: { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(root, 'runs') },
    });
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(LIVE.test(res.stdout), JSON.stringify(res.stdout)).toBe(false);
    expect(res.stdout).toContain('A␛]0;pwned␇B␛]52;c;cm0K␇C␛[2JD<U+009B>2JE<U+202E>F␍G');
    expect(res.stdout).toContain('␛[1A␛[2Kdone');
    const finished = readFileSync(path.join(journal, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: { output?: { stdout?: { sha256: string; bytes: number } } } })
      .find((r) => r.type === 'step.finished');
    expect(finished?.data.output?.stdout).toEqual({ sha256: createHash('sha256').update(raw).digest('hex'), bytes: raw.length });
  }, 30_000);
});
