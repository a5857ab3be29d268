// One xterm.js terminal per code block, kept outside React: output goes straight from the event stream
// into the terminal (React state never holds it), and a card only attaches the terminal's element.
import { neutralise } from '../../shared/terminal-text.js';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { type ITheme, Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { installCspSafeStyles } from './csp-styles.js';
import { styleInfo } from './info-style.js';
import { styleStderr } from './stderr-style.js';

export type ThemeName = 'light' | 'dark';

const THEMES: Record<ThemeName, ITheme> = {
  dark: { background: '#121417', foreground: '#e6e6e6', cursor: '#121417', selectionBackground: '#3b5273' },
  light: {
    background: '#fbfbfa',
    foreground: '#1d1f21',
    cursor: '#fbfbfa',
    selectionBackground: '#b8d4f5',
    black: '#1d1f21',
    red: '#b3261e',
    green: '#2f7d32',
    yellow: '#8a6d00',
    blue: '#1f5fb0',
    magenta: '#8e3fa8',
    cyan: '#0f7482',
    white: '#6b6f73',
    brightBlack: '#5c6166',
    brightWhite: '#3c4043',
  },
};

/**
 * Output the terminals have been given and not yet parsed. Past this, new output is not shown live (a line
 * says how much was left out; the complete output is in the run record): the view keeps up with the
 * newest output instead of falling behind, and the event loop keeps its messages small.
 */
const BACKLOG_LIMIT = 1024 * 1024;
/** Writes are cut to this size so xterm.js can yield to the browser between pieces. */
const SLICE = 16 * 1024;
const COPY_LIMIT_LINES = 20_000;
/** A terminal grows with its output from MIN_ROWS to MAX_ROWS lines tall, then scrolls. */
const MIN_ROWS = 3;
const MAX_ROWS = 18;

interface Entry {
  term: Terminal;
  fit: FitAddon;
  search: SearchAddon;
  host: HTMLDivElement;
  opened: boolean;
  resize: ResizeObserver | null;
  rows: number;
  sizing: number;
  dropped: number;
}

/** Moves focus to the first control after `from` in its step (else in the page): the way out of a terminal. */
function focusAfter(from: HTMLElement): void {
  const scope = from.closest<HTMLElement>('[data-testid=run-step]') ?? document.body;
  const controls = [...scope.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])')].filter(
    (el) => !el.closest('.xterm') && !(el as HTMLButtonElement).disabled && el.offsetParent !== null && (from.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0,
  );
  const next = controls[0];
  if (next) next.focus();
  else {
    scope.tabIndex = -1;
    scope.focus();
  }
}

/** Lines the output fills: up to the cursor, and the cursor's line when something is on it. */
function contentRows(term: Terminal): number {
  const buffer = term.buffer.active;
  return buffer.baseY + buffer.cursorY + (buffer.cursorX > 0 ? 1 : 0);
}

export class TerminalRegistry {
  private readonly entries = new Map<string, Entry>();
  private pending = 0;
  private theme: ThemeName;

  constructor(theme: ThemeName) {
    this.theme = theme;
    installCspSafeStyles();
  }

  private entry(blockId: string): Entry {
    let entry = this.entries.get(blockId);
    if (!entry) {
      const term = new Terminal({
        convertEol: true, // "\n" from the host becomes "\r\n" for the terminal
        disableStdin: true,
        cursorBlink: false,
        cursorInactiveStyle: 'none',
        scrollback: 10_000,
        rows: 12,
        fontSize: 12,
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
        theme: THEMES[this.theme],
      });
      const fit = new FitAddon();
      const search = new SearchAddon();
      term.loadAddon(fit);
      term.loadAddon(search);
      term.write('\x1b[?25l'); // output only: no cursor
      // The terminal takes no input: Tab and Esc are the page's (Tab moves on, Esc leaves for the step's next control).
      term.attachCustomKeyEventHandler((event) => event.key !== 'Tab' && event.key !== 'Escape');
      const host = document.createElement('div');
      host.className = 'terminal-host';
      host.addEventListener('keydown', (event) => {
        if (event.key !== 'Escape' || event.ctrlKey || event.metaKey || event.altKey) return;
        event.preventDefault(); // the page's Esc (cancel the running step) is not meant here
        focusAfter(host);
      });
      entry = { term, fit, search, host, opened: false, resize: null, rows: 0, sizing: 0, dropped: 0 };
      this.entries.set(blockId, entry);
    }
    return entry;
  }

  /** Makes sure a block has a terminal (on block-start, before its first output). */
  ensure(blockId: string): void {
    this.entry(blockId);
  }

  has(blockId: string): boolean {
    return this.entries.has(blockId);
  }

