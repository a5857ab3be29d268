import { describe, expect, it } from 'vitest';
import { NOT_PSQL, parsePsqlLines } from '../../../src/main/targets/postgres/psql-lines.js';

function invocations(code: string) {
  const parsed = parsePsqlLines(code);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.invocations;
}

function refusal(code: string): string {
  const parsed = parsePsqlLines(code);
  if (parsed.ok) throw new Error(`accepted: ${code}`);
  expect(parsed.reason.startsWith(NOT_PSQL)).toBe(true);
  return parsed.reason;
}

describe('parsePsqlLines', () => {
  it('reads -c and the connection flags', () => {
    expect(invocations('psql -h db.example -p 5433 -U ops -d app -c "SELECT 1"')).toEqual([
      { line: 1, commands: ['SELECT 1'], flags: { host: 'db.example', port: '5433', user: 'ops', database: 'app' } },
    ]);
  });

  it('reads every spelling psql accepts: long options, =, bundles, attached values, positionals', () => {
    const [a, b, c] = invocations([
      "psql --host=h --port 1 --username=u --dbname d --command='SELECT 1'",
      "psql -XqAt -cSELECT\\ 2 -v ON_ERROR_STOP=1 --no-psqlrc",
      "/usr/bin/psql appdb app -w -c 'SELECT 3' -c 'SELECT 4'",
    ].join('\n'));
    expect(a).toMatchObject({ commands: ['SELECT 1'], flags: { host: 'h', port: '1', user: 'u', database: 'd' } });
    expect(b).toMatchObject({ line: 2, commands: ['SELECT 2'], flags: {} });
    expect(c).toMatchObject({ line: 3, commands: ['SELECT 3', 'SELECT 4'], flags: { database: 'appdb', user: 'app' } });
  });

  it('skips comments and blank lines, follows continuations and multi-line quotes', () => {
    const code = [
      '# check the table',
      '',
      'psql -d appdb \\',
      '  -c "SELECT count(*)',
      '      FROM t;"  # trailing comment',
      "psql -c 'SELECT 2'",
    ].join('\n');
    const parsed = invocations(code);
    expect(parsed.map((p) => p.line)).toEqual([3, 6]);
    expect(parsed[0]?.commands).toEqual(['SELECT count(*)\n      FROM t;']);
    expect(parsed[0]?.flags).toEqual({ database: 'appdb' });
  });

  it('keeps SQL quoting intact inside shell quoting', () => {
    expect(invocations(`psql -c "SELECT 'a', \\"Col\\" FROM t"`)[0]?.commands).toEqual([`SELECT 'a', "Col" FROM t`]);
    expect(invocations(`psql -c 'SELECT $$x$$'`)[0]?.commands).toEqual(['SELECT $$x$$']);
  });

  it('refuses other commands', () => {
    expect(refusal('echo hi')).toMatch(/line 1 runs "echo"/);
    expect(refusal('psql -c "SELECT 1"\nls -l')).toMatch(/line 2 runs "ls"/);
    expect(refusal('PGPASSWORD=x psql -c "SELECT 1"')).toMatch(/runs "PGPASSWORD=x"/);
  });

  it('refuses shell syntax a native run could not honour', () => {
    expect(refusal('psql -c "SELECT 1" | tee out')).toMatch(/"\|" is shell syntax/);
    expect(refusal('psql -c "SELECT 1" > out.txt')).toMatch(/">" is shell syntax/);
    expect(refusal('psql -c "SELECT 1" && psql -c "SELECT 2"')).toMatch(/"&&" is shell syntax/);
    expect(refusal('psql -c "SELECT $ID"')).toMatch(/\$ID would be expanded by a shell/);
    expect(refusal('psql -c SELECT *')).toMatch(/\* would be expanded by a shell/);
    expect(refusal('psql <<EOF\nSELECT 1;\nEOF')).toMatch(/shell syntax/);
  });

  it('refuses psql options that change what runs', () => {
    expect(refusal('psql -f migrate.sql')).toMatch(/option -f is not supported/);
    expect(refusal('psql --file=migrate.sql')).toMatch(/option --file is not supported/);
    expect(refusal('psql -1 -c "SELECT 1"')).toMatch(/option -1 is not supported/);
    expect(refusal('psql -v LIMIT=5 -c "SELECT :LIMIT"')).toMatch(/variable LIMIT=5/);
    expect(refusal('psql -d appdb')).toMatch(/without -c/);
    expect(refusal('psql -c')).toMatch(/-c needs a value/);
    expect(refusal('psql a b c -c x')).toMatch(/at most a database and a user/);
  });

  it('refuses a block with no psql line at all', () => {
    expect(refusal('# nothing\n\n')).toMatch(/no psql line/);
  });
});
