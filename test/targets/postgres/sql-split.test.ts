import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { OffsetMap, bindStatement, isTransactionControl, lineAndColumn, loadSqlGrammar, scanTokens, splitSql } from '../../../src/main/targets/postgres/sql-split.js';

const texts = (code: string) => splitSql(code).statements.map((s) => s.text);

beforeAll(loadSqlGrammar);

describe('splitSql: where statements end (PostgreSQL\'s own grammar)', () => {
  it('splits at top-level semicolons and keeps the last statement without one', () => {
    expect(texts('SELECT 1; SELECT 2')).toEqual(['SELECT 1;', 'SELECT 2']);
    expect(texts('SELECT 1;\n\nSELECT 2;\n')).toEqual(['SELECT 1;', 'SELECT 2;']);
  });

  it('drops empty statements and statements made only of comments', () => {
    expect(texts(';; SELECT 1;; -- nothing here\n /* nor here */ ;')).toEqual(['SELECT 1;']);
    expect(texts('-- only a comment\n')).toEqual([]);
  });

  it('does not split inside quoted strings, doubled quotes included', () => {
    expect(texts("SELECT 'a;b'; SELECT 'it''s; fine'")).toEqual(["SELECT 'a;b';", "SELECT 'it''s; fine'"]);
  });

  it('honours backslash escapes in E strings only', () => {
    expect(texts("SELECT E'a\\';b'; SELECT 2")).toEqual(["SELECT E'a\\';b';", 'SELECT 2']);
    expect(texts("SELECT e'\\\\'; SELECT 2")).toEqual(["SELECT e'\\\\';", 'SELECT 2']);
    // standard_conforming_strings on: a backslash in '…' is an ordinary character.
    expect(texts("SELECT 'a\\'; SELECT 2")).toEqual(["SELECT 'a\\';", 'SELECT 2']);
  });

  it('does not split inside quoted identifiers, one holding an apostrophe included', () => {
    expect(texts('SELECT 1 AS "a;b", 2 AS "say ""x;"""; SELECT 2')).toEqual(['SELECT 1 AS "a;b", 2 AS "say ""x;""";', 'SELECT 2']);
    expect(texts(`SELECT 1 AS "o'k"; SELECT ';'`)).toEqual([`SELECT 1 AS "o'k";`, "SELECT ';'"]);
  });

  it('does not split inside dollar quotes, tagged or not', () => {
    const code = "DO $$ BEGIN RAISE NOTICE 'x;'; END $$;\nCREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $fn$ BEGIN RETURN '$$;'; END $fn$;\nSELECT f()";
    expect(texts(code)).toHaveLength(3);
    expect(texts(code)[1]).toContain('$fn$;');
  });

  it('treats $ inside an identifier as part of it, not as a dollar quote', () => {
    expect(texts('SELECT a$b$c FROM t; SELECT 2')).toEqual(['SELECT a$b$c FROM t;', 'SELECT 2']);
  });

  it("does not split inside comments, and block comments nest; an apostrophe in a comment is no quote", () => {
    const code = "-- a; b it's\nSELECT 1 /* x; /* nested; */ still comment; */ ; SELECT 2";
    const scan = splitSql(code);
    expect(scan.statements.map((s) => s.text)).toEqual(['SELECT 1 /* x; /* nested; */ still comment; */ ;', 'SELECT 2']);
    expect(scan.statements[0]?.line).toBe(2);
  });

  it('does not split inside parentheses (CREATE RULE … DO (a; b))', () => {
    const code = 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1';
    expect(texts(code)).toHaveLength(2);
  });

  it('keeps a BEGIN ATOMIC … END body together, CASE … END inside it included', () => {
    const code = [
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql',
      'BEGIN ATOMIC',
      '  SELECT 1;',
      '  SELECT CASE WHEN true THEN 1 ELSE 2 END;',
      'END;',
      'CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;',
      'SELECT f()',
    ].join('\n');
    const scan = splitSql(code);
    expect(scan.statements.map((s) => [s.line, s.kind])).toEqual([[1, 'CreateFunctionStmt'], [6, 'CreateFunctionStmt'], [7, 'SelectStmt']]);
    expect(scan.problem).toBeNull();
  });

  it('splits BEGIN; … COMMIT; as transaction statements', () => {
    const scan = splitSql('BEGIN; UPDATE t SET x = 1; COMMIT;');
    expect(scan.statements.map((s) => s.text)).toEqual(['BEGIN;', 'UPDATE t SET x = 1;', 'COMMIT;']);
    expect(scan.statements.map(isTransactionControl)).toEqual([true, false, true]);
    expect(isTransactionControl(splitSql("PREPARE TRANSACTION 'x'").statements[0]!)).toBe(true);
    expect(isTransactionControl(splitSql('PREPARE q AS SELECT 1').statements[0]!)).toBe(false);
  });

  it('reads U&, B, X and N literals as strings', () => {
    expect(texts("SELECT U&'d\\0061t;', B'1', X'1F', N'n;', U&\"a;b\"; SELECT 2")).toHaveLength(2);
  });

  it('counts offsets in UTF-16 code units, whatever libpg-query counts', () => {
    const code = "SELECT 'é😀;'; SELECT 'ü'";
    expect(texts(code)).toEqual(["SELECT 'é😀;';", "SELECT 'ü'"]);
    const map = new OffsetMap('aé😀b');
    expect([map.fromBytes(1), map.fromBytes(3), map.fromBytes(7), map.fromChars(3), map.toBytes(4)]).toEqual([1, 2, 4, 4, 7]);
  });
});

