#!/usr/bin/env node
// Electronegativity gate: scans the sources, the built output and package.json for Electron security
// anti-patterns and exits 1 on any finding not justified in electronegativity-allow.json.
//
//   node scripts/electronegativity.mjs [--input PATH]... [--allow FILE] [--sarif DIR]
//
// Default inputs: src/, dist/ (skipped with a note when not built) and package.json. --input replaces them
// (a directory, a .js/.ts/.html file or an app.asar, e.g. one from release/). --sarif DIR also writes
// the tool's own SARIF report per input, for CI to keep.
//
// The tool is driven through its programmatic API: its command-line entry breaks when the project's own
// `commander` is hoisted (the tool does not declare the dependency), and the API returns the findings
// directly. It never exits non-zero on findings, so the verdict is made here.
//
// Offline by construction: AvailableSecurityFixesGlobalCheck (which downloads Electron's release list) is
// excluded, the translations download the tool attempts at start is answered locally with a refusal, and
// any other attempt to open a socket or resolve a name fails the run.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import dns from 'node:dns';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Checks that need the network. */
export const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];
/**
 * What is scanned: the sources, the built output, and package.json for the checks that read it (Electron
 * switches in scripts, security warnings turned off). The tool's global checks judge each input alone, so
 * they run on the code inputs only.
 */
export const DEFAULT_INPUTS = [
  { path: 'src' },
  { path: 'dist' },
  { path: 'package.json', checks: ['CustomArgumentsJSONCheck', 'SecurityWarningsDisabledJSONCheck'] },
];
export const DEFAULT_ALLOW_FILE = path.join(ROOT, 'electronegativity-allow.json');

