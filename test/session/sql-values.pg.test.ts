// Values are data, never code, against a real PostgreSQL: each attack either arrives literally (read back
// with SELECT) or is refused with a problem naming the variable and its line; the canary table survives.
// Blocks go the way a run sends them: prepareSql/preparePsql, then the postgres executor.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePsql, prepareSql, type PreparedSql } from '../../src/main/session/sql-values.js';
import { createPostgresExecutor } from '../../src/main/targets/postgres/executor.js';
import { planBlock } from '../../src/main/targets/postgres/plan.js';
import type { ExecutionResult, Executor } from '../../src/main/targets/types.js';
import { type PostgresHandle, postgresAvailable, startPostgres } from '../infra/postgres.js';

const available = postgresAvailable('sql values tests');
const PASSWORD_ENV = 'RUNBOOK_TEST_DB_PASSWORD';

let server: PostgresHandle;
let db: Executor;

beforeAll(async () => {
  if (!available) return;
  server = await startPostgres();
  db = createPostgresExecutor(
    'db',
    { kind: 'postgres', host: server.host, port: server.port, database: server.database, user: server.user, passwordEnv: PASSWORD_ENV, sslmode: 'verify-full', sslrootcert: server.caFile },
    { baseDir: server.dir, env: { [PASSWORD_ENV]: server.password }, ask: async () => null, confirm: async () => false },
  );
  const setup = await exec('CREATE TABLE canary (id int); INSERT INTO canary VALUES (1); CREATE TABLE "Ledger" (id int, note text); INSERT INTO "Ledger" VALUES (1, \'one\'), (2, \'two\'), (3, \'three\');');
  expect(setup.status, setup.error ?? '').toBe('succeeded');
}, 60_000);

afterAll(async () => {
  await db?.close();
  await server?.stop();
});

const exec = (code: string, params: string[] = [], action: 'sql' | 'shell' = 'sql'): Promise<ExecutionResult> =>
  db.start({ blockId: 'b', action, code, ...(params.length > 0 ? { params } : {}), onOutput: () => undefined }).result;

/** The run's way: prepare with the values, refuse on any problem, else send what was prepared. */
async function runWith(code: string, values: Record<string, string>, action: 'sql' | 'shell' = 'sql'): Promise<{ prepared: PreparedSql; result: ExecutionResult | null }> {
  const map = new Map(Object.entries(values));
  const prepared = action === 'sql' ? await prepareSql(code, map) : await preparePsql(code, map);
  if (prepared.problems.length > 0) return { prepared, result: null };
  return { prepared, result: await exec(prepared.code, prepared.params, action) };
}

async function canaryAlive(): Promise<void> {
  const check = await exec("SELECT to_regclass('canary') IS NOT NULL AS there");
  expect(check.resultSets[0]?.rows).toEqual([[true]]);
  const rows = await exec('SELECT count(*)::int FROM canary');
  expect(rows.resultSets[0]?.rows).toEqual([[1]]);
}

const ATTACKS = ["'); DROP TABLE canary; --", "x' OR '1'='1", "\\'; drop table canary; --", '$$; drop table canary; $$', '*/ drop table canary; /*'];

/** Where a value stands, and what reading it back must give (or that the step is refused, by code). */
type Context = { code: string; action?: 'sql' | 'shell' } & ({ rows: (x: string) => unknown[][][] } | { columns: (x: string) => string[] } | { refused: string } | { error: (x: string) => string });

