// One record vocabulary (issue 11, item 9): every record type's data is defined once (src/main/audit/records),
// docs/audit.md's "Records" says the same (every type and every field, both ways), and real runs — the CLI's,
// with skips, a refusal, an interruption, a crash and a full disk recovered, and the console's RESTRICTED run
// of the tamper suite, with approvals, sign-offs, a decision and a note, sealed early, exported — write nothing else.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_FILE, JOURNAL_FILE, type JournalRecord } from '../../src/main/audit/record.js';
import { RECORD_SCHEMAS, RECORD_TYPES, type RecordType, dataIssue } from '../../src/main/audit/records/index.js';
import { REPO_ROOT } from '../support/shared.js';
import { type Field, fieldsOf, leafPaths } from './record-fields.js';
import { type Base, CLI, makeBase } from './tamper-suite.js';
import { HAVE_SSH_KEYGEN } from './ssh-tools.js';

const DOCS = readFileSync(path.join(REPO_ROOT, 'docs/audit.md'), 'utf8');

/** docs/audit.md's Records section: each `### \`type\`` subsection's field paths (first cell of its tables). */
function documented(docs: string): Map<string, Set<string>> {
  const start = docs.indexOf('\n## Records\n');
  const end = docs.indexOf('\n## ', start + 1);
  if (start < 0 || end < 0) throw new Error('docs/audit.md has no "Records" section');
  const types = new Map<string, Set<string>>();
  let current: Set<string> | null = null;
  for (const line of docs.slice(start, end).split('\n')) {
    const heading = /^### `([a-z.-]+)`$/.exec(line);
    if (heading) types.set(heading[1] as string, (current = new Set()));
    else if (current && line.startsWith('| `')) {
      const cell = line.split('|')[1] as string;
      for (const m of cell.matchAll(/`([a-z_][a-z0-9_]*(?:\[\])?(?:\.[a-z_][a-z0-9_]*(?:\[\])?)*)`/g)) current.add(m[1] as string);
    }
  }
  return types;
}

/** Where docs and schema disagree for one type: schema fields the docs do not name, names the schema does not have. */
function drift(fields: readonly Field[], named: ReadonlySet<string>): { undocumented: string[]; unknown: string[] } {
  const all = new Set(fields.map((f) => f.path));
  return { undocumented: leafPaths(fields).filter((p) => !named.has(p)), unknown: [...named].filter((p) => !all.has(p)) };
}

