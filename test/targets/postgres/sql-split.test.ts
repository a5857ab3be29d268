import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bindStatement, isTransactionControl, lineAndColumn, scanSql } from '../../../src/main/targets/postgres/sql-split.js';

const texts = (code: string, options?: { standardConformingStrings?: boolean }) => scanSql(code, options).statements.map((s) => s.text);

describe('scanSql: where statements end', () => {
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

  it('with standard_conforming_strings off, a backslash escapes the quote in plain strings too', () => {
    const scan = scanSql("SELECT 'a\\'; SELECT 2'; SELECT 3", { standardConformingStrings: false });
    expect(scan.statements.map((s) => s.text)).toEqual(["SELECT 'a\\'; SELECT 2';", 'SELECT 3']);
  });

  it('does not split inside quoted identifiers', () => {
    expect(texts('SELECT 1 AS "a;b", 2 AS "say ""x;"""; SELECT 2')).toEqual(['SELECT 1 AS "a;b", 2 AS "say ""x;""";', 'SELECT 2']);
  });

  it('does not split inside dollar quotes, tagged or not', () => {
    const code = "DO $$ BEGIN RAISE NOTICE 'x;'; END $$;\nCREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $fn$ BEGIN RETURN '$$;'; END $fn$;\nSELECT f()";
    expect(texts(code)).toHaveLength(3);
    expect(texts(code)[1]).toContain('$fn$;');
  });

  it('treats $ inside an identifier as part of it, not as a dollar quote', () => {
    expect(texts('SELECT a$b$c FROM t; SELECT 2')).toEqual(['SELECT a$b$c FROM t;', 'SELECT 2']);
  });

  it('does not split inside comments, and block comments nest', () => {
    const code = '-- a; b\nSELECT 1 /* x; /* nested; */ still comment; */ ; SELECT 2';
    const scan = scanSql(code);
    expect(scan.statements.map((s) => s.text)).toEqual(['SELECT 1 /* x; /* nested; */ still comment; */ ;', 'SELECT 2']);
    expect(scan.statements[0]?.line).toBe(2);
  });

  it('does not split inside parentheses (CREATE RULE … DO (a; b))', () => {
    const code = 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1';
    expect(texts(code)).toHaveLength(2);
  });

  it('keeps a BEGIN ATOMIC … END body together, CASE … END inside it included (as psql does)', () => {
    const code = [
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql',
      'BEGIN ATOMIC',
      '  SELECT 1;',
      '  SELECT CASE WHEN true THEN 1 ELSE 2 END;',
      'END;',
      'CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;',
      'SELECT f()',
    ].join('\n');
    const scan = scanSql(code);
    expect(scan.statements.map((s) => s.line)).toEqual([1, 6, 7]);
    expect(scan.statements[0]?.definesRoutine).toBe(true);
    expect(scan.problem).toBeNull();
  });

  it('splits BEGIN; … COMMIT; as transaction statements, not a routine body', () => {
    const scan = scanSql('BEGIN; UPDATE t SET x = 1; COMMIT;');
    expect(scan.statements.map((s) => s.text)).toEqual(['BEGIN;', 'UPDATE t SET x = 1;', 'COMMIT;']);
    expect(scan.statements.map(isTransactionControl)).toEqual([true, false, true]);
    expect(isTransactionControl(scanSql("PREPARE TRANSACTION 'x'").statements[0]!)).toBe(true);
    expect(isTransactionControl(scanSql('PREPARE q AS SELECT 1').statements[0]!)).toBe(false);
  });

  it('reads U&, B, X and N literals as strings', () => {
    expect(texts("SELECT U&'d\\0061t;', B'1;', X'1F', N'n;', U&\"a;b\"; SELECT 2")).toHaveLength(2);
  });

  it('does not mistake a number followed by a quote for an E string', () => {
    expect(texts("SELECT 1e'x'; SELECT 2")).toHaveLength(2);
  });
});