const CONTEXTS: Context[] = [
  { code: "-- it's <X>\nSELECT '<X>' AS v", rows: (x) => [[[x]]] },
  { code: "/* it's */ SELECT 1 AS \"o'k\", <X> AS v", rows: (x) => [[[1, x]]] },
  { code: "SELECT \"o'k\".v FROM (SELECT '<X>' AS v) AS \"o'k\" -- it's", rows: (x) => [[[x]]] },
  { code: "SELECT E'\\t<X>' AS v", rows: (x) => [[[`\t${x}`]]] },
  { code: "SELECT U&'\\0041<X>' AS v", rows: (x) => [[[`A${x}`]]] },
  { code: 'SELECT $$<X>$$ AS v, $q$ <X> $q$ AS w', rows: (x) => [[[x, ` ${x} `]]] },
  { code: "SELECT '<X>' AS v;\n-- it's\nSELECT length(${X}) AS n, <X> AS w", rows: (x) => [[[x]], [[[...x].length, x]]] },
  { code: "SELECT text 'pre-<X>' AS v", rows: (x) => [[[`pre-${x}`]]] },
  { code: 'SELECT 1 AS <X>', columns: (x) => [x] },
  { code: "SELECT \"<X>\".id FROM canary AS \"<X>\"", columns: () => ['id'] },
  { code: "psql -c \"SELECT '<X>' AS v\" -c 'SELECT <X> AS w'", action: 'shell', rows: (x) => [[[x]], [[x]]] },
  { code: "SELECT interval '<X> days'", error: (x) => `invalid input syntax for type interval: "${x} days"` },
  { code: 'SELECT count(*) FROM <X>', error: (x) => `relation "${x}" does not exist` },
  { code: "DO $$ BEGIN PERFORM '<X>'; END $$", refused: 'in-function-body' },
  { code: 'SELECT 1 FROM canary ORDER BY id <X>', refused: 'in-keyword' },
  { code: 'SELECT tbl_<X> FROM canary', refused: 'partial-identifier' },
];

/** Runs one context with one value and checks the outcome: literal arrival or a refusal naming X, canary alive. */
async function attack(context: Context, x: string): Promise<void> {
  const { prepared, result } = await runWith(context.code, { X: x }, context.action);
  const where = `${context.code} with X=${JSON.stringify(x)}`;
  if (result === null) {
    for (const p of prepared.problems) {
      expect(p.variable, where).toBe('X');
      expect(p.line, where).toBeGreaterThanOrEqual(1);
      expect(p.line, where).toBeLessThanOrEqual(context.code.split('\n').length);
    }
    // Only a name the server would not keep as given may be refused where a value can stand.
    const allowed = 'refused' in context ? [context.refused] : ['not-an-identifier'];
    expect(prepared.problems.map((p) => p.code).every((c) => allowed.includes(c)), `${where}: ${JSON.stringify(prepared.problems)}`).toBe(true);
  } else if ('rows' in context) {
    expect(result.status, `${where}: ${result.error}`).toBe('succeeded');
    expect(result.resultSets.map((r) => r.rows), where).toEqual(context.rows(x));
  } else if ('columns' in context) {
    expect(result.status, `${where}: ${result.error}`).toBe('succeeded');
    expect(result.resultSets[0]?.columns, where).toEqual(context.columns(x));
  } else if ('error' in context) {
    expect(result.status, where).toBe('failed');
    expect(result.error, where).toContain(context.error(x));
  } else {
    throw new Error(`${where}: ran, but must be refused (${context.refused})`);
  }
  await canaryAlive();
}

