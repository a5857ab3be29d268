// prepareSql without a server: what PostgreSQL's grammar makes of each place a variable can stand, and
// that the rewrite is what was proven. The same attacks against a real server: sql-values.pg.test.ts.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { preparePsqlSync, prepareSql, prepareSqlSync, type PreparedSql } from '../../src/main/session/sql-values.js';
import { parsePsqlLines } from '../../src/main/targets/postgres/psql-lines.js';
import { loadSqlGrammar, parseStatements } from '../../src/main/targets/postgres/sql-split.js';

const values = (o: Record<string, string>) => new Map(Object.entries(o));
const prepare = (code: string, o: Record<string, string>) => prepareSqlSync(code, values(o));
const codes = (p: PreparedSql) => p.problems.map((q) => [q.variable, q.line, q.code]);

beforeAll(loadSqlGrammar);

describe('prepareSql: values as bind parameters', () => {
  it('a bare placeholder in an expression becomes $n', async () => {
    expect(await prepareSql('SELECT * FROM t WHERE id = <ID>', values({ ID: '5' }))).toEqual({ code: 'SELECT * FROM t WHERE id = $1', params: ['5'], problems: [] });
    expect(prepare('SELECT 1 FROM t LIMIT <N> OFFSET $SKIP', { N: '3', SKIP: '1' })).toMatchObject({ code: 'SELECT 1 FROM t LIMIT $1 OFFSET $2', params: ['3', '1'] });
    expect(prepare('SELECT ${A}::int + <B>::int', { A: '1', B: '2' })).toMatchObject({ code: 'SELECT $1::int + $2::int', params: ['1', '2'] });
  });

  it('a string constant holding variables becomes one parameter: its text with the values put in', () => {
    expect(prepare("SELECT 'prefix-<TAG>-$N'", { TAG: "x' OR '1'='1", N: '7' })).toEqual({ code: 'SELECT $1', params: ["prefix-x' OR '1'='1-7"], problems: [] });
  });

  it('every spelling of a string constant: E, U&, dollar quotes, continuations', () => {
    const p = prepare("SELECT E'a\\n<X>', U&'d\\0061t<X>', $$<X>$$, $q$<X> $$ $q$, 'a'\n'<X>'", { X: 'v' });
    expect(p).toEqual({ code: 'SELECT $1, $2, $3, $4, $5', params: ['a\nv', 'datv', 'v', 'v $$ ', 'av'], problems: [] });
    expect(prepare("SELECT U&'!0041<X>' UESCAPE '!' AS v", { X: 'v' })).toMatchObject({ code: 'SELECT $1 AS v', params: ['Av'] });
  });

  it('a typed literal becomes CAST($n AS type), interval qualifiers and N\'…\' included', () => {
    const p = prepare("SELECT interval '<N> days', interval '<N>' day to second(3), date '<D>', N'<X>', '<X>'::text", { N: '2', D: '2024-01-01', X: 'x' });
    expect(p.code).toBe('SELECT CAST($1 AS interval), CAST($2 AS interval day to second(3)), CAST($3 AS date), CAST($4 AS pg_catalog.bpchar), $5::text');
    expect(p.params).toEqual(['2 days', '2', '2024-01-01', 'x', 'x']);
  });

  it('numbers parameters in order over a multi-statement block, and from firstParam when asked', () => {
    const code = 'UPDATE t SET note = <NOTE> WHERE id = <ID>;\nSELECT * FROM t WHERE id = <ID>;';
    expect(prepare(code, { NOTE: 'n', ID: '4' })).toMatchObject({ code: 'UPDATE t SET note = $1 WHERE id = $2;\nSELECT * FROM t WHERE id = $3;', params: ['n', '4', '4'] });
    expect(prepareSqlSync('SELECT <A>', values({ A: 'a' }), { firstParam: 3 })).toMatchObject({ code: 'SELECT $3', params: ['a'] });
  });

  it('looks placeholders up as "<NAME>" first, then "NAME"; $NAME only as "NAME"', () => {
    expect(prepare('SELECT <A>, <B>, $A', { '<A>': 'angle', A: 'plain', B: 'b' }).params).toEqual(['angle', 'b', 'plain']);
    expect(prepare("SELECT <A>, '$B <C>'", { A: 'a' })).toMatchObject({ code: "SELECT $1, '$B <C>'", params: ['a'] });
  });
});

