// `runbook run` end to end from a targets file: one runbook whose steps hit the local shell, a real OpenSSH
// sshd and a real PostgreSQL (both started on 127.0.0.1 by test/infra), with exact exit codes and results.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresHandle, postgresAvailable, startPostgres } from './infra/postgres.js';
import { type SshdHandle, sshdAvailable, startSshd } from './infra/sshd.js';
import { REPO_ROOT } from './support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const available = sshdAvailable('runbook run against sshd and PostgreSQL') && postgresAvailable('runbook run against sshd and PostgreSQL');

const RUNBOOK = `# Release 42

## Pre-checks
- [ ] **Local tools present**
  \`\`\`bash
  echo "local ok"
  \`\`\`
- [ ] **Web host answers**
  \`\`\`bash {"target":"web"}
  echo "remote $(whoami) release <RELEASE>"
  \`\`\`
- [ ] **Orders table ready**
  \`\`\`sql
  CREATE TABLE IF NOT EXISTS orders (id int primary key, note text);
  INSERT INTO orders VALUES (1, '<RELEASE>') ON CONFLICT (id) DO UPDATE SET note = excluded.note;
  SELECT id, note FROM orders WHERE note = '<RELEASE>';
  \`\`\`

## Deploy
- [ ] **Remote step fails with its own status**
  \`\`\`bash {"target":"web"}
  exit 7
  \`\`\`
`;

describe.skipIf(!available)('runbook run: local, ssh and postgres targets from a targets file', () => {
  let sshd: SshdHandle;
  let pg: PostgresHandle;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    [sshd, pg] = await Promise.all([startSshd({ agent: false }), startPostgres()]);
    dir = mkdtempSync(path.join(tmpdir(), 'cli-targets-'));
    file = path.join(dir, 'release.md');
    writeFileSync(file, RUNBOOK);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([sshd?.stop(), pg?.stop()]);
  });

  function targetsFile(name: string, overrides: { knownHosts?: string; passwordEnv?: string } = {}): string {
    const targets = path.join(dir, name);
    writeFileSync(
      targets,
      [
        'targets:',
        `  db:  { kind: postgres, host: 127.0.0.1, port: ${pg.port}, database: ${pg.database}, user: ${pg.user}, passwordEnv: ${overrides.passwordEnv ?? 'APP_DB_PASSWORD'}, sslmode: verify-full, sslrootcert: ${pg.caFile} }`,
        `  web: { kind: ssh, host: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user}, identityFile: ${sshd.userKey.path}, knownHosts: ${overrides.knownHosts ?? sshd.knownHosts}, sshConfig: ${sshd.emptySshConfig}, agent: false }`,
        'defaults: { sql: db }',
        '',
      ].join('\n'),
    );
    return targets;
  }

  const run = (args: string[]) => {
    const env: Record<string, string | undefined> = { ...process.env, APP_DB_PASSWORD: pg.password, WRONG_PASSWORD: 'not-the-password', RUNBOOK_CONSOLE_KEY_DIR: path.join(dir, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(dir, 'runs') };
    delete env.SSH_AUTH_SOCK;
    return spawnSync(process.execPath, [CLI, 'run', file, '--yes', '--var', 'RELEASE=r42', ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  };

  it('runs every step on its target, reports result sets and the remote exit status exactly', () => {
    const res = run(['--targets', targetsFile('targets.yaml'), '--keep-going']);
    expect(res.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/Local tools present[^\n]*\n[^\n]*on local[^\n]*\n  │ » read-only \[shell-read-only\]\n  │ local ok\n  └ succeeded exit 0/);
    expect(res.stdout).toContain(`  │ remote ${sshd.user} release r42\n`);
    expect(res.stdout).toMatch(new RegExp(`└ succeeded exit 0 · \\d+ ms · ${sshd.user}@127\\.0\\.0\\.1:${sshd.port}`));
    // The SQL step: one result per statement, the SELECT's rows as a table, bound as a parameter.
    expect(res.stdout).toMatch(/│ CREATE TABLE/);
    expect(res.stdout).toMatch(/│ INSERT 0 1/);
    expect(res.stdout).toMatch(/│ id\s*│\s*note[\s\S]*│ 1\s*│\s*r42/);
    expect(res.stdout).toMatch(new RegExp(`└ succeeded[^\\n]*app@127\\.0\\.0\\.1:${pg.port}/appdb`));
    expect(res.stdout).toMatch(/Remote step fails[\s\S]*└ failed exit 7/);
    expect(res.stdout).toMatch(/✗ 3 succeeded, 1 failed/);
  });

  it('refuses a changed host key in preflight with a clear error, before anything runs', () => {
    const wrongKnownHosts = path.join(dir, 'wrong_known_hosts');
    writeFileSync(wrongKnownHosts, `[127.0.0.1]:${sshd.port} ${sshd.otherHostKey.publicKey}\n`);
    const res = run(['--targets', targetsFile('wrong-key.yaml', { knownHosts: wrongKnownHosts }), '--only', 'pre-checks/web-host-answers']);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/preflight failed, nothing was run:\n\s+target "web": [^\n]*host key[^\n]*(changed|does not match)/i);
    expect(res.stdout).toBe('');
  });

  it('fails bad database credentials in preflight with a clear error naming the target', () => {
    const res = run(['--targets', targetsFile('bad-password.yaml', { passwordEnv: 'WRONG_PASSWORD' }), '--only', 'pre-checks/orders-table-ready']);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/preflight failed, nothing was run:\n\s+target "db": [^\n]*password authentication failed for user "app"/);
    expect(res.stdout).toBe('');
  });
});