describe('docs/audit.md is the format: every record type and field, both ways', () => {
  const docs = documented(DOCS);

  it('the record types in the docs are the schemas\' types', () => {
    expect([...docs.keys()].sort()).toEqual([...RECORD_TYPES].sort());
  });

  for (const type of RECORD_TYPES) {
    it(`${type}: every field of its schema is in its table, and its table names no other`, () => {
      expect(drift(fieldsOf(RECORD_SCHEMAS[type]), docs.get(type) ?? new Set())).toEqual({ undocumented: [], unknown: [] });
    });
  }

  it('every code a schema enumerates is written in the docs', () => {
    const missing: string[] = [];
    for (const type of RECORD_TYPES) {
      for (const field of fieldsOf(RECORD_SCHEMAS[type])) {
        for (const t of field.types) {
          for (const value of t.match(/"[^"]+"/g) ?? []) {
            if (!DOCS.includes(`\`${value}\``) && !DOCS.includes(`\`${value.slice(1, -1)}\``)) missing.push(`${type} ${field.path}: ${value}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('control: a field dropped from the docs, one the schema does not have, and a type missing are all caught', () => {
    const fields = fieldsOf(RECORD_SCHEMAS['step.finished']);
    const named = new Set(documented(DOCS).get('step.finished'));
    named.delete('outcome.ok');
    named.add('outcome.approved_by');
    expect(drift(fields, named)).toEqual({ undocumented: ['outcome.ok'], unknown: ['outcome.approved_by'] });
    const withoutTrust = documented(DOCS.replace('### `trust`', '### trust'));
    expect(withoutTrust.has('trust')).toBe(false);
    // A type whose name has a hyphen is read as its own (its fields not taken for the type above it).
    expect(documented(DOCS).get('run.ended-early')?.has('unfinished[].what')).toBe(true);
    expect(documented(DOCS).get('run.interrupted')?.has('unfinished[].what')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Real runs write only records of the format.

const STATE = mkdtempSync(path.join(tmpdir(), 'record-vocabulary-'));
const ENV = { RUNBOOK_CONSOLE_KEY_DIR: path.join(STATE, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(STATE, 'runs') };
afterAll(() => rmSync(STATE, { recursive: true, force: true }));

const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

function runbookFile(name: string, text: string): string {
  const file = path.join(STATE, `${name}.md`);
  writeFileSync(file, text);
  return file;
}

const recordsIn = (file: string): JournalRecord[] => (existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as JournalRecord) : []);

/** Every record of the run directory's journal and access log that does not fit its schema, as `file record type: field: why`. */
function misfits(dir: string): string[] {
  return [JOURNAL_FILE, ACCESS_FILE].flatMap((name) =>
    recordsIn(path.join(dir, name)).flatMap((r) => {
      const issue = dataIssue(r.type, r.data);
      return issue ? [`${name} ${r.seq} ${r.type}: ${issue.path}: ${issue.message}`] : [];
    }),
  );
}

const typesIn = (dir: string) => new Set([JOURNAL_FILE, ACCESS_FILE].flatMap((name) => recordsIn(path.join(dir, name)).map((r) => r.type)));

const STEPS = `# Vocabulary run
- [ ] Look
  \`\`\`bash
  echo hello
  \`\`\`
- [ ] Check the dashboards by hand
- [ ] Change the thing
  \`\`\`bash
  touch /tmp/never-made-by-the-vocabulary-test
  \`\`\`
`;

const LONG = `# Interrupted
- [ ] Long step
  \`\`\`bash
  echo started
  while true; do echo tick; sleep 0.1; done
  \`\`\`
`;

/** Resolves once the step says it started (its output is the synchronisation, not a sleep). */
function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('started')) resolve();
    });
    child.once('exit', () => reject(new Error(`exited before the step started: ${seen}`)));
  });
}

describe('real runs write only records of the format', () => {
  const runs = new Map<string, string>();
  const seen = new Set<string>();
  const see = (dir: string) => {
    for (const t of typesIn(dir)) seen.add(t);
  };

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:node\` first`);
    // A plan skip (a manual step) and a refusal (a state-changing block on a protected target, not confirmed); then verified (the access log).
    const targets = path.join(STATE, 'targets.yaml');
    writeFileSync(targets, 'targets:\n  prod: { kind: local, protected: true }\ndefaults: { shell: prod }\n');
    const refused = path.join(STATE, 'refused');
    expect(cli(['run', runbookFile('steps', STEPS), '--yes', '--targets', targets, '--journal', refused]).status).toBe(1);
    expect(cli(['verify', refused]).status).toBe(3);
    runs.set('skips and a refusal, verified', refused);

    // Interrupted by SIGTERM: run.interrupted, the run's end naming the cause, the seal.
    const interrupted = path.join(STATE, 'interrupted');
    const child = spawn(process.execPath, [CLI, 'run', runbookFile('long', LONG), '--yes', '--journal', interrupted], { cwd: REPO_ROOT, env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await started(child);
    child.kill('SIGTERM');
    expect(await exit).toBe(143);
    runs.set('interrupted', interrupted);

    // Killed half-way through writing a record (kill -9), then recovered: log.recovered, the run closed by recovery, the seal.
    const torn = path.join(STATE, 'torn');
    expect(cli(['run', runbookFile('torn', STEPS.split('- [ ] Change')[0] as string), '--yes', '--journal', torn], { RUNBOOK_CONSOLE_TEST_CRASH: 'journal.torn@3' }).status).not.toBe(0);
    expect(cli(['recover', torn]).status).toBe(0);
    runs.set('torn, recovered', torn);

    // A full disk on the journal, then recovered: the failed write recorded as an `error` record.
    const full = path.join(STATE, 'full');
    expect(cli(['run', runbookFile('full', STEPS.split('- [ ] Change')[0] as string), '--yes', '--journal', full], { RUNBOOK_CONSOLE_TEST_FAULT: 'journal.write:ENOSPC@3' }).status).not.toBe(0);
    expect(cli(['recover', full]).status).toBe(0);
    runs.set('full disk, recovered', full);

    // The console's RESTRICTED run: approvals (granted and refused), a failing block, a note, a decision, two signed sign-offs, exported.
    if (HAVE_SSH_KEYGEN) {
      const base: Base = await makeBase(path.join(STATE, 'tamper-base'));
      runs.set('RESTRICTED console run', base.runDir);
      runs.set('its bundle', base.bundle);
    }
    for (const dir of runs.values()) see(dir);
  }, 240_000);

  it('every record of every run fits its type', () => {
    const found = Object.fromEntries([...runs].map(([name, dir]) => [name, misfits(dir)]));
    expect(found).toEqual(Object.fromEntries([...runs.keys()].map((name) => [name, []])));
  });

  it('the runs hold the record kinds they were made for', () => {
    const refused = recordsIn(path.join(runs.get('skips and a refusal, verified') as string, JOURNAL_FILE));
    expect(refused.filter((r) => r.type === 'step.skipped').map((r) => [r.data.by, r.data.code ?? r.data.refusal])).toEqual([
      ['plan', 'manual-step'],
      ['refused', 'protected-not-confirmed'],
    ]);
    const expected: RecordType[] = ['run.started', 'step.started', 'step.finished', 'step.skipped', 'run.interrupted', 'run.finished', 'checkpoint', 'log.recovered', 'error', 'verify'];
    // The console's run is sealed with its failed check unfinished (run.ended-early, journal format 2).
    if (HAVE_SSH_KEYGEN) expected.push('approval', 'signoff', 'step.note', 'decision', 'export', 'run.ended-early');
    expect([...seen].filter((t) => expected.includes(t as RecordType)).sort()).toEqual([...expected].sort());
  });
});