describe('prepareSql: values as identifiers', () => {
  it('a placeholder the grammar reads as a name is an escaped identifier, case kept', () => {
    expect(prepare('SELECT * FROM <SCHEMA>.<TABLE> WHERE <TABLE>.id = <ID>', { SCHEMA: 'public', TABLE: 'MixedCase', ID: '1' })).toEqual({
      code: 'SELECT * FROM "public"."MixedCase" WHERE "MixedCase".id = $1',
      params: ['1'],
      problems: [],
    });
    expect(prepare('GRANT SELECT ON t TO <ROLE>; INSERT INTO t (<COL>) VALUES (<V>)', { ROLE: 'read"er', COL: 'c', V: 'v' }).code).toBe('GRANT SELECT ON t TO "read""er"; INSERT INTO t ("c") VALUES ($1)');
  });

  it('a "quoted" placeholder is always a name, even in an expression', () => {
    expect(prepare('SELECT "<COL>" FROM t', { COL: 'Total' })).toMatchObject({ code: 'SELECT "Total" FROM t', params: [] });
  });

  it('refuses names PostgreSQL would not keep as given', () => {
    expect(codes(prepare('SELECT 1 AS <A>, 2 AS <B>', { A: '', B: 'x'.repeat(64) }))).toEqual([
      ['A', 1, 'not-an-identifier'],
      ['B', 1, 'not-an-identifier'],
    ]);
  });
});

describe('prepareSql: what it leaves alone', () => {
  it('a block without variables (or whose variables have no value) is returned unchanged, no parse needed', () => {
    for (const code of ['SELECT 1; SELECT 2', "SELECT 'a\\b' FROM <NOPE>", 'not sql at all <X>']) expect(prepare(code, {})).toEqual({ code, params: [], problems: [] });
  });

  it('variables in comments are left as written and use no value', () => {
    const code = "-- it's <X> and $X\n/* <X> /* nested <X> */ */ SELECT 1";
    expect(prepare(code, { X: "'); DROP TABLE canary; --" })).toEqual({ code, params: [], problems: [] });
  });

  it('$1 and $tag$ are SQL, not variables', () => {
    expect(prepare('SELECT $tag$ x $tag$, $1', { tag: 'no' })).toEqual({ code: 'SELECT $tag$ x $tag$, $1', params: [], problems: [] });
  });

  it("rewrites a plain '…' with a backslash as E'…' when values are used, so that no server setting changes its meaning", () => {
    expect(prepare("SELECT 'a\\b', '\\', <X>", { X: '1' }).code).toBe("SELECT E'a\\\\b', E'\\\\', $1");
  });
});

