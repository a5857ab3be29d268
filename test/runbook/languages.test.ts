// Languages (issue 12, item 6): blocks with no executor here are shown with a reason naming the language,
// never sent to PostgreSQL or bash; several PromQL queries in one block are separate queries; every POSIX
// ${VAR…} form is a variable, required or optional.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { NO_EXECUTOR, otherSqlDialect } from '../../src/main/runbook/languages.js';
import { splitPromql } from '../../src/main/runbook/promql.js';
import { blockVariables, variablesIn } from '../../src/main/runbook/variables.js';
import { type Block, RunbookSchema } from '../../src/shared/runbook-model.js';
import { REPO_ROOT } from '../support/shared.js';

function block(fence: string, body: string): Block {
  const rb = parseRunbook(`# T\n\n## Step\n\n\`\`\`${fence}\n${body}\n\`\`\`\n`, { file: 't.md' });
  const b = rb.steps[0]?.blocks[0];
  if (!b) throw new Error('no block');
  return b;
}

describe('languages with no executor', () => {
  it.each([
    ['mysql', 'SELECT 1;', 'MySQL'],
    ['mariadb', 'SELECT 1;', 'MariaDB'],
    ['sqlite', 'SELECT 1;', 'SQLite'],
    ['sqlite3', '.tables', 'SQLite'],
    ['mongo', 'db.stats()', 'MongoDB'],
    ['mongosh', 'db.stats()', 'MongoDB'],
    ['redis', 'PING', 'Redis'],
    ['redis-cli', 'INFO', 'Redis'],
    ['cql', 'SELECT * FROM ks.t;', 'Cassandra'],
    ['tsql', 'SELECT TOP 1 * FROM t', 'SQL Server'],
    ['mssql', 'SELECT 1', 'SQL Server'],
    ['plsql', 'BEGIN NULL; END;', 'Oracle'],
    ['influxql', 'SHOW DATABASES', 'InfluxDB'],
    ['kql', 'T | count', 'Kusto'],
    ['powershell', 'Get-Service', 'PowerShell'],
    ['ps1', 'Get-Service', 'PowerShell'],
    ['cmd', 'dir', 'cmd.exe'],
    ['fish', 'set -x A 1', 'fish'],
  ])('%s is shown, with a reason naming %s (%s)', (lang, code, product) => {
    const b = block(lang, code);
    expect(b.action).toBe('display');
    expect(b.reason).toContain(`language "${lang}"`);
    expect(b.reason).toContain(product);
    expect(b.reason).toMatch(/no executor/);
    expect(b.variables).toEqual([]);
  });

  it('even a transcript in such a language is not read for commands', () => {
    const b = block('powershell', '$ Get-Service');
    expect([b.action, b.code]).toEqual(['display', '$ Get-Service']);
  });

  it('positive controls: the languages that have executors keep their actions', () => {
    expect(block('sql', 'SELECT 1;').action).toBe('sql');
    expect(block('psql', 'SHOW max_connections;').action).toBe('sql');
    expect(block('postgresql', 'VACUUM ANALYZE orders;').action).toBe('sql');
    expect(block('bash', 'mysql -h db -e "SELECT 1"').action).toBe('shell');
    expect(block('promql', 'up == 0').action).toBe('promql');
    expect(NO_EXECUTOR.sql).toBeUndefined();
    expect(NO_EXECUTOR.bash).toBeUndefined();
  });
});

describe('a sql fence is PostgreSQL unless its text is another database\'s', () => {
  it.each([
    ["SHOW GLOBAL STATUS LIKE 'Threads_connected';", 'MySQL'],
    ['SHOW PROCESSLIST;', 'MySQL'],
    ['SHOW TABLES;', 'MySQL'],
    ['SELECT `id` FROM `orders`;', 'MySQL'],
    ['CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;', 'MySQL'],
    ["GRANT SELECT ON shop.* TO 'ro'@'%' IDENTIFIED BY 'x';", 'MySQL'],
    ['SELECT @@version;', 'MySQL'],
    ['# MySQL comment\nSELECT 1;', 'MySQL'],
    ['PRAGMA journal_mode;', 'SQLite'],
    ['SELECT name FROM sqlite_master;', 'SQLite'],
    ['SELECT TOP 10 * FROM orders\nGO', 'SQL Server'],
    ['DECLARE @n INT = 1;', 'SQL Server'],
    ['SELECT sysdate FROM dual;', 'Oracle'],
    ["CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy'};", 'Cassandra'],
  ])('%j is %s: shown, not run', (code, dialect) => {
    const b = block('sql', code);
    expect(b.action).toBe('display');
    expect(b.reason).toContain(dialect);
  });

  it.each([
    ["SELECT relname FROM pg_stat_user_tables WHERE relname = 'orders';"],
    ['SHOW max_connections;'],
    ['SHOW search_path;'],
    ["SELECT 'SHOW GLOBAL STATUS `x` PRAGMA' AS text; -- SHOW TABLES; PRAGMA"],
    ['SELECT to_tsvector(body) @@ to_tsquery($$a & b$$) FROM docs;'],
    ['CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1 FROM dual $fn$ LANGUAGE sql;'],
    ['LOCK TABLE orders IN SHARE MODE;'],
    ['SELECT data->>\'k\', data #> \'{a}\' FROM t;'],
  ])('positive control: %j stays PostgreSQL', (code) => {
    expect(otherSqlDialect(code)).toBeNull();
    expect(block('sql', code).action).toBe('sql');
  });

  it('a psql or mysql session pasted into a sql fence is shown, not sent as SQL', () => {
    expect(block('sql', 'postgres=# SELECT 1;').action).toBe('display');
    expect(block('sql', 'mysql> SELECT 1;').reason).toMatch(/MySQL/);
  });
});

