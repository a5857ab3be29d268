// Languages with no executor here. The only SQL executor is PostgreSQL's and the only shell is bash, so a
// block for MySQL, SQLite, MongoDB, Redis, SQL Server, PowerShell … is shown with a reason naming its
// language, never sent to PostgreSQL or bash. A plain `sql` fence is taken as PostgreSQL unless its text
// carries syntax only another database has (`SHOW GLOBAL STATUS`, backquoted names, `PRAGMA`, `GO` …).

/** Fence language → the product it is written for. */
export const NO_EXECUTOR: Readonly<Record<string, string>> = {
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  sqlite: 'SQLite',
  sqlite3: 'SQLite',
  mongo: 'MongoDB',
  mongodb: 'MongoDB',
  mongosh: 'MongoDB',
  redis: 'Redis',
  'redis-cli': 'Redis',
  cql: 'Cassandra CQL',
  cqlsh: 'Cassandra CQL',
  cassandra: 'Cassandra CQL',
  tsql: 'SQL Server (T-SQL)',
  't-sql': 'SQL Server (T-SQL)',
  mssql: 'SQL Server (T-SQL)',
  sqlserver: 'SQL Server (T-SQL)',
  'transact-sql': 'SQL Server (T-SQL)',
  plsql: 'Oracle (PL/SQL)',
  'pl/sql': 'Oracle (PL/SQL)',
  oracle: 'Oracle (PL/SQL)',
  sqlplus: 'Oracle (PL/SQL)',
  influxql: 'InfluxDB (InfluxQL)',
  flux: 'InfluxDB (Flux)',
  kql: 'Kusto (KQL)',
  kusto: 'Kusto (KQL)',
  logql: 'Loki (LogQL)',
  traceql: 'Tempo (TraceQL)',
  metricsql: 'VictoriaMetrics (MetricsQL)',
  cypher: 'Neo4j (Cypher)',
  sparql: 'SPARQL',
  hql: 'Hive (HiveQL)',
  hive: 'Hive (HiveQL)',
  hiveql: 'Hive (HiveQL)',
  n1ql: 'Couchbase (N1QL)',
  clickhouse: 'ClickHouse',
  snowflake: 'Snowflake',
  bigquery: 'BigQuery',
  db2: 'Db2',
  spl: 'Splunk (SPL)',
  splunk: 'Splunk (SPL)',
  esql: 'Elasticsearch (ES|QL)',
  eql: 'Elasticsearch (EQL)',
  powershell: 'PowerShell',
  pwsh: 'PowerShell',
  ps1: 'PowerShell',
  ps: 'PowerShell',
  posh: 'PowerShell',
  'powershell-session': 'PowerShell',
  pwshsession: 'PowerShell',
  cmd: 'Windows cmd.exe',
  bat: 'Windows cmd.exe',
  batch: 'Windows cmd.exe',
  dos: 'Windows cmd.exe',
  dosbatch: 'Windows cmd.exe',
  doscon: 'Windows cmd.exe',
  fish: 'the fish shell (not bash)',
  csh: 'the C shell (not bash)',
  tcsh: 'the C shell (not bash)',
  nu: 'Nushell (not bash)',
  nushell: 'Nushell (not bash)',
  elvish: 'Elvish (not bash)',
  xonsh: 'xonsh (not bash)',
};