describe('splitSql: what it reports', () => {
  it('reports what does not parse, where, and still cuts at the lexer\'s semicolons for messages', () => {
    expect(splitSql("SELECT 1;\nSELECT 'abc; SELECT 2").problem).toMatchObject({ line: 2, message: expect.stringMatching(/unterminated quoted string/) });
    expect(splitSql('SELECT 1;\nSELECT $x$abc').problem?.message).toMatch(/unterminated dollar-quoted string/);
    expect(splitSql('SELECT 1 /* abc').problem?.message).toMatch(/unterminated \/\* comment/);
    expect(splitSql('SELECT "abc').problem?.message).toMatch(/unterminated quoted identifier/);
    expect(splitSql("SELECT 1e'x'").problem?.message).toMatch(/trailing junk after numeric literal/);
    const broken = splitSql('SELECT 1; SELEC 2; SELECT 3');
    expect(broken.problem).toMatchObject({ line: 1, message: 'syntax error at or near "SELEC"' });
    expect(broken.statements.map((s) => [s.text, s.kind])).toEqual([['SELECT 1;', null], ['SELEC 2;', null], ['SELECT 3', null]]);
    expect(splitSql('SELECT 1; SELECT 2').problem).toBeNull();
  });

  it('finds $n parameters outside quotes and comments only', () => {
    const scan = splitSql("SELECT $1, '$2', \"$3\", $$ $4 $$ -- $5\n, $6 /* $7 */; SELECT $10");
    expect(scan.statements.map((s) => s.params.map((p) => p.n))).toEqual([[1, 6], [10]]);
  });

  it('finds psql meta-commands outside quotes', () => {
    const scan = splitSql("SELECT count(*) FROM t \\gset\n\\set x 1\nSELECT '\\not_meta', E'\\\\' \\\\");
    expect(scan.metaCommands.map((m) => [m.command, m.line])).toEqual([['\\gset', 1], ['\\set', 2], ['\\\\', 3]]);
  });

  it('gives the lexer\'s tokens, comments included', () => {
    const scanned = scanTokens("SELECT 'x' -- it's\n, \"o'k\"");
    expect(scanned.ok && scanned.tokens.map((t) => [t.text, t.name])).toEqual([['SELECT', 'UNKNOWN'], ["'x'", 'SCONST'], ["-- it's", 'SQL_COMMENT'], [',', 'ASCII_44'], ['"o\'k"', 'IDENT']]);
  });

  it('gives lines and columns', () => {
    expect(lineAndColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab', 0)).toEqual({ line: 1, column: 1 });
  });
});

describe('bindStatement', () => {
  it('renumbers a statement\'s parameters $1…$k and says which block parameters it uses', () => {
    const [, second] = splitSql('SELECT $1; SELECT $3, $1, $3').statements;
    const bound = bindStatement(second!);
    expect(bound.text).toBe('SELECT $2, $1, $2');
    expect(bound.uses).toEqual([1, 3]);
  });

  it('maps offsets in the renumbered text back to the block, across shortened numbers', () => {
    const code = 'SELECT 0;\nSELECT $10 + nope';
    const statement = splitSql(code).statements[1]!;
    const bound = bindStatement(statement);
    expect(bound.text).toBe('SELECT $1 + nope');
    const inText = bound.text.indexOf('nope');
    expect(code.slice(bound.blockOffset(inText), bound.blockOffset(inText) + 4)).toBe('nope');
    expect(bound.blockOffset(0)).toBe(code.indexOf('SELECT $10'));
  });
});

describe('splitSql: property', () => {
  // Expressions and comments that each contain a semicolon the splitter must not cut at.
  const expression = fc.constantFrom("'a;b'", "'it''s;'", '"c;d"', `"o'k"`, '$$ ; $$', '$t$ $$ ; $t$', "E'\\';'", '(1, 2)', 'x', '42', '$1', "'é😀;'");
  const comment = fc.constantFrom('', '/* ; /* ; */ ; */ ', "-- ; it's\n");
  const item = fc.tuple(comment, expression).map(([c, e]) => c + e);
  const statement = fc.array(item, { minLength: 0, maxLength: 6 }).map((parts) => `SELECT ${parts.join(', ')}`);

  it('splitting statements joined with ";" gives them back', () => {
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 5 }), fc.constantFrom(';', ';\n', ' ;\n\n'), (statements, separator) => {
        const code = statements.join(separator);
        const scan = splitSql(code);
        expect(scan.problem).toBeNull();
        expect(scan.statements.map((s) => s.text.replace(/;$/, '').trimEnd())).toEqual(statements.map((s) => s.trimEnd()));
      }),
    );
  });
});