describe('SQL outside a sql fence', () => {
  it('a bash fence that starts with SQL is shown: a shell fence does not say which database', () => {
    for (const code of ['SELECT COUNT(*) FROM orders;', '# count them\nSELECT COUNT(*) FROM orders\n# Expected: > 0', 'UPDATE orders SET state = 1;', '\\dt']) {
      const b = block('bash', code);
      expect([code, b.action]).toEqual([code, 'display']);
      expect(b.reason).toMatch(/holds SQL .* label it `sql`/);
    }
  });

  it('positive controls: shell commands that share a word with SQL stay shell', () => {
    for (const code of ['set -euo pipefail', 'select f in a b; do echo "$f"; done', 'truncate -s 0 /var/log/app.log', 'update-alternatives --config java', 'show-status --all', '\\cp -f a b']) {
      expect([code, block('bash', code).action]).toEqual([code, 'shell']);
    }
  });

  it('an unlabelled block of SQL, or of a MySQL session, is shown and never PostgreSQL', () => {
    expect(block('', 'GRANT SELECT ON orders TO reporting;').reason).toMatch(/reads as SQL/);
    const session = block('', 'mysql> SELECT COUNT(*) FROM orders;\n+----------+');
    expect([session.action, session.reading?.kind]).toEqual(['display', 'transcript']);
    expect(session.reason).toMatch(/MySQL/);
  });
});

describe('several PromQL queries in one block', () => {
  it('split where an expression is complete and the next line starts a new one', () => {
    expect(splitPromql('up\nsum(rate(x[5m]))')).toEqual(['up', 'sum(rate(x[5m]))']);
    expect(splitPromql('up == 0\n\n# errors\nrate(errors_total[5m]) > 0')).toEqual(['up == 0', '# errors\nrate(errors_total[5m]) > 0']);
  });

  it('keep one query over several lines whole (brackets, operators and modifiers at line ends or starts)', () => {
    for (const q of [
      'sum by (job) (\n  rate(x[5m])\n)',
      'sum(rate(a[5m]))\n/\nsum(rate(b[5m]))',
      'sum(rate(a[5m])) /\n  sum(rate(b[5m]))',
      'sum(x)\n  by (job)',
      'a\n  and on (instance)\nb',
      'rate(x[5m])\n  offset 1h',
      'x{job="a#b",\n  env="prod"}',
    ]) expect(splitPromql(q)).toEqual([q]);
  });

  it('the model lists the queries and says the block was read as several', () => {
    const b = block('promql', 'up\nrate(http_requests_total[5m])\n  # Expected: under 100');
    expect(b.queries).toEqual(['up', 'rate(http_requests_total[5m])\n  # Expected: under 100']);
    expect(b.reading).toEqual({ kind: 'queries', reason: expect.stringContaining('2 PromQL queries') });
    expect(b.code).toBe(b.source);
    const one = block('promql', 'histogram_quantile(0.99,\n  sum by (le) (rate(h_bucket[5m])))');
    expect([one.queries?.length, one.reading?.kind]).toEqual([1, 'as-written']);
    expect(block('bash', 'echo hi').queries).toEqual([]);
  });
});

