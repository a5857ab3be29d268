import { describe, expect, it } from 'vitest';
import { type BlockPlan, offsetOfPosition, planBlock, type PlanTarget } from '../../../src/main/targets/postgres/plan.js';
import { parseCommandTag } from '../../../src/main/targets/postgres/statement-query.js';
import { isoTimestamp, paramText } from '../../../src/main/targets/postgres/values.js';
import type { ExecutionRequest } from '../../../src/main/targets/types.js';

const target: PlanTarget = { host: '127.0.0.1', port: 5432, user: 'app', database: 'appdb', endpoint: 'app@127.0.0.1:5432/appdb (verify-full)' };
const request = (code: string, extra: Partial<ExecutionRequest> = {}): ExecutionRequest => ({ blockId: 'b', action: 'sql', code, onOutput: () => undefined, ...extra });
const plan = (code: string, extra: Partial<ExecutionRequest> = {}) => planBlock(request(code, extra), target);
const units = (p: BlockPlan) => (p.ok ? p.groups.flatMap((g) => g.units) : []);

describe('planBlock', () => {
  it('sends a block without parameters whole, as one simple-protocol query', async () => {
    const p = await plan('SELECT 1; SELECT 2');
    expect(p.ok && p.groups.map((g) => [g.atomic, g.units.map((u) => [u.text, u.values, u.statementCount])])).toEqual([[false, [['SELECT 1; SELECT 2', undefined, 2]]]]);
  });

  it('sends a block that does not parse whole too: the server says what is wrong, and nothing runs', async () => {
    const p = await plan("SELECT 1; SELECT 'unterminated");
    expect(units(p).map((u) => [u.text, u.statementCount])).toEqual([["SELECT 1; SELECT 'unterminated", 1]]);
    expect(units(await plan('SELECT 1; SELEC 2'))[0]?.failedStatement(1)).toBe('statement 2 of 2 (line 1)');
  });

  it('sends a block with parameters statement by statement, each with the values it uses, atomically', async () => {
    const p = await plan('SELECT $2; SELECT 1; SELECT $1, $2', { params: ['a', 'b'] });
    if (!p.ok) throw new Error(p.error);
    expect(units(p).map((u) => [u.text, u.values])).toEqual([['SELECT $1;', ['b']], ['SELECT 1;', undefined], ['SELECT $1, $2', ['a', 'b']]]);
    expect(p.groups.map((g) => g.atomic)).toEqual([true]);
  });

  it('cuts where the server\'s grammar does: comments with apostrophes, "o\'k" names, E\'…\' strings', async () => {
    const p = await plan("-- it's\nSELECT 1 AS \"o'k\", $1; SELECT E'\\'', $2 /* ' */; SELECT $1", { params: ['a', 'b'] });
    expect(units(p).map((u) => [u.text, u.values])).toEqual([
      ["SELECT 1 AS \"o'k\", $1;", ['a']],
      ["SELECT E'\\'', $1 /* ' */;", ['b']],
      ['SELECT $1', ['a']],
    ]);
  });

  it('does not wrap a parameterised block that manages its own transaction', async () => {
    const p = await plan('BEGIN; UPDATE t SET x = $1; COMMIT;', { params: ['1'] });
    expect(p.ok && p.groups.map((g) => g.atomic)).toEqual([false]);
  });

  it('refuses to cut a parameterised block that does not parse', async () => {
    expect(await plan("SELECT $1::text; SELECT 'unterminated", { params: ['x'] })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^cannot run this block with bind parameters: it does not parse \(line 1: unterminated quoted string at or near "'unterminated"\)/),
    });
  });

  it('refuses $n a parameterised block cannot tell apart from a routine\'s or PREPARE\'s own arguments', async () => {
    expect(await plan('PREPARE q(int) AS SELECT $1; EXECUTE q($1)', { params: ['1'] })).toMatchObject({ ok: false, error: expect.stringMatching(/statement 1 of 2 \(line 1\) is a PREPARE using \$1/) });
    expect(await plan('CREATE FUNCTION f(int) RETURNS int LANGUAGE sql RETURN $1; SELECT f($1)', { params: ['1'] })).toMatchObject({ ok: false, error: expect.stringMatching(/function or procedure definition/) });
  });

  it('refuses a parameter number beyond those supplied', async () => {
    expect(await plan('SELECT $1, $3', { params: ['a', 'b'] })).toMatchObject({ ok: false, error: expect.stringMatching(/uses \$3, but there are 2 parameters/) });
  });

  it("refuses to cut a parameterised block whose '…' holds a backslash: standard_conforming_strings decides where it ends", async () => {
    expect(await plan("SELECT 'a\\'; SELECT $1", { params: ['x'] })).toMatchObject({ ok: false, error: expect.stringMatching(/'…' string with a backslash at line 1 .*standard_conforming_strings.*E'…'/) });
    expect((await plan("SELECT E'a\\\\'; SELECT $1", { params: ['x'] })).ok).toBe(true);
    expect((await plan("SELECT 'a\\'; SELECT 1")).ok).toBe(true);
  });

  it('refuses actions a postgres target does not run', async () => {
    expect(await plan('up{}', { action: 'promql' })).toMatchObject({ ok: false, error: 'a postgres target runs sql blocks and psql lines, not promql blocks' });
  });

  it('refuses psql meta-commands, in a sql block and inside a psql -c text', async () => {
    expect(await plan('SELECT 1 AS n\n\\gset')).toMatchObject({ ok: false, error: expect.stringMatching(/^line 2: \\gset is a psql meta-command/) });
    expect(await plan("psql -c '\\dt'", { action: 'shell' })).toMatchObject({ ok: false, error: expect.stringMatching(/^this block is not psql commands; bind it to a shell target: psql line 1, line 1: \\dt is a psql meta-command/) });
  });

  it('runs a psql -c text holding the block\'s parameters statement by statement, as its own atomic group', async () => {
    const p = await plan("psql -c 'SELECT 1'\npsql -c 'SELECT $2; SELECT $1, 3'", { action: 'shell', params: ['a', 'b'] });
    if (!p.ok) throw new Error(p.error);
    expect(p.groups.map((g) => [g.atomic, g.units.map((u) => [u.text, u.values])])).toEqual([
      [false, [['SELECT 1', undefined]]],
      [true, [['SELECT $1;', ['b']], ['SELECT $1, 3', ['a']]]],
    ]);
    expect(p.groups[1]?.atomicNote).toMatch(/^psql line 2: ran its statements in one transaction/);
    expect(p.groups[1]?.units[1]?.failedStatement(0)).toBe('psql line 2, statement 2');
  });

  it('locates a server position in the block, counting characters as the server does', async () => {
    const p = await plan('SELECT 1;\nSELECT \u{1F600}, nope');
    if (!p.ok) throw new Error(p.error);
    // Server positions count characters: the emoji is one, though two UTF-16 units.
    const position = [...'SELECT 1;\nSELECT \u{1F600}, '].length + 1;
    expect(units(p)[0]?.locate(position)).toBe('line 2, column 12');
    expect(offsetOfPosition('a\u{1F600}b', 3)).toBe(3);
  });
});