  write(blockId: string, data: string, stream: 'stdout' | 'stderr' | 'info'): void {
    const entry = this.entry(blockId);
    if (this.pending > BACKLOG_LIMIT) {
      entry.dropped += data.length;
      return;
    }
    this.flushDropped(entry);
    // Step output may carry control sequences (title, clipboard, cursor moves): only colours survive.
    const safe = neutralise(data, { keepSgr: true });
    const text = stream === 'info' ? styleInfo(safe) : stream === 'stderr' ? styleStderr(safe) : safe;
    for (let at = 0; at < text.length; at += SLICE) this.put(entry, text.slice(at, at + SLICE));
  }

  /** The block ended: say what was left out of the live view, if anything. */
  end(blockId: string): void {
    const entry = this.entries.get(blockId);
    if (entry) this.flushDropped(entry);
  }

  private flushDropped(entry: Entry): void {
    if (!entry.dropped) return;
    const size = entry.dropped >= 1024 * 1024 ? `${(entry.dropped / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(entry.dropped / 1024)} KB`;
    entry.dropped = 0;
    this.put(entry, `\r\n\x1b[2;33m[… ${size} of output not shown live: the complete output is in the run record …]\x1b[0m\r\n`);
  }

  private put(entry: Entry, text: string): void {
    this.pending += text.length;
    entry.term.write(text, () => {
      this.pending -= text.length;
      if (entry.rows < MAX_ROWS) this.autosize(entry);
    });
  }

  /** Makes the terminal as tall as its output (within bounds) once per frame; the resize observer refits it. */
  private autosize(entry: Entry): void {
    if (entry.sizing || !entry.opened) return;
    entry.sizing = requestAnimationFrame(() => {
      entry.sizing = 0;
      if (!entry.host.isConnected) return;
      const rows = Math.min(MAX_ROWS, Math.max(MIN_ROWS, contentRows(entry.term)));
      if (rows !== entry.rows) {
        const cell = entry.host.querySelector('.xterm-rows > div')?.getBoundingClientRect().height || 15;
        entry.rows = rows;
        entry.host.style.height = `${Math.ceil(rows * cell) + 1}px`;
      }
      this.fitRows(entry);
    });
  }

  /** Width from the frame, height exactly the rows the output needs (fit's rounding made it one row short). */
  private fitRows(entry: Entry): void {
    if (!entry.host.isConnected || entry.host.clientWidth === 0) return;
    const cols = entry.fit.proposeDimensions()?.cols;
    const rows = entry.rows || MIN_ROWS;
    if (cols && Number.isFinite(cols) && (cols !== entry.term.cols || rows !== entry.term.rows)) entry.term.resize(Math.max(2, cols), rows);
    // After a final newline the (hidden) cursor sits on a line of its own, and keeping it in view scrolled the
    // first line out: while the output fits, show it from its first line. Once it no longer fits, show its
    // end: xterm leaves a view scrolled up where it is when more output comes.
    const buffer = entry.term.buffer.active;
    if (buffer.baseY === 0) return;
    if (contentRows(entry.term) <= entry.term.rows) entry.term.scrollToTop();
    else entry.term.scrollToBottom();
  }

  /** Puts the block's terminal into `container` (opening it the first time); returns how to take it out. */
  attach(blockId: string, container: HTMLElement): () => void {
    const entry = this.entry(blockId);
    container.appendChild(entry.host);
    if (!entry.opened) {
      entry.term.open(entry.host);
      entry.opened = true;
    }
    entry.rows = 0;
    this.autosize(entry);
    let frame = 0;
    entry.resize = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        this.fitRows(entry);
      });
    });
    entry.resize.observe(entry.host);
    return () => {
      cancelAnimationFrame(frame);
      cancelAnimationFrame(entry.sizing);
      entry.sizing = 0;
      entry.resize?.disconnect();
      entry.resize = null;
      entry.host.remove();
    };
  }

  find(blockId: string, text: string, backwards = false): boolean {
    const entry = this.entries.get(blockId);
    if (!entry || !text) return false;
    return backwards ? entry.search.findPrevious(text) : entry.search.findNext(text);
  }

  follow(blockId: string): void {
    this.entries.get(blockId)?.term.scrollToBottom();
  }

  /** The selection, or the whole buffer (bounded) when nothing is selected. */
  text(blockId: string): string {
    const entry = this.entries.get(blockId);
    if (!entry) return '';
    const selection = entry.term.getSelection();
    if (selection) return selection;
    const buffer = entry.term.buffer.active;
    const lines: string[] = [];
    for (let i = Math.max(0, buffer.length - COPY_LIMIT_LINES); i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    while (lines.length && lines.at(-1) === '') lines.pop();
    return lines.join('\n');
  }

  setTheme(theme: ThemeName): void {
    this.theme = theme;
    for (const { term } of this.entries.values()) term.options.theme = THEMES[theme];
  }

  dispose(): void {
    for (const entry of this.entries.values()) {
      entry.resize?.disconnect();
      entry.term.dispose();
      entry.host.remove();
    }
    this.entries.clear();
    this.pending = 0;
  }
}
