// The safety model end to end through `runbook run`, against a real sshd and a real PostgreSQL: each test
// attacks one class (the canary that must not appear, the secret that must not be written, the step that
// must not run) beside a positive control that shows the same path still works.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresHandle, postgresAvailable, startPostgres } from './infra/postgres.js';
import { type SshdHandle, sshdAvailable, startSshd } from './infra/sshd.js';
import { REPO_ROOT } from './support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const available = sshdAvailable('runbook run safety model') && postgresAvailable('runbook run safety model');

/** Every byte under a directory, as text (journal, outputs, blobs, checkpoint). */
function allBytes(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    out += statSync(full).isDirectory() ? allBytes(full) : readFileSync(full).toString('latin1');
  }
  return out;
}

function records(journal: string): { type: string; data: Record<string, any> }[] {
  return readFileSync(path.join(journal, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe.skipIf(!available)('runbook run: the safety model against real targets', () => {
  let sshd: SshdHandle;
  let pg: PostgresHandle;
  let dir: string;
  let targets: string;

  beforeAll(async () => {
    [sshd, pg] = await Promise.all([startSshd({ agent: false }), startPostgres()]);
    dir = mkdtempSync(path.join(tmpdir(), 'cli-safety-'));
    targets = path.join(dir, 'targets.yaml');
    writeFileSync(
      targets,
      [
        'targets:',
        `  db:  { kind: postgres, host: 127.0.0.1, port: ${pg.port}, database: ${pg.database}, user: ${pg.user}, passwordEnv: APP_DB_PASSWORD, sslmode: verify-full, sslrootcert: ${pg.caFile}, protected: true }`,
        `  web: { kind: ssh, host: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user}, identityFile: ${sshd.userKey.path}, knownHosts: ${sshd.knownHosts}, sshConfig: ${sshd.emptySshConfig}, agent: false }`,
        'defaults: { sql: db }',
        '',
      ].join('\n'),
    );
  }, 60_000);
  afterAll(async () => {
    await Promise.all([sshd?.stop(), pg?.stop()]);
  });

  let n = 0;
  function write(text: string): string {
    const file = path.join(dir, `rb-${++n}.md`);
    writeFileSync(file, text);
    return file;
  }
  const run = (file: string, args: string[], extraEnv: Record<string, string> = {}) => {
    const journal = path.join(dir, `run-${++n}`);
    const env: Record<string, string | undefined> = { ...process.env, APP_DB_PASSWORD: pg.password, RUNBOOK_CONSOLE_KEY_DIR: path.join(dir, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(dir, 'runs'), ...extraEnv };
    delete env.SSH_AUTH_SOCK;
    const res = spawnSync(process.execPath, [CLI, 'run', file, '--yes', '--targets', targets, '--journal', journal, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    return { ...res, journal };
  };

  it('a value that would become code refuses the run before anything runs, naming file, line, step and variable', () => {
    const canary = path.join(dir, 'canary-values');
    const file = write(`# Values\n\n- [ ] Fine\n  \`\`\`bash\n  echo "release <REL>"\n  \`\`\`\n- [ ] Single-quoted\n  \`\`\`bash\n  echo 'release <REL>'\n  \`\`\`\n- [ ] Eval\n  \`\`\`bash {"target":"web"}\n  eval "echo <REL>"\n  \`\`\`\n`);
    const res = run(file, ['--var', `REL=x'; touch ${canary}; echo '`]);
    expect(res.status, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`${path.basename(file)}:9: step \\S+: variable <?REL>?:`));
    expect(res.stderr).toMatch(new RegExp(`${path.basename(file)}:13: step \\S+: variable <?REL>?:`));
    expect(existsSync(res.journal)).toBe(false); // refused before the journal: nothing was recorded or run
    expect(existsSync(canary)).toBe(false);
  });

  it('positive control: the same hostile value arrives literally where it is data (local and ssh)', () => {
    const canary = path.join(dir, 'canary-control');
    const value = `x'; touch ${canary}; echo "$(touch ${canary})" \`touch ${canary}\``;
    const file = write(`# Values\n\n- [ ] Local\n  \`\`\`bash\n  printf '[%s]\\n' "<REL>" <REL>\n  \`\`\`\n- [ ] Remote\n  \`\`\`bash {"target":"web"}\n  printf '{%s}\\n' "$(echo "<REL>")"\n  \`\`\`\n`);
    const res = run(file, ['--var', `REL=${value}`]);
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain(`[${value}]`);
    expect(res.stdout).toContain(`{${value}}`);
    expect(existsSync(canary)).toBe(false);
  });

  it('a block not proven read-only on a protected target is refused without --confirm-protected: the run stops, exit 1, journaled', () => {
    const file = write(`# Protected\n\n- [ ] Looks read-only but writes\n  \`\`\`sql\n  SELECT 1; CREATE TABLE refused_canary (id int);\n  \`\`\`\n- [ ] Never reached\n  \`\`\`bash\n  echo unreachable\n  \`\`\`\n`);
    const res = run(file, ['--keep-going']);
    expect(res.status, res.stdout + res.stderr).toBe(1);
    expect(res.stdout).not.toContain('unreachable');
    expect(res.stderr).toMatch(/refused \(protected-not-confirmed\)/);
    const refused = records(res.journal).find((r) => r.type === 'step.skipped' && r.data.by === 'refused');
    expect(refused?.data.refusal).toBe('protected-not-confirmed');
    const check = spawnSync('psql', ['-h', '127.0.0.1', '-p', String(pg.port), '-U', pg.user, '-d', pg.database, '-tAc', "SELECT to_regclass('refused_canary') IS NULL"], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: pg.password, PGSSLMODE: 'disable' } });
    if (check.status === 0) expect(check.stdout.trim()).toBe('t');
  });

  it('positive control: a proven read-only query on the protected target runs without confirmation, and says why', () => {
    const file = write(`# Read\n\n- [ ] Count\n  \`\`\`sql\n  SELECT count(*) AS n FROM pg_class WHERE relname = '<NAME>';\n  \`\`\`\n`);
    const res = run(file, ['--var', 'NAME=pg_class']);
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/read-only \[sql-read-only\]/);
    const started = records(res.journal).find((r) => r.type === 'step.started');
    expect(started?.data.state_changing).toBe(false);
    expect(started?.data.verdict.code).toBe('sql-read-only');
  });

  it('a write the parse tree cannot see (a view calling a writing function) is stopped by a READ ONLY transaction', () => {
    const setup = write(`# Setup\n\n- [ ] Create\n  \`\`\`sql\n  CREATE TABLE IF NOT EXISTS hidden_log (x text);\n  CREATE OR REPLACE FUNCTION hidden_write() RETURNS int LANGUAGE sql AS $f$ INSERT INTO hidden_log VALUES ('written') RETURNING 1 $f$;\n  CREATE OR REPLACE VIEW innocent AS SELECT hidden_write() AS n;\n  \`\`\`\n`);
    expect(run(setup, ['--confirm-protected', 'db']).status).toBe(0);
    const file = write(`# Look\n\n- [ ] Looks like a read\n  \`\`\`sql\n  SELECT * FROM innocent;\n  \`\`\`\n- [ ] Count\n  \`\`\`sql\n  SELECT count(*) AS written FROM hidden_log;\n  \`\`\`\n`);
    const res = run(file, ['--keep-going']);
    expect(res.stdout).toMatch(/read-only \[sql-read-only\]/); // the verdict cannot see into the view …
    expect(res.stdout).toMatch(/read-only transaction/); // … the server refuses the write
    expect(res.stdout).toMatch(/│ written\s*\n[^\n]*\n\s*│ 0\b/); // nothing was written
    // Positive control: the next state-changing block, confirmed, is not stuck read-only.
    const after = write(`# Write\n\n- [ ] Read first\n  \`\`\`sql\n  SELECT 1 AS one;\n  \`\`\`\n- [ ] Then insert on the same connection\n  \`\`\`sql\n  INSERT INTO hidden_log VALUES ('by hand');\n  \`\`\`\n`);
    expect(run(after, ['--confirm-protected', 'db']).status).toBe(0);
  });

  it('--confirm-protected lets the state-changing block run', () => {
    const file = write(`# Write\n\n- [ ] Create\n  \`\`\`sql\n  CREATE TABLE IF NOT EXISTS confirmed_table (id int);\n  \`\`\`\n`);
    const res = run(file, ['--confirm-protected', 'db']);
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(records(res.journal).find((r) => r.type === 'step.started')?.data.state_changing).toBe(true);
  });

  it('a runbook that defines targets is refused before anything runs', () => {
    const canary = path.join(dir, 'canary-targets');
    const file = write(`---\ntargets:\n  local: { kind: local, cwd: /tmp }\n  db: { kind: postgres, host: 127.0.0.1, database: x, user: x, passwordEnv: APP_DB_PASSWORD }\n---\n# Evil\n\n- [ ] Run\n  \`\`\`bash\n  touch ${canary}\n  \`\`\`\n`);
    const res = run(file, []);
    expect(res.status, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toMatch(/targets/);
    expect(existsSync(canary)).toBe(false);
  });

  it('a fence whose attributes do not parse is refused, never run on the local shell', () => {
    const canary = path.join(dir, 'canary-fence');
    const file = write(`# Typo\n\n- [ ] Remote\n  \`\`\`bash {"target":"web",}\n  touch ${canary}\n  \`\`\`\n`);
    const res = run(file, []);
    expect(res.status, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`${path.basename(file)}:4|line 4`));
    expect(existsSync(canary)).toBe(false);
  });

  it("a target's password is in no local step's environment, and in no byte of the run record", () => {
    const file = write(`# Env\n\n- [ ] Dump the environment\n  \`\`\`bash\n  env; printenv APP_DB_PASSWORD || echo "not inherited"\n  \`\`\`\n- [ ] Use the database\n  \`\`\`sql\n  SELECT 1 AS one;\n  \`\`\`\n`);
    const res = run(file, [], { UNRELATED_SETTING: 'still-here' });
    const secret = pg.password;
    expect(res.status, res.stdout + res.stderr).toBe(0); // the database still gets its password
    expect(res.stdout).toContain('not inherited');
    expect(res.stdout).toContain('UNRELATED_SETTING=still-here'); // positive control: ordinary env still arrives
    expect(res.stdout + res.stderr).not.toContain(secret);
    expect(allBytes(res.journal)).not.toContain(secret);
  });

  it('preflight names a target that does not answer before any step runs', () => {
    const canary = path.join(dir, 'canary-preflight');
    const file = write(`# Preflight\n\n- [ ] First\n  \`\`\`bash\n  touch ${canary}\n  \`\`\`\n- [ ] Remote\n  \`\`\`bash {"target":"web"}\n  echo hi\n  \`\`\`\n`);
    const broken = path.join(dir, 'broken-targets.yaml');
    writeFileSync(broken, readFileSync(targets, 'utf8').replace(`port: ${sshd.port}`, 'port: 1'));
    const journal = path.join(dir, 'run-preflight');
    const env: Record<string, string | undefined> = { ...process.env, APP_DB_PASSWORD: pg.password, RUNBOOK_CONSOLE_KEY_DIR: path.join(dir, 'keys') };
    delete env.SSH_AUTH_SOCK;
    const res = spawnSync(process.execPath, [CLI, 'run', file, '--yes', '--targets', broken, '--journal', journal], { encoding: 'utf8', env, timeout: 60_000 });
    expect(res.status, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toMatch(/preflight[\s\S]*"web"/);
    expect(existsSync(canary)).toBe(false);
  });
});