/** `*` matches within one path segment, `**` across segments, `?` one character; the whole path must match. */
export function globToRegExp(pattern) {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Reads and checks the allow-list: each entry names a check id, a file pattern and why the finding is acceptable. */
export function parseAllowList(text, source = 'allow-list') {
  let entries;
  try {
    entries = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON: ${error.message}`);
  }
  if (!Array.isArray(entries)) throw new Error(`${source}: expected an array of { check, file, justification }`);
  return entries.map((entry, i) => {
    const where = `${source}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where}: expected an object`);
    const extra = Object.keys(entry).filter((k) => !['check', 'file', 'justification'].includes(k));
    if (extra.length) throw new Error(`${where}: unknown field(s) ${extra.join(', ')}`);
    if (typeof entry.check !== 'string' || !/^[A-Z0-9_]+$/.test(entry.check)) throw new Error(`${where}: check must be a check id such as CONTEXT_ISOLATION_JS_CHECK`);
    if (typeof entry.file !== 'string' || entry.file.length === 0) throw new Error(`${where}: file must be a path pattern`);
    if (typeof entry.justification !== 'string' || entry.justification.trim().length < 20) throw new Error(`${where}: justification must say why (20 characters at least)`);
    return { check: entry.check, file: entry.file, justification: entry.justification, pattern: globToRegExp(entry.file) };
  });
}

/** Splits findings into those no entry allows and reports entries that allowed nothing (stale). */
export function applyAllowList(findings, allow) {
  const used = new Set();
  const blocked = findings.filter((finding) => {
    const index = allow.findIndex((entry) => entry.check === finding.check && entry.pattern.test(finding.file));
    if (index === -1) return true;
    used.add(index);
    return false;
  });
  return { blocked, unused: allow.filter((_, i) => !used.has(i)) };
}

/** Makes every socket connection and name lookup in this process fail, and answers `got` with a refusal. */
export function blockNetwork(toolRequire) {
  const attempts = [];
  const refuse = (what) => {
    attempts.push(what);
    return new Error(`electronegativity gate: network access refused (${what})`);
  };
  net.Socket.prototype.connect = function connect(...args) {
    throw refuse(`connect ${JSON.stringify(args[0])}`);
  };
  dns.lookup = (host, ...rest) => {
    const callback = rest.find((a) => typeof a === 'function');
    process.nextTick(() => callback?.(refuse(`lookup ${host}`)));
  };
  const gotPath = toolRequire.resolve('got');
  const got = (url) => Promise.reject(refuse(`got ${url}`));
  Object.assign(got, { get: got, post: got, default: got, extend: () => got });
  require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: got, children: [], paths: [] };
  return attempts;
}

/** The tool's require (its own dependencies), or null when it is not installed. */
export function toolRequire() {
  try {
    return createRequire(require.resolve('@doyensec/electronegativity/package.json'));
  } catch {
    return null;
  }
}

function toPosix(p) {
  return p.split(path.sep).join('/');
}

/** `a` < `b` for dotted release numbers (prerelease tags are not used for electron here). */
function olderThan(a, b) {
  const [x, y] = [a, b].map((v) => v.split(/[.-]/).slice(0, 3).map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i];
  return false;
}

/**
 * The Electron the scan judges is the one installed; the version-dependent checks would judge the wrong
 * release if node_modules lags package.json (an upgrade written but not installed), so that is a problem.
 */
export function electronVersionProblem(installed, wanted) {
  const minimum = /(\d+\.\d+\.\d+)/.exec(String(wanted ?? ''))?.[1];
  if (!minimum || !olderThan(installed, minimum)) return null;
  return `node_modules has electron ${installed}, but package.json asks for ${wanted}: run npm install, then scan again`;
}

/** Runs the tool over each input ({ path, checks? }: all checks unless named); findings carry repository-relative paths. */
export async function scan(inputs, options = {}) {
  const req = options.toolRequire ?? toolRequire();
  if (!req) throw new Error('@doyensec/electronegativity is not installed (npm install)');
  const run = req('./dist/runner.js');
  const electronVersion = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version;
  const findings = [];
  const problems = [];
  const notes = [];
  const wanted = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies?.electron;
  const versionProblem = electronVersionProblem(electronVersion, wanted);
  if (versionProblem) problems.push(versionProblem);
  notes.push(`judged against electron ${electronVersion}`);
  for (const { path: input, checks = [] } of inputs) {
    const absolute = path.resolve(ROOT, input);
    const shown = toPosix(path.relative(ROOT, absolute)) || '.';
    if (!existsSync(absolute)) {
      notes.push(`${shown}: not there (not built?), not scanned`);
      continue;
    }
    const isDirectory = statSync(absolute).isDirectory();
    const output = options.sarifDir ? path.join(options.sarifDir, `electronegativity-${shown.replace(/[^\w.-]+/g, '_')}.sarif`) : undefined;
    const result = await run({
      input: absolute,
      output,
      isSarif: Boolean(output),
      isRelative: true,
      // Named checks leave no global check enabled, and excluding one then makes the tool exit (a bug of its own).
      excludeFromScan: checks.length ? [] : EXCLUDED_CHECKS,
      electronVersionOverride: electronVersion,
      customScan: checks,
      parserPlugins: [],
    });
    for (const error of result.errors) {
      const file = toPosix(path.relative(ROOT, error.file));
      (error.tolerable ? notes : problems).push(`${file}: ${error.tolerable ? 'parsed with a warning' : 'could not be parsed, not scanned'}: ${error.message}`);
    }
    for (const issue of result.issues) {
      const file = issue.file === 'N/A' ? 'N/A' : isDirectory ? `${shown}/${toPosix(issue.file)}` : shown;
      findings.push({
        check: issue.id,
        file,
        line: issue.location?.line ?? 0,
        column: issue.location?.column ?? 0,
        severity: issue.severity?.name ?? '?',
        confidence: issue.confidence?.name ?? '?',
        manualReview: Boolean(issue.manualReview),
        description: issue.description,
      });
    }
  }
  return { findings, problems, notes };
}

async function main(argv) {
  const inputs = [];
  let allowFile = DEFAULT_ALLOW_FILE;
  let sarifDir;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--input') inputs.push({ path: argv[++i] });
    else if (arg === '--allow') allowFile = path.resolve(argv[++i]);
    else if (arg === '--sarif') sarifDir = path.resolve(argv[++i]);
    else {
      console.error(`usage: node scripts/electronegativity.mjs [--input PATH]... [--allow FILE] [--sarif DIR]\nunknown argument ${arg}`);
      return 2;
    }
  }
  const req = toolRequire();
  if (!req) {
    console.error('electronegativity: @doyensec/electronegativity is not installed (run npm install)');
    return 2;
  }
  const allow = parseAllowList(readFileSync(allowFile, 'utf8'), path.relative(ROOT, allowFile));
  if (sarifDir) mkdirSync(sarifDir, { recursive: true });

  process.env.LANG = 'en-US'; // the tool's messages come from its bundled English locale
  const attempts = blockNetwork(req);
  const log = console.log;
  console.log = (...args) => {
    if (!String(args[0]).startsWith('Could not retrieve updated translations')) log(...args);
  };
  let report;
  try {
    report = await scan(inputs.length ? inputs : DEFAULT_INPUTS, { toolRequire: req, sarifDir });
  } finally {
    console.log = log;
  }

  const { blocked, unused } = applyAllowList(report.findings, allow);
  const allowed = report.findings.length - blocked.length;
  for (const note of report.notes) console.log(`note: ${note}`);
  if (!inputs.length) for (const entry of unused) console.log(`note: allow-list entry ${entry.check} ${entry.file} matched nothing (stale?)`);
  const unexpected = attempts.filter((a) => !a.startsWith('got '));
  for (const attempt of unexpected) console.error(`network access attempted and refused: ${attempt}`);
  for (const problem of report.problems) console.error(`error: ${problem}`);
  for (const f of blocked) {
    console.error(`${f.file}:${f.line}:${f.column}: ${f.check} [${f.severity}/${f.confidence}${f.manualReview ? ', review' : ''}] ${f.description}`);
  }
  const failed = blocked.length > 0 || report.problems.length > 0 || unexpected.length > 0;
  const summary = `electronegativity: ${report.findings.length} finding(s), ${allowed} allowed by ${path.relative(ROOT, allowFile)}, ${blocked.length} not allowed`;
  (failed ? console.error : console.log)(summary);
  if (blocked.length) console.error('Fix them, or add an entry { "check", "file", "justification" } to the allow-list.');
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`electronegativity: ${error instanceof Error ? error.message : error}`);
      process.exit(2);
    },
  );
}
