// report.pdf: report.html printed by headless Chromium. Chromium is an optional system dependency (only
// `export --pdf` needs it), so it is found at run time and its absence is a clear error, not a crash.
// The PDF's text is report.html's, whose every run value escapeHtml has already made inert (neutralise).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { neutralise } from '../../../shared/terminal-text.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
/** A report prints in about a second; a hung browser must not hang the export. */
export const PDF_TIMEOUT_MS = 60_000;

export class PdfError extends Error {}

export interface PdfOptions {
  chromium?: string;
  timeoutMs?: number;
}

/** The flags, separate so they can be read (and tested) without a browser. */
export function chromiumArgs(htmlFile: string, pdfFile: string, profileDir: string, isRoot: boolean): string[] {
  return [
    '--headless',
    // Chromium refuses to start as root with its sandbox on; elsewhere the sandbox stays.
    ...(isRoot ? ['--no-sandbox'] : []),
    '--disable-gpu',
    '--no-pdf-header-footer',
    // A throwaway profile: no first-run work, no extensions, syncing or updates, nothing from the user's
    // own browser, and two exports at once do not fight over a profile lock.
    `--user-data-dir=${profileDir}`,
    '--no-first-run',
    '--disable-extensions',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    // Same text layout on every machine with the same fonts, and print only once layout is complete.
    '--font-render-hinting=none',
    '--run-all-compositor-stages-before-draw',
    '--hide-scrollbars',
    `--print-to-pdf=${pdfFile}`,
    pathToFileURL(path.resolve(htmlFile)).href,
  ];
}

function startsWithPdfMagic(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(5);
    readSync(fd, head, 0, 5, 0);
    return head.toString('latin1') === '%PDF-';
  } finally {
    closeSync(fd);
  }
}

/**
 * The last lines Chromium wrote, minus the D-Bus complaints it prints on every headless start. They end up
 * in an error on the operator's terminal, and the page printed holds run output: controls are shown inert.
 */
function stderrTail(stderr: string): string {
  return neutralise(
    stderr
      .split('\n')
      .filter((l) => l.trim() !== '' && !/dbus|bus\.cc|object_proxy/i.test(l))
      .slice(-5)
      .join('\n'),
  );
}

export async function renderPdfWithChromium(htmlFile: string, pdfFile: string, options: PdfOptions = {}): Promise<void> {
  const chromium = options.chromium ?? DEFAULT_CHROMIUM;
  if (!existsSync(chromium)) {
    throw new PdfError(`--pdf needs Chromium (apt-get install chromium): ${chromium} was not found. Export without --pdf and print report.html instead.`);
  }
  if (!existsSync(htmlFile)) throw new PdfError(`${htmlFile}: no such file`);
  // A stale PDF from an earlier attempt must not pass for this one's output.
  rmSync(pdfFile, { force: true });
  const profile = mkdtempSync(path.join(tmpdir(), 'runbook-pdf-'));
  const isRoot = process.getuid?.() === 0;
  try {
    const { code, signal, stderr, timedOut } = await runChromium(chromium, chromiumArgs(htmlFile, pdfFile, profile, isRoot), options.timeoutMs ?? PDF_TIMEOUT_MS);
    if (timedOut) throw new PdfError(`Chromium did not finish printing ${htmlFile} within ${Math.round((options.timeoutMs ?? PDF_TIMEOUT_MS) / 1000)} s`);
    if (code !== 0 || !startsWithPdfMagic(pdfFile)) {
      const how = code === null ? `was killed by ${signal}` : `exited with ${code}`;
      throw new PdfError(`Chromium ${how} without writing a PDF to ${pdfFile}${stderrTail(stderr) ? `:\n${stderrTail(stderr)}` : ''}`);
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

interface ChromiumExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
}

/** Runs Chromium in its own process group, so a timeout kills its renderer and GPU children too. */
function runChromium(chromium: string, args: string[], timeoutMs: number): Promise<ChromiumExit> {
  return new Promise((resolve, reject) => {
    // TZ=UTC: the PDF's creation date is written in local time; UTC at least makes it the same everywhere.
    const child = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: { ...process.env, TZ: 'UTC' } });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      // Keep only the tail: Chromium can be chatty, and only the last lines explain a failure.
      stderr = (stderr + chunk).slice(-16_384);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new PdfError(`--pdf needs Chromium (apt-get install chromium): could not start ${chromium}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, timedOut });
    });
  });
}