describe('prepareSql: problems', () => {
  it('inside DO blocks and function bodies, quoted or BEGIN ATOMIC', () => {
    const code = [
      "DO $$ BEGIN PERFORM '<X>'; END $$;",
      "CREATE FUNCTION f() RETURNS text AS 'SELECT <X>' LANGUAGE sql;",
      'CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT <X>; END;',
      "CREATE PROCEDURE p() LANGUAGE sql AS $b$ INSERT INTO <T> VALUES ('x') $b$;",
    ].join('\n');
    expect(codes(prepare(code, { X: '1', T: 't' }))).toEqual([
      ['X', 1, 'in-function-body'],
      ['X', 2, 'in-function-body'],
      ['X', 3, 'in-function-body'],
      ['T', 4, 'in-function-body'],
    ]);
  });

  it('part of a keyword, of a larger name, of a quoted name; where a keyword must stand', () => {
    const code = ['SELECT tbl_<X> FROM t;', 'SELECT "o\'k <X>" FROM t;', 'SELECT 1 FROM t ORDER BY a <DIR>;', '<VERB> 1;'].join('\n');
    expect(codes(prepare(code, { X: '1', DIR: 'DESC', VERB: 'SELECT' }))).toEqual([
      ['X', 1, 'partial-identifier'],
      ['X', 2, 'partial-identifier'],
      ['DIR', 3, 'in-keyword'],
      ['VERB', 4, 'in-keyword'],
    ]);
  });

  it('option and setting names choose what a statement does: keywords, though spelled as names', () => {
    expect(codes(prepare('EXPLAIN (<OPT>) DELETE FROM t;\nSET <GUC> = 1;\nSHOW <GUC>;\nCOPY t TO STDOUT (<OPT> true)', { OPT: 'analyze', GUC: 'work_mem' }))).toEqual([
      ['OPT', 1, 'in-keyword'],
      ['GUC', 2, 'in-keyword'],
      ['GUC', 3, 'in-keyword'],
      ['OPT', 4, 'in-keyword'],
    ]);
    // A setting's value is data.
    expect(prepare('SET search_path = <SCHEMA>', { SCHEMA: 'Ops' }).code).toBe('SET search_path = "Ops"');
  });

  it('a string the grammar keeps as part of the statement cannot be a parameter', () => {
    expect(codes(prepare("COPY t FROM '<F>';\nCOMMENT ON TABLE t IS '<C>';\nSELECT B'<BITS>'", { F: '/tmp/f', C: 'c', BITS: '01' }))).toEqual([
      ['F', 1, 'not-bindable'],
      ['C', 2, 'not-bindable'],
      ['BITS', 3, 'not-bindable'],
    ]);
  });

  it('a value in a statement the server takes no bind parameters in is refused up front', () => {
    expect(codes(prepare("CREATE VIEW v AS SELECT '<X>' AS x;\nCREATE TABLE <T> (c text DEFAULT <X>);\nCREATE TABLE t2 AS SELECT <X> AS c;\nEXPLAIN SELECT '<X>'", { X: 'x', T: 't' }))).toEqual([
      ['X', 1, 'not-bindable'],
      ['X', 2, 'not-bindable'],
    ]);
  });

  it("right after a backslash in E'…', the escape would take the value's start", () => {
    expect(codes(prepare("SELECT E'\\<X>'", { X: 'rest' }))).toEqual([['X', 1, 'in-escape']]);
  });

  it('PREPARE … AS takes no added parameter; a block with $n of its own takes none either', () => {
    expect(codes(prepare('PREPARE q AS SELECT <X>;\nEXECUTE q2(<X>)', { X: '1' }))).toEqual([['X', 1, 'in-prepare']]);
    expect(codes(prepare('SELECT $1, <X>', { X: '1' }))).toEqual([['X', 1, 'positional-parameter']]);
  });

  it('a block that does not parse: the value at the error is in-keyword, every other a parse-error, each listed', () => {
    const p = prepare('SELECT <A>;\nSELEC <B>;\nSELECT 1 FROM t ORDER BY 1 <C>;\nDO $$ <D> $$', { A: '1', B: '2', C: 'x', D: 'y' });
    expect(codes(p)).toEqual([
      ['A', 1, 'parse-error'],
      ['B', 2, 'parse-error'],
      ['C', 3, 'in-keyword'],
      ['D', 4, 'in-function-body'],
    ]);
    expect(p.problems[1]?.message).toMatch(/syntax error at or near "SELEC"/);
    expect(p.problems[2]?.message).toContain('"<C>"'); // messages quote the block as written, not markers
    expect(p.code).toBe('SELECT <A>;\nSELEC <B>;\nSELECT 1 FROM t ORDER BY 1 <C>;\nDO $$ <D> $$');
  });

  it('an unterminated string or comment is a parse-error for every variable', () => {
    expect(codes(prepare("SELECT <A>, 'abc", { A: '1' }))).toEqual([['A', 1, 'parse-error']]);
    expect(codes(prepare('SELECT <A> /* abc', { A: '1' }))).toEqual([['A', 1, 'parse-error']]);
  });

  it('a NUL in the block is a parse-error, never a proof over part of the text', () => {
    expect(codes(prepare('SELECT <A>\0; DROP TABLE canary', { A: '1' }))).toEqual([['A', 1, 'parse-error']]);
  });

  it('a block calling a function that runs SQL text (query_to_xml, dblink …) takes no values, wherever they stand', () => {
    const p = prepare("SELECT query_to_xml('<Q>', true, true, '')", { Q: 'DELETE FROM t RETURNING 1' });
    expect(codes(p)).toEqual([['Q', 1, 'evaluated-block']]);
    expect(p.problems[0]?.message).toBe('the SQL calls query_to_xml, which runs SQL text it is given; a value could reach it, so the SQL takes no values');
    expect(p).toMatchObject({ code: "SELECT query_to_xml('<Q>', true, true, '')", params: [] });
    // Every value of the block, in any statement, schema-qualified or not, besides its own problems.
    expect(codes(prepare("SELECT set_config('x', <A>, false);\nSELECT * FROM public.DBLINK('db', current_setting('x')) AS r(a int) WHERE a = <B>\n-- <C>", { A: 'v', B: '1', C: 'c' }))).toEqual([
      ['A', 1, 'evaluated-block'],
      ['B', 2, 'evaluated-block'],
    ]);
    expect(codes(prepare("SELECT <F>(1) FROM ts_stat('SELECT 1')", { F: 'f' }))).toEqual([
      ['F', 1, 'function-name'],
      ['F', 1, 'evaluated-block'],
    ]);
    // Positive control: an ordinary function, and an evaluator called with no value in the block.
    expect(prepare("SELECT xmlelement(name x, '<Q>')", { Q: 'q' })).toMatchObject({ problems: [], params: ['q'] });
    expect(prepare("SELECT query_to_xml('SELECT 1', true, true, '') -- <Q>", { Q: 'q' })).toMatchObject({ problems: [], params: [] });
  });
});