describe('scanSql: what it reports', () => {
  it('reports unterminated quotes, dollar quotes and comments as problems', () => {
    expect(scanSql("SELECT 'abc; SELECT 2").problem).toMatch(/quoted string starting at line 1 is not closed/);
    expect(scanSql('SELECT 1;\nSELECT $x$abc').problem).toMatch(/\$x\$ dollar-quoted string starting at line 2/);
    expect(scanSql('SELECT 1 /* abc').problem).toMatch(/comment/);
    expect(scanSql('SELECT "abc').problem).toMatch(/quoted identifier/);
    expect(scanSql('CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;').problem).toMatch(/no matching END/);
    expect(scanSql('SELECT (1;').problem).toMatch(/unclosed parenthesis/);
    expect(scanSql('SELECT 1; SELECT 2').problem).toBeNull();
  });

  it('finds $n parameters outside quotes and comments only', () => {
    const scan = scanSql("SELECT $1, '$2', \"$3\", $$ $4 $$ -- $5\n, $6 /* $7 */; SELECT $10");
    expect(scan.statements.map((s) => s.params.map((p) => p.n))).toEqual([[1, 6], [10]]);
  });

  it('finds psql meta-commands outside quotes', () => {
    const scan = scanSql("SELECT count(*) FROM t \\gset\n\\set x 1\nSELECT '\\not_meta', E'\\\\'");
    expect(scan.metaCommands.map((m) => [m.command, m.line])).toEqual([['\\gset', 1], ['\\set', 2]]);
  });

  it('records the leading keywords in lower case', () => {
    expect(scanSql('With x AS (SELECT 1) SELECT * FROM x').statements[0]?.keywords).toEqual(['with', 'x', 'as']);
    expect(scanSql('(SELECT 1)').statements[0]?.keywords).toEqual([]);
  });

  it('gives lines and columns', () => {
    expect(lineAndColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab', 0)).toEqual({ line: 1, column: 1 });
  });
});

describe('bindStatement', () => {
  it('renumbers a statement\'s parameters $1…$k and says which block parameters it uses', () => {
    const [, second] = scanSql('SELECT $1; SELECT $3, $1, $3').statements;
    const bound = bindStatement(second!);
    expect(bound.text).toBe('SELECT $2, $1, $2');
    expect(bound.uses).toEqual([1, 3]);
  });

  it('maps offsets in the renumbered text back to the block, across shortened numbers', () => {
    const code = 'SELECT 0;\nSELECT $10 + nope';
    const statement = scanSql(code).statements[1]!;
    const bound = bindStatement(statement);
    expect(bound.text).toBe('SELECT $1 + nope');
    const inText = bound.text.indexOf('nope');
    expect(code.slice(bound.blockOffset(inText), bound.blockOffset(inText) + 4)).toBe('nope');
    expect(bound.blockOffset(0)).toBe(code.indexOf('SELECT $10'));
  });
});

describe('scanSql: property', () => {
  // Fragments that each contain a semicolon the splitter must not cut at.
  const fragment = fc.constantFrom(
    "'a;b'",
    "'it''s;'",
    '"c;d"',
    '$$ ; $$',
    '$t$ $$ ; $t$',
    "E'\\';'",
    '/* ; /* ; */ ; */',
    '-- ; comment\n',
    '(1; 2)',
    'x',
    '42',
    '$1',
  );
  const statement = fc.array(fragment, { minLength: 0, maxLength: 6 }).map((parts) => `SELECT ${parts.join(' ')}`);

  it('splitting statements joined with ";" gives them back', () => {
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 5 }), fc.constantFrom(';', ';\n', ' ;\n\n'), (statements, separator) => {
        const scan = scanSql(statements.join(separator));
        expect(scan.problem).toBeNull();
        expect(scan.statements.map((s) => s.text.replace(/;$/, '').trimEnd())).toEqual(statements.map((s) => s.trimEnd()));
      }),
    );
  });
});