describe('every POSIX ${VAR…} form is a variable', () => {
  it.each([
    ['${VAR}', 'required'],
    ['$VAR', 'required'],
    ['${VAR?}', 'required'],
    ['${VAR:?set VAR first}', 'required'],
    ['${#VAR}', 'required'],
    ['${VAR%.tar.gz}', 'required'],
    ['${VAR%%/*}', 'required'],
    ['${VAR#v}', 'required'],
    ['${VAR##*/}', 'required'],
    ['${VAR/a/b}', 'required'],
    ['${VAR//a/b}', 'required'],
    ['${VAR:1:3}', 'required'],
    ['${VAR^^}', 'required'],
    ['${VAR,,}', 'required'],
    ['${VAR@Q}', 'required'],
    ['${VAR[0]}', 'required'],
    ['${!VAR}', 'required'],
    ['${VAR-x}', 'optional'],
    ['${VAR:-x}', 'optional'],
    ['${VAR=x}', 'optional'],
    ['${VAR:=x}', 'optional'],
    ['${VAR+x}', 'optional'],
    ['${VAR:+x}', 'optional'],
  ])('echo "%s": VAR is %s', (form, kind) => {
    const v = blockVariables(`echo "${form}"`, 'shell');
    expect(v).toEqual(kind === 'required' ? { required: ['VAR'], optional: [] } : { required: [], optional: ['VAR'] });
  });

  it('names in a default\'s word are optional; in a pattern they are needed', () => {
    expect(blockVariables('echo ${A:-${B:-$C}}', 'shell')).toEqual({ required: [], optional: ['A', 'B', 'C'] });
    expect(blockVariables('echo ${A%$SUFFIX}', 'shell')).toEqual({ required: ['A', 'SUFFIX'], optional: [] });
    expect(blockVariables('echo ${1:-$DEFAULT} ${#} ${!prefix*}', 'shell')).toEqual({ required: [], optional: ['DEFAULT'] });
  });

  it('a name used bare anywhere is needed; a name the block defaults with := is not', () => {
    expect(blockVariables('echo ${PORT:-80}; curl localhost:$PORT', 'shell')).toEqual({ required: ['PORT'], optional: [] });
    expect(blockVariables(': "${PORT:=8080}"; curl "localhost:$PORT"', 'shell')).toEqual({ required: [], optional: ['PORT'] });
  });

  it('positive controls: what bash does not expand is no variable', () => {
    expect(variablesIn("echo '${A:-x}' \\$B \"\\${C}\" $$ # ${D:?}", 'shell')).toEqual([]);
    expect(variablesIn('cat <<\'EOF\'\n${E:?}\nEOF', 'shell')).toEqual([]);
    expect(variablesIn('X=1; echo "${X:?}" ${HOME:-/root}', 'shell')).toEqual([]);
  });

  it('SQL has no defaults: every form there needs a value (and the run refuses one where SQL cannot take it)', () => {
    expect(blockVariables('SELECT * FROM t WHERE a = ${A:-1} AND b = $B;', 'sql')).toEqual({ required: ['A', 'B'], optional: [] });
  });

  it('PromQL and manifests take defaults as a shell would', () => {
    expect(blockVariables('rate(x[${WINDOW:-5m}])', 'promql')).toEqual({ required: [], optional: ['WINDOW'] });
    expect(blockVariables('image: app:${TAG:?}', 'k8s-manifest')).toEqual({ required: ['TAG'], optional: [] });
  });

  it('the step lists what it needs; the block also lists what it can take', () => {
    const rb = parseRunbook('# T\n## S\n```bash\nhelm upgrade web ./chart -n "${NS:-shop}" --set tag="${TAG:?}"\n```\n', { file: 't.md' });
    expect(rb.steps[0]?.variables).toEqual(['TAG']);
    expect(rb.steps[0]?.blocks[0]?.variables).toEqual(['TAG']);
    expect(rb.steps[0]?.blocks[0]?.optionalVariables).toEqual(['NS']);
  });
});

describe('fixture: test/fixtures/blocks/languages.md', () => {
  const file = path.join(REPO_ROOT, 'test/fixtures/blocks/languages.md');
  const rb = parseRunbook(readFileSync(file, 'utf8'), { file });
  const byTitle = (title: string) => {
    const b = rb.steps.find((s) => s.title === title)?.blocks[0];
    if (!b) throw new Error(`no step "${title}"`);
    return b;
  };

  it('is a valid model; no block of another database or shell runs', () => {
    RunbookSchema.parse(rb);
    for (const title of ['MySQL', 'SQLite', 'MongoDB', 'Redis', 'SQL Server', 'Cassandra', 'InfluxDB', 'Kusto', 'A sql fence holding MySQL', 'A sql fence holding SQLite', 'A bash fence holding SQL', 'A MySQL session without a language']) {
      expect([title, byTitle(title).action]).toEqual([title, 'display']);
    }
    const sql = rb.steps.flatMap((s) => s.blocks).filter((b) => b.action === 'sql');
    expect(sql.map((b) => b.code)).toEqual(["SELECT datname, numbackends FROM pg_stat_database WHERE datname = 'shop';", 'SHOW max_connections;']);
    expect(byTitle('A bash fence running the MySQL client').action).toBe('shell');
  });

  it('splits the error-rate block into its three queries and keeps the long one whole', () => {
    expect(byTitle('Error rates').queries).toHaveLength(3);
    expect(byTitle('Error rates').queries?.[2]).toMatch(/^# the ratio of the two\n {2}sum\(.*\n\/\n {2}sum\(/s);
    expect(byTitle('One query over several lines').queries).toHaveLength(1);
  });

  it('reads every variable form', () => {
    const b = byTitle('Every form of a shell variable');
    expect(b.variables).toEqual(['RELEASE', 'TOKEN', 'TIER', 'CLUSTER', 'BRANCH', 'IMAGE', 'NAME', 'OWNER', 'ENV']);
    expect(b.optionalVariables).toEqual(['REGION', 'ZONE', 'REPLICAS', 'DEBUG', 'TRACE', 'TARGET', 'FALLBACK']);
  });
});