describe('prepareSql: the proof', () => {
  // Places a variable can stand, with what prepareSql must do there.
  const contexts = [
    'SELECT <X>',
    "SELECT 'a<X>b'",
    "SELECT E'\\n<X>'",
    "SELECT U&'<X>'",
    'SELECT $$<X>$$',
    "SELECT interval '<X>'",
    'SELECT 1 AS <X>',
    'SELECT 1 AS "<X>"',
    "SELECT \"o'k\", '<X>' FROM t",
    "-- it's\nSELECT '<X>'",
    '/* it\'s */ SELECT <X>',
    'SELECT * FROM <X>.t',
  ];
  const value = fc
    .array(fc.oneof(fc.constantFrom("'", '"', '\\', '$', '$$', '--', '/*', '*/', ';', '\n', 'é', '😀', '<X>', '$X', '$1', "E'", 'U&'), fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: 8 })
    .map((parts) => parts.join('').replace(/\0/g, ''));

  it('whatever the value, the rewrite parses to the same tree with the value only in a parameter or a quoted name', () => {
    fc.assert(
      fc.property(fc.constantFrom(...contexts), value, (context, x) => {
        const p = prepare(context, { X: x });
        if (p.problems.length > 0) {
          expect(p.problems.every((q) => q.code === 'not-an-identifier' && q.variable === 'X')).toBe(true);
          return;
        }
        const marked = parseStatements(context.replace(/<X>/g, 'placeholder_x'));
        const rewritten = parseStatements(p.code);
        expect(marked.ok && rewritten.ok).toBe(true);
        if (!marked.ok || !rewritten.ok) return;
        expect(rewritten.statements.map((s) => s.kind)).toEqual(marked.statements.map((s) => s.kind));
        // The value is never in the code except inside one double-quoted name.
        const names = [...p.code.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => (m[1] as string).replace(/""/g, '"'));
        if (p.params.length === 0) expect(names).toContain(x);
      }),
      { numRuns: 300 },
    );
  });
});

describe('preparePsql', () => {
  it('prepares each -c text as SQL, numbering parameters across the block; other words take the value whole', () => {
    const code = ['# <DB> is only a note', 'psql -d <DB> -c "SELECT * FROM t WHERE id = <ID>"', "psql -X -c 'SELECT $$<ID>$$, <NAME>'"].join('\n');
    const p = preparePsqlSync(code, values({ DB: 'app db', ID: "1'; DROP TABLE canary; --", NAME: 'n' }));
    expect(p.problems).toEqual([]);
    expect(p.params).toEqual(["1'; DROP TABLE canary; --", "1'; DROP TABLE canary; --", 'n']);
    const lines = parsePsqlLines(p.code);
    if (!lines.ok) throw new Error(lines.reason);
    expect(lines.invocations.map((i) => [i.line, i.commands, i.flags])).toEqual([
      [2, ['SELECT * FROM t WHERE id = $1'], { database: 'app db' }],
      [3, ['SELECT $2, $3'], {}],
    ]);
    expect(p.code.split('\n')[0]).toBe('# <DB> is only a note');
  });

  it('lists problems by block line, and refuses $n of the block\'s own beside added parameters', () => {
    const p = preparePsqlSync('psql -c "SELECT 1"\npsql -c "DO \\$\\$ BEGIN PERFORM <X>; END \\$\\$"', values({ X: '1' }));
    expect(codes(p)).toEqual([['X', 2, 'in-function-body']]);
    expect(codes(preparePsqlSync("psql -c 'SELECT $1'\npsql -c 'SELECT <X>'", values({ X: '1' })))).toEqual([['X', 2, 'positional-parameter']]);
  });

  it('refuses the values of a -c text calling a function that runs SQL text', () => {
    expect(codes(preparePsqlSync(`psql -c "SELECT 1"\npsql -c "SELECT dblink_exec('db', '<Q>')"`, values({ Q: 'DROP TABLE t' })))).toEqual([['Q', 2, 'evaluated-block']]);
  });

  it('leaves a block without values as it is', () => {
    const code = "psql -c 'SELECT 1'  # x";
    expect(preparePsqlSync(code, values({}))).toEqual({ code, params: [], problems: [] });
  });
});