describe('values and tags', () => {
  it('writes timestamps as ISO 8601 without losing digits, and leaves what it does not recognise', () => {
    expect(isoTimestamp('2024-05-01 12:34:56.123456+02')).toBe('2024-05-01T12:34:56.123456+02:00');
    expect(isoTimestamp('2024-05-01 12:34:56-03:30')).toBe('2024-05-01T12:34:56-03:30');
    expect(isoTimestamp('2024-05-01 12:34:56')).toBe('2024-05-01T12:34:56');
    expect(isoTimestamp('infinity')).toBe('infinity');
    expect(isoTimestamp('0044-03-15 12:00:00+00 BC')).toBe('0044-03-15 12:00:00+00 BC');
  });

  it('sends bind parameters as text', () => {
    expect([paramText('x'), paramText(5), paramText(true), paramText(null), paramText(undefined), paramText({ a: 1 })]).toEqual(['x', '5', 'true', null, null, '{"a":1}']);
  });

  it('splits command tags into command and row count', () => {
    expect(parseCommandTag('INSERT 0 5')).toEqual({ command: 'INSERT', rowCount: 5 });
    expect(parseCommandTag('SELECT 3')).toEqual({ command: 'SELECT', rowCount: 3 });
    expect(parseCommandTag('CREATE TABLE')).toEqual({ command: 'CREATE TABLE', rowCount: null });
  });
});