describe.skipIf(!available)('values are data against a real PostgreSQL', () => {
  describe('attacks', () => {
    for (const context of CONTEXTS) {
      it(`${context.code.replace(/\n/g, '⏎')}`, async () => {
        for (const x of ATTACKS) await attack(context, x);
      });
    }

    it('refusals name the variable and its line within the block', async () => {
      const code = ["SELECT '<X>' AS fine;", 'DO $$ BEGIN PERFORM <X>; END $$;', 'SELECT 1 FROM canary ORDER BY id <X>;', "COPY canary TO '<X>'"].join('\n');
      const { prepared, result } = await runWith(code, { X: ATTACKS[0] as string });
      expect(result).toBeNull();
      // Line 3 does not parse, so line 1, though fine on its own, cannot be proven either.
      expect(prepared.problems.map((p) => [p.variable, p.line, p.code])).toEqual([
        ['X', 1, 'parse-error'],
        ['X', 2, 'in-function-body'],
        ['X', 3, 'in-keyword'],
        ['X', 4, 'not-bindable'],
      ]);
      await canaryAlive();
    });
  });

  describe('property: any value, any context', () => {
    const piece = fc.oneof(
      fc.constantFrom("'", '"', '\\', '$', '$$', '$q$', '--', '/*', '*/', ';', '\n', "E'", 'U&', '$1', '<X>', '${X}', 'DROP TABLE canary', 'é', '😀', ' '),
      fc.string({ unit: 'grapheme', maxLength: 5 }),
    );
    const value = fc.array(piece, { maxLength: 10 }).map((parts) => parts.join('').replace(/\0/g, ''));

    it('arrives literally or is refused; the canary never disappears', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...CONTEXTS), value, async (context, x) => attack(context, x)),
        { numRuns: 100 },
      );
    }, 120_000);
  });

  describe('positive controls', () => {
    it('WHERE id = <ID>, a string prefix, a mixed-case <SCHEMA>.<TABLE>, LIMIT <N>', async () => {
      const { prepared, result } = await runWith("SELECT id, note, 'prefix-<TAG>' AS tag FROM <SCHEMA>.<TABLE> WHERE id >= <ID> ORDER BY id LIMIT <N>", {
        ID: '2',
        TAG: 'blue',
        SCHEMA: 'public',
        TABLE: 'Ledger',
        N: '1',
      });
      expect(prepared.code).toBe('SELECT id, note, $1 AS tag FROM "public"."Ledger" WHERE id >= $2 ORDER BY id LIMIT $3');
      expect(result?.status, result?.error ?? '').toBe('succeeded');
      expect(result?.resultSets[0]?.rows).toEqual([[2, 'two', 'prefix-blue']]);
    });

    it('a multi-statement block with variables in several statements runs all or nothing', async () => {
      const code = ['INSERT INTO "Ledger" VALUES (<ID>, <NOTE>);', 'UPDATE "Ledger" SET note = note || \'-<SUFFIX>\' WHERE id = <ID>;', 'SELECT note FROM <TABLE> WHERE id = <ID>;'].join('\n');
      const ok = await runWith(code, { ID: '10', NOTE: "ten'", SUFFIX: "x'; --", TABLE: 'Ledger' });
      expect(ok.result?.status, ok.result?.error ?? '').toBe('succeeded');
      expect(ok.result?.resultSets.map((r) => r.rows)).toEqual([[], [], [["ten'-x'; --"]]]);
      expect(ok.result?.notes).toContain('ran the statements in one transaction (BEGIN … COMMIT), as PostgreSQL runs a multi-statement block without parameters');

      const failed = await runWith(code, { ID: '11', NOTE: 'eleven', SUFFIX: 's', TABLE: 'NoSuchTable' });
      expect(failed.result?.status).toBe('failed');
      expect(failed.result?.error).toMatch(/^statement 3 of 3 \(line 3\): ERROR: relation "NoSuchTable" does not exist/);
      const after = await exec('SELECT count(*)::int FROM "Ledger" WHERE id = 11');
      expect(after.resultSets[0]?.rows).toEqual([[0]]);
    });

    it('a block without variables is sent unchanged, as one simple query', async () => {
      const code = "SELECT 1 AS a; SELECT 'x\\y' AS b -- <X> is no variable here";
      const prepared = await prepareSql(code, new Map([['Y', 'unused']]));
      expect(prepared).toEqual({ code, params: [], problems: [] });
      const plan = await planBlock({ blockId: 'b', action: 'sql', code: prepared.code, onOutput: () => undefined }, { host: '', port: 0, user: '', database: '', endpoint: '' });
      expect(plan.ok && plan.groups.map((g) => g.units.map((u) => [u.text, u.values, u.statementCount]))).toEqual([[[code, undefined, 2]]]);
      const result = await exec(prepared.code);
      expect(result.resultSets.map((r) => r.rows)).toEqual([[[1]], [['x\\y']]]);
    });

    it("a plain '…' with a backslash keeps its meaning when the session has standard_conforming_strings off", async () => {
      await exec('SET standard_conforming_strings = off');
      try {
        // Written by hand, '\' would open a string the server ends later; prepareSql writes it as E'\\'.
        const { prepared, result } = await runWith("SELECT '\\' AS a, \"<COL>\" FROM (SELECT 1 AS \"<COL>\") AS t -- ', (SELECT count(*) FROM canary)", { COL: "c' , (SELECT 1) AS '" });
        expect(prepared.code.startsWith("SELECT E'\\\\' AS a")).toBe(true);
        expect(result?.status, result?.error ?? '').toBe('succeeded');
        expect(result?.resultSets[0]?.rows).toEqual([['\\', 1]]);
      } finally {
        await exec('RESET standard_conforming_strings');
      }
      await canaryAlive();
    });
  });
});