// Syntax PostgreSQL does not have, by the database it belongs to. Read with strings and comments removed.
const DIALECTS: [string, RegExp][] = [
  ['MySQL', /\bSHOW\s+(?:GLOBAL\s+|SESSION\s+)?(?:STATUS|VARIABLES)\b|\bSHOW\s+(?:FULL\s+)?PROCESSLIST\b|\bSHOW\s+(?:MASTER|SLAVE|REPLICA|BINARY|ENGINES?|DATABASES|SCHEMAS|TABLES|GRANTS|BINLOG|CREATE\s+TABLE|TABLE\s+STATUS|(?:FULL\s+)?COLUMNS|INDEX(?:ES)?)\b/i],
  ['MySQL', /\bENGINE\s*=\s*\w+|\bAUTO_INCREMENT\b|`[^`\n]+`|\\G\s*$|^\s*USE\s+\w+\s*;?\s*$|\bFLUSH\s+(?:PRIVILEGES|TABLES|LOGS|HOSTS|STATUS)\b/im],
  ['MySQL', /\bCHANGE\s+(?:MASTER|REPLICATION\s+SOURCE)\s+TO\b|\b(?:START|STOP|RESET)\s+(?:SLAVE|REPLICA|MASTER)\b|\bSET\s+(?:GLOBAL|PERSIST)\s+\w|\bOPTIMIZE\s+TABLE\b|\bINSERT\s+IGNORE\b|\bON\s+DUPLICATE\s+KEY\b|\b(?:UN)?LOCK\s+TABLES\b/i],
  ['MySQL', /(?:\bSELECT|\bSET)\s+@@|\bIDENTIFIED\s+(?:BY|WITH)\b|\bON\s+(?:\w+|\*)\.\*|\bmysql\.(?:user|db)\b|^\s*(?:DESCRIBE|DESC)\s+\w|^\s*#/im],
  ['SQLite', /^\s*PRAGMA\b|^\s*\.(?:tables|schema|mode|headers|open|dump|read|import|quit|exit|indexes)\b|\bAUTOINCREMENT\b|\bsqlite_(?:master|schema|sequence)\b|\bATTACH\s+DATABASE\b|\bBEGIN\s+(?:IMMEDIATE|EXCLUSIVE|DEFERRED)\b/im],
  ['SQL Server (T-SQL)', /^\s*GO\s*;?\s*$|\bSELECT\s+TOP\s*\(?\s*\d|\[dbo\]|\bEXEC(?:UTE)?\s+(?:sp_|xp_)|\bDECLARE\s+@\w|@@(?:ROWCOUNT|ERROR|IDENTITY|VERSION|SERVERNAME|TRANCOUNT|SPID)\b|\bsys\.(?:databases|dm_\w+|sysprocesses)\b|\bWITH\s*\(\s*NOLOCK\s*\)|\bDBCC\s+\w/im],
  ['Oracle (PL/SQL)', /\bFROM\s+DUAL\b|\b[gv]\$\w+|\bROWNUM\b|\bNVL2?\s*\(|\bSYSDATE\b|\bdba_(?:users|tables|objects|data_files|segments|tablespaces|roles|role_privs|sys_privs|indexes|views)\b|\bSCOPE\s*=\s*(?:SPFILE|MEMORY|BOTH)\b|\bCONNECT\s+BY\b|^\s*\/\s*$/im],
  ['Cassandra CQL', /\bCREATE\s+KEYSPACE\b|\bWITH\s+replication\s*=\s*\{|^\s*CONSISTENCY\s+\w/im],
];

/** SQL text with string literals, quoted identifiers and comments blanked out. */
function sqlSyntax(code: string): string {
  return code
    .replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""')
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/** The other database a `sql` block is written for, with the text that shows it; null when nothing says so. */
export function otherSqlDialect(code: string): { dialect: string; evidence: string } | null {
  const syntax = sqlSyntax(code);
  for (const [dialect, re] of DIALECTS) {
    const m = re.exec(syntax);
    if (m) return { dialect, evidence: m[0].trim().replace(/\s+/g, ' ').slice(0, 40) };
  }
  return null;
}

// SQL statements, as the first words of a line: a shell fence or an unlabelled block that starts so holds SQL.
const SQL_FIRST = /^\s*(?:select\s+(?!\w+\s+in\b)|insert\s+into\b|update\s+[\w."]+\s+set\b|delete\s+from\b|with\s+(?:recursive\s+)?\w+\s+as\s*\(|create\s+(?:or\s+replace\s+|unique\s+|temp(?:orary)?\s+)*(?:table|index|role|user|database|schema|view|extension|function|procedure|trigger|sequence|group|publication|subscription)\b|alter\s+(?:table|role|user|database|system|index|schema|view|sequence|group)\b|drop\s+(?:table|index|role|user|database|schema|view|extension|function|group)\b|grant\s+\w|revoke\s+\w|vacuum\b(?!\s*-)|analyze\b(?!\s*-)|explain\s+\w|truncate\s+(?!-)\w|show\s+\w|begin\s*;|commit\s*;|rollback\s*;|\\(?:d[a-zA-Z]{0,3}\+?|l\+?|c|connect|conninfo|x|q|timing|i|o|copy|set|echo|watch|gx?|pset|encoding|password)(?:\s|$))/i;

/** Whether a line reads as the start of an SQL statement (or a psql meta-command). */
export function startsSql(line: string): boolean {
  return SQL_FIRST.test(line);
}
