// Secrets against what a real PostgreSQL says back, through the run engine's own assembly (prepareRun,
// preflight, startRun) and a real journal: a target's password and a secret variable's value, sent to the
// server as data, come back in an error message, a NOTICE, row values (text, json, arrays) and a column
// name. None of them may be in any byte the run writes (journal, output files, result blobs), nor in what
// the session reports. A plain value sent the same way is the control: it arrives in every one of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASK } from '../../src/main/session/mask.js';
import type { PostgresTarget } from '../../src/shared/targets.js';
import { type PostgresHandle, postgresAvailable, startPostgres } from '../infra/postgres.js';
import { postgresTarget } from '../support/targets.js';
import { type EngineRun as Ran, allBytes, runThroughEngine } from './engine-run.js';

const available = postgresAvailable('secret leak tests (postgres)');
const PASSWORD_ENV = 'LEAK_TEST_DB_PASSWORD';
const TOKEN = 'tok-3f9a7c1e5b-secret';
const PLAIN = 'plain-control-7315';

/** The same blocks for each variable: what the server says back holds its value in each place. */
function steps(variable: string): string {
  const sql = (title: string, code: string) => `- [ ] ${title} ${variable}\n  \`\`\`sql\n  ${code}\n  \`\`\`\n`;
  return [
    sql('Error', `SELECT <${variable}>::int AS n`),
    sql('Notice', `DROP TABLE IF EXISTS <${variable}>`),
    sql('Rows', `SELECT <${variable}> AS v, json_build_object('k', <${variable}>::text) AS j, json_build_object(<${variable}>::text, 1) AS keyed, string_to_array(<${variable}>, ',') AS a`),
    sql('Column', `SELECT 1 AS <${variable}>`),
  ].join('');
}

const RUNBOOK = `---
variables:
  TOKEN: { secret: true }
---
# What the server says back

${steps('ECHO')}${steps('TOKEN')}${steps('PLAIN')}`;

describe.skipIf(!available)('secrets in what PostgreSQL says back, through the run engine', () => {
  let server: PostgresHandle;
  let root: string;
  let n = 0;

  beforeAll(async () => {
    server = await startPostgres();
    root = mkdtempSync(path.join(tmpdir(), 'secret-leaks-'));
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /**
   * A whole run as a host makes it: prepare, preflight, start, run, finish. `ask` is the host's question to
   * the operator; like the CLI's, it tells the session of a secret answer only once the session exists.
   */
  function runAll(target: PostgresTarget, env: Record<string, string>, host: { ask?: (q: string) => string | null; secret?: (name: string) => string | null } = {}): Promise<Ran> {
    n++;
    return runThroughEngine({
      root,
      dir: path.join(root, `run-${n}`),
      runId: `run-leak-${String(n).padStart(4, '0')}`,
      text: RUNBOOK,
      targets: { targets: { db: target }, defaults: { sql: 'db' } },
      given: new Map([['ECHO', server.password], ['TOKEN', TOKEN], ['PLAIN', PLAIN]]),
      env,
      baseDir: server.dir,
      ...host,
    });
  }

  /**
   * What came back for `variable`'s steps, in each place: `shown` is its value (the control) or the mask
   * (a secret), so that a secret's absence from the bytes means it was masked there, not that nothing came.
   */
  function expectEveryVector(ran: Ran, variable: string, shown: string): void {
    const outcome = (title: string) => ran.summary.steps.find((s) => s.title === `${title} ${variable}`);
    // PostgreSQL echoes the value in either error: bad syntax, or "out of range" when it starts with enough
    // digits to overflow first (a random hex password does, about one time in a hundred).
    const echoed = new RegExp(`(invalid input syntax for type integer: |value )"${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`);
    expect(outcome('Error')?.reason).toMatch(echoed);
    const notice = ran.events.flatMap((e) => (e.type === 'output' && e.step.title === `Notice ${variable}` ? [e.chunk.data] : []));
    expect(notice.join('')).toContain(`table "${shown}" does not exist, skipping`);
    expect(outcome('Rows')?.blocks[0]?.result.resultSets[0]?.rows).toEqual([[shown, { k: shown }, { [shown]: 1 }, [shown]]]);
    expect(outcome('Column')?.blocks[0]?.result.resultSets[0]?.columns).toEqual([shown]);
  }

  function expectControl(ran: Ran): void {
    expectEveryVector(ran, 'PLAIN', PLAIN);
    // On disk: the error in the journal, the notice in the output file, rows and the column in the result blob.
    expect(allBytes(ran.dir).split(PLAIN).length - 1).toBeGreaterThanOrEqual(5);
  }

  function expectNowhere(ran: Ran, secrets: string[]): void {
    const bytes = allBytes(ran.dir);
    const reported = JSON.stringify({ summary: ran.summary, events: ran.events.map((e) => (e.type === 'output' ? e.chunk : e.type === 'block-end' ? e.outcome : null)) });
    expectEveryVector(ran, 'ECHO', MASK);
    expectEveryVector(ran, 'TOKEN', MASK);
    for (const secret of secrets) {
      expect(bytes.includes(secret), `${secret} written under ${ran.dir}`).toBe(false);
      expect(reported.includes(secret), `${secret} in what the session reported`).toBe(false);
    }
  }

  it('the password (passwordEnv) and a secret variable are in no byte written and nothing reported', async () => {
    const ran = await runAll(postgresTarget(server, PASSWORD_ENV), { [PASSWORD_ENV]: server.password });
    expectControl(ran);
    expectNowhere(ran, [server.password, TOKEN]);
  });

  it('the password from the secret store (passwordSecret) likewise', async () => {
    const ran = await runAll(postgresTarget(server, PASSWORD_ENV, { passwordEnv: undefined, passwordSecret: 'db-pw' }), {}, { secret: (name) => (name === 'db-pw' ? server.password : null) });
    expectControl(ran);
    expectNowhere(ran, [server.password, TOKEN]);
  });

  it('a password the operator typed at preflight, reused by the run without asking again, likewise', async () => {
    const asked: string[] = [];
    const ran = await runAll(postgresTarget(server, PASSWORD_ENV, { passwordEnv: undefined }), {}, {
      ask: (q) => {
        asked.push(q);
        return server.password;
      },
    });
    // Asked once, before the session existed: the host could not tell the session; the engine must.
    expect(asked).toHaveLength(1);
    expectControl(ran);
    expectNowhere(ran, [server.password, TOKEN]);
  });
});
