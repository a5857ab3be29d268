// Read-only is proven by parsers, not guessed: attacks first (each must be caught with the right code and
// name the offending statement or command), then the read-only blocks that must stay read-only, then text
// where a hand-written scanner and bash's grammar (mvdan/sh) could read differently, and every block of
// the shared seed runbooks.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRunbookSnapshot, parseRunbook } from '../../src/main/runbook/index.js';
import { loadVerdictParsers, READ_ONLY_COMMANDS, READ_ONLY_FUNCTIONS, type Verdict, VERDICT_CODES, verdictOf, verdictOfSync } from '../../src/main/session/verdict.js';

const sql = (code: string) => verdictOf({ action: 'sql', code });
const shell = (code: string) => verdictOf({ action: 'shell', code });
/** The it.each body of the attack tables: refused with `expected`, and a detail that names why. */
const expectRefused = async (verdict: Promise<Verdict>, expected: string, detail: string) => {
  const v = await verdict;
  expect(v).toMatchObject({ changesState: true, code: expected });
  expect(v.detail).toContain(detail);
};
/** The it.each body of the read-only tables. */
const expectReadOnly = async (verdict: Promise<Verdict>, code: 'sql-read-only' | 'shell-read-only') => {
  const v = await verdict;
  expect(v, v.detail).toMatchObject({ changesState: false, code });
};

beforeAll(loadVerdictParsers);

describe('SQL: attacks are caught', () => {
  it.each([
    ['SELECT 1; DELETE FROM t', 'sql-writes', 'line 1: DELETE'],
    ['SELECT 1;\nSELECT 2;\nDELETE FROM t', 'sql-writes', 'line 3: DELETE'],
    ['EXPLAIN ANALYZE DELETE FROM t', 'sql-explain-analyze-write', 'EXPLAIN ANALYZE runs the DELETE'],
    ['EXPLAIN (ANALYZE) UPDATE t SET a = 1', 'sql-explain-analyze-write', 'runs the UPDATE'],
    ['EXPLAIN (ANALYZE true, BUFFERS) INSERT INTO t VALUES (1)', 'sql-explain-analyze-write', 'runs the INSERT'],
    ['EXPLAIN ANALYZE SELECT setval($$s$$, 1)', 'sql-function-not-allowed', 'setval'],
    ['WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', 'sql-modifying-cte', 'WITH d AS (DELETE'],
    ['SELECT (WITH x AS (INSERT INTO t VALUES (1) RETURNING 1) SELECT 1)', 'sql-modifying-cte', 'WITH x AS (INSERT'],
    ["SELECT setval('s', 1)", 'sql-function-not-allowed', 'setval changes a sequence'],
    ["SELECT nextval('s')", 'sql-function-not-allowed', 'nextval changes a sequence'],
    ['SELECT pg_terminate_backend(123)', 'sql-function-not-allowed', 'pg_terminate_backend stops another session'],
    ['SELECT pg_cancel_backend(pid) FROM pg_stat_activity', 'sql-function-not-allowed', 'pg_cancel_backend'],
    ['SELECT pg_reload_conf()', 'sql-function-not-allowed', 'pg_reload_conf'],
    ["SELECT set_config('x', '1', false)", 'sql-function-not-allowed', 'set_config changes a setting'],
    ['SELECT pg_advisory_lock(1)', 'sql-function-not-allowed', 'pg_advisory_lock'],
    ["SELECT * FROM dblink('db', 'DELETE FROM t') AS x(a int)", 'sql-function-not-allowed', 'dblink'],
    ['SELECT lo_unlink(1)', 'sql-function-not-allowed', 'lo_unlink works on large objects'],
    ["SELECT pg_read_file('/etc/passwd')", 'sql-function-not-allowed', 'pg_read_file'],
    ['SELECT txid_current()', 'sql-function-not-allowed', 'txid_current assigns a transaction id'],
    ["SELECT query_to_xml('DELETE FROM t', true, true, '')", 'sql-function-not-allowed', 'runs SQL given as text'],
    ['SELECT count(*) FROM t WHERE x = (SELECT my_func())', 'sql-function-not-allowed', 'my_func is not on the read-only function list'],
    ['select my_func()', 'sql-function-not-allowed', 'my_func'],
    ['SELECT public.lower(name) FROM t', 'sql-function-not-allowed', 'public.lower is not a built-in'],
    ['SELECT <FN>(1)', 'sql-function-not-allowed', 'named by <FN>'],
    ['SELECT * INTO newt FROM t', 'sql-select-into', 'INTO creates a table'],
    ['SELECT * FROM t FOR UPDATE', 'sql-locking', 'FOR UPDATE'],
    ['SELECT 1 FROM (SELECT * FROM t FOR SHARE) s', 'sql-locking', 'FOR UPDATE/SHARE'],
    ["COPY t TO '/tmp/x'", 'sql-writes', 'COPY'],
    ['COPY (SELECT 1) TO STDOUT', 'sql-writes', 'COPY'],
    ['CALL p()', 'sql-writes', 'CALL'],
    ['DO $$BEGIN DELETE FROM t; END$$', 'sql-writes', 'DO'],
    ['SET x = 1', 'sql-writes', 'SET'],
    ['BEGIN; SELECT 1; COMMIT', 'sql-writes', 'transaction control'],
    ['VACUUM t', 'sql-writes', 'VACUUM'],
    ['CREATE TABLE x (a int)', 'sql-writes', 'CREATE TABLE'],
    ['SELECT 1 FROM', 'sql-parse-error', 'does not parse'],
    ['SELECT 1; DELETE FROM', 'sql-parse-error', 'does not parse'],
    ['SELECT * FROM t TABLESAMPLE my_sampler(10)', 'sql-function-not-allowed', 'TABLESAMPLE my_sampler'],
    ["SELECT * FROM ROWS FROM (setval('s', 1)) x", 'sql-function-not-allowed', 'setval'],
    ['EXPLAIN ANALYZE EXECUTE p', 'sql-explain-analyze-write', 'EXECUTE'],
    ['\\d users', 'sql-meta-command', '\\d is a psql meta-command'],
    ['SELECT 1;\n\\dt', 'sql-meta-command', 'line 2: \\dt'],
    ['\\l', 'sql-meta-command', '\\l'],
    // Operators call functions: only built-in names, unqualified or in pg_catalog.
    ['SELECT 1 === 2', 'sql-function-not-allowed', 'the operator === is not a built-in read-only operator'],
    ['SELECT * FROM t WHERE a === b', 'sql-function-not-allowed', '==='],
    ['SELECT 1 OPERATOR(public.+) 2', 'sql-function-not-allowed', 'the operator public.+'],
    ['SELECT 1 OPERATOR(evil.===) 2', 'sql-function-not-allowed', 'evil.==='],
    ['SELECT a FROM t ORDER BY a USING ~<~', 'sql-function-not-allowed', 'ORDER BY … USING: the operator ~<~'],
    ['SELECT a FROM t ORDER BY a USING OPERATOR(public.<)', 'sql-function-not-allowed', 'public.<'],
    ['SELECT 1 WHERE 1 === ANY(SELECT 1)', 'sql-function-not-allowed', '==='],
    ['SELECT 1 WHERE 1 === ANY(ARRAY[1])', 'sql-function-not-allowed', '==='],
    ['SELECT ### a FROM t', 'sql-function-not-allowed', '###'],
    ['EXPLAIN SELECT 1 === 2', 'sql-function-not-allowed', '==='],
  ])('%j → %s', (code, expected, detail) => expectRefused(sql(code), expected, detail));
});

describe('SQL: read-only controls', () => {
  it.each([
    'SELECT count(*) FROM t WHERE x = $1',
    'SHOW server_version',
    'SHOW ALL',
    'EXPLAIN SELECT * FROM t WHERE id = 1',
    'EXPLAIN DELETE FROM t',
    'EXPLAIN (ANALYZE false) UPDATE t SET a = 1',
    'EXPLAIN ANALYZE SELECT count(*) FROM t',
    'SELECT pg_size_pretty(pg_database_size(current_database()))',
    'SELECT now()',
    'SELECT pg_catalog.now(), version(), current_setting($$work_mem$$), pg_is_in_recovery()',
    'SELECT relname, n_dead_tup FROM pg_stat_user_tables WHERE relname = $$ledger$$;\n-- Expected: one row',
    "SELECT extract(epoch FROM now() - query_start), substring(query FROM 1 FOR 40), trim(state) FROM pg_stat_activity WHERE state <> 'idle'",
    'SELECT coalesce(sum(x), 0), greatest(1, 2), nullif(a, b), CASE WHEN a THEN 1 END FROM t GROUP BY a',
    'SELECT row_number() OVER (ORDER BY x), lag(x) OVER w FROM t WINDOW w AS (ORDER BY x)',
    'WITH r AS (SELECT * FROM t) SELECT * FROM r JOIN u USING (id)',
    'VALUES (1), (2)',
    'TABLE t',
    'SELECT 1; SHOW server_version; EXPLAIN SELECT 2',
    "SELECT * FROM t WHERE id = <ID> AND name = '<NAME>' AND x = $COUNT",
    'SELECT * FROM <TABLE>',
    'SELECT $body$ $x $body$',
    '-- only a comment',
    "SELECT a FROM t WHERE x BETWEEN 1 AND 2 AND y NOT BETWEEN SYMMETRIC 3 AND 4 AND z IN (1, 2) AND name LIKE 'a%' AND n !~* 'x'",
    "SELECT -x, x % 2, x ^ 2, |/ x, a || b, x IS DISTINCT FROM y, tags @> ARRAY['x'], tags && ARRAY['y'], j->>'k', j #> '{a}', j ? 'k' FROM t",
    'SELECT 1 OPERATOR(pg_catalog.+) 2, x = ANY(SELECT 1), (1, 2) < (3, 4) FROM t ORDER BY a USING <, b USING OPERATOR(pg_catalog.>)',
    "SELECT now() - interval '1 hour' <= ts, ts::date FROM t",
  ])('%j is read-only', (code) => expectReadOnly(sql(code), 'sql-read-only'));
});

describe('shell: attacks are caught', () => {
  it.each([
    ['ls; rm -rf x', 'shell-command-not-allowed', 'rm removes files'],
    ['ls && touch x', 'shell-command-not-allowed', 'touch'],
    ['ls || touch x', 'shell-command-not-allowed', 'touch'],
    ['ls\n\n# then\nrm x', 'shell-command-not-allowed', 'line 4: rm'],
    ['cat x > y', 'shell-redirect-to-file', '> y writes a file'],
    ['ls >> /var/log/x', 'shell-redirect-to-file', '>> /var/log/x'],
    ['ls &> out', 'shell-redirect-to-file', '&> out'],
    ['ls >&out', 'shell-redirect-to-file', '>& out'],
    ['ls 3<> f', 'shell-redirect-to-file', '3<> f'],
    ['ls > "$OUT"', 'shell-redirect-to-file', 'named at run time'],
    ['echo $(rm x)', 'shell-command-not-allowed', 'rm'],
    ['echo "a $(ls; rm x) b"', 'shell-command-not-allowed', 'rm'],
    ['echo ${X:-$(rm y)}', 'shell-command-not-allowed', 'rm'],
    ['x=$(rm y)', 'shell-command-not-allowed', 'rm'],
    ['cat <<EOF\n$(rm -rf /)\nEOF', 'shell-command-not-allowed', 'line 2: rm'],
    ['cat <<EOF && rm x\nbody\nEOF', 'shell-command-not-allowed', 'rm'],
    ['for i in $(rm y); do ls; done', 'shell-command-not-allowed', 'rm'],
    ['if ls; then rm x; fi', 'shell-command-not-allowed', 'rm'],
    ['while true; do rm x; done', 'shell-command-not-allowed', 'rm'],
    ['(rm x)', 'shell-command-not-allowed', 'rm'],
    ['{ rm x; }', 'shell-command-not-allowed', 'rm'],
    ['kubectl get pods | xargs kubectl delete', 'shell-command-not-allowed', 'xargs runs commands'],
    ['sudo ls', 'shell-command-not-allowed', 'sudo'],
    ['env ls', 'shell-command-not-allowed', 'env'],
    ['eval ls', 'shell-command-not-allowed', 'eval'],
    ['watch -n 1 "ps aux"', 'shell-command-not-allowed', 'watch'],
    ['./script.sh', 'shell-command-not-allowed', 'runs a program by path'],
    ['timeout 10 rm x', 'shell-command-not-allowed', 'rm'],
    ['hostname newname', 'shell-arguments-not-read-only', 'hostname newname sets the hostname'],
    ['hostname -F /etc/hostname', 'shell-arguments-not-read-only', 'hostname -F'],
    ['date -s "2020-01-01 00:00"', 'shell-arguments-not-read-only', 'date -s sets the system clock'],
    ['date --set=tomorrow', 'shell-arguments-not-read-only', 'date --set'],
    ['date 010112002020', 'shell-arguments-not-read-only', 'sets the system clock'],
    ['curl -X POST http://x', 'shell-arguments-not-read-only', 'curl -X'],
    ['curl -sXDELETE http://x', 'shell-arguments-not-read-only', 'curl -X'],
    ['curl --request PUT http://x', 'shell-arguments-not-read-only', 'curl --request'],
    ['curl -d a=1 http://x', 'shell-arguments-not-read-only', 'request body'],
    ['curl --data-binary @f http://x', 'shell-arguments-not-read-only', 'request body'],
    ['curl -F f=@x http://x', 'shell-arguments-not-read-only', 'form'],
    ['curl -T f http://x', 'shell-arguments-not-read-only', 'uploads'],
    ['curl -o /tmp/x http://x', 'shell-arguments-not-read-only', 'writes the response to a file'],
    ['curl -O http://x/f', 'shell-arguments-not-read-only', 'writes the response to a file'],
    ['curl -s "$URL"', 'shell-arguments-not-read-only', 'could be an option'],
    ['curl ftp://x/f', 'shell-arguments-not-read-only', 'ftp://'],
    ['curl -w "%output{/tmp/x}" http://x', 'shell-arguments-not-read-only', '%output'],
    ['$CMD', 'shell-dynamic-command', 'the command $CMD is named by a value'],
    ['"$(printf rm)" x', 'shell-dynamic-command', 'named by a value'],
    ['<TOOL> --version', 'shell-dynamic-command', 'the command <TOOL>'],
    ['find . -delete', 'shell-arguments-not-read-only', 'find -delete deletes files'],
    ['find / -name x -exec rm {} \\;', 'shell-arguments-not-read-only', 'find -exec runs commands'],
    ['printf -v x "%s" a', 'shell-arguments-not-read-only', 'printf -v'],
    ['sort -o out in', 'shell-arguments-not-read-only', 'sort -o'],
    ['uniq in out', 'shell-arguments-not-read-only', 'uniq writes to'],
    ['kubectl rollout restart deploy/web', 'shell-arguments-not-read-only', 'kubectl rollout restart is not a read-only subcommand'],
    ['kubectl delete pod x', 'shell-arguments-not-read-only', 'kubectl delete'],
    ['kubectl -n x apply -f m.yaml', 'shell-arguments-not-read-only', 'kubectl apply'],
    ['kubectl config use-context prod', 'shell-arguments-not-read-only', 'use-context'],
    ['kubectl --profile=cpu --profile-output=/tmp/p get pods', 'shell-arguments-not-read-only', '--profile'],
    ['kubectl cluster-info dump --output-directory=/tmp/x', 'shell-arguments-not-read-only', '--output-directory'],
    ['kubectl get pods -n $NS', 'shell-arguments-not-read-only', 'may split into several words'],
    ['kubectl <VERB> pods', 'shell-arguments-not-read-only', 'before the subcommand'],
    ['kubectl --bogus get pods', 'shell-arguments-not-read-only', 'unknown option --bogus'],
    ['systemctl restart nginx', 'shell-arguments-not-read-only', 'systemctl restart'],
    ['journalctl --vacuum-size=1G', 'shell-arguments-not-read-only', 'deletes journal files'],
    ['journalctl --rotate', 'shell-arguments-not-read-only', 'rotates'],
    ['psql -c "DELETE FROM t"', 'shell-arguments-not-read-only', 'DELETE is not a read-only statement'],
    ['psql -c "SELECT setval(\'s\', 1)"', 'shell-arguments-not-read-only', 'setval'],
    ['psql -c "SELECT 1" -o /tmp/out', 'shell-arguments-not-read-only', 'psql -o writes'],
    ['psql -f script.sql', 'shell-arguments-not-read-only', 'psql -f runs SQL from a file'],
    ['psql -c "SELECT * FROM t WHERE id = $ID"', 'shell-arguments-not-read-only', 'built from a value at run time'],
    ['psql', 'shell-arguments-not-read-only', 'reads its commands from its input'],
    ['psql <<SQL\nDELETE FROM t;\nSQL', 'shell-arguments-not-read-only', 'DELETE'],
    ['ss -K dst 10.0.0.1', 'shell-arguments-not-read-only', 'closes sockets'],
    ['dmesg -c', 'shell-arguments-not-read-only', 'clears'],
    ['ip addr add 10.0.0.1/24 dev eth0', 'shell-arguments-not-read-only', 'ip addr add'],
    ['docker rm -f x', 'shell-arguments-not-read-only', 'docker rm'],
    ['helm upgrade x chart', 'shell-arguments-not-read-only', 'helm upgrade'],
    ['PATH=/tmp ls', 'shell-assignment-not-allowed', 'PATH'],
    ['LD_PRELOAD=/tmp/x.so ls', 'shell-assignment-not-allowed', 'LD_PRELOAD'],
    ['IFS=x; ls', 'shell-assignment-not-allowed', 'IFS'],
    ['echo ${PATH:=/tmp}', 'shell-assignment-not-allowed', 'PATH'],
    ['export PAGER="sh -c x"', 'shell-arguments-not-read-only', 'PAGER'],
    ['for PATH in /tmp; do ls; done', 'shell-assignment-not-allowed', 'PATH'],
    ['echo `rm x`', 'shell-unsupported-syntax', '`…`'],
    ['case x in a) rm x;; esac', 'shell-unsupported-syntax', 'case'],
    ['f() { rm x; }; f', 'shell-unsupported-syntax', 'function definitions'],
    ['echo $((1 + 2))', 'shell-unsupported-syntax', 'arithmetic'],
    ['[[ $x -eq 1 ]]', 'shell-unsupported-syntax', '[[ … ]]'],
    ['diff <(ls a) <(ls b)', 'shell-unsupported-syntax', 'process substitution'],
    ['a=(1 2)', 'shell-unsupported-syntax', 'array'],
    ['echo "unterminated', 'shell-parse-error', 'does not parse'],
    ['ls &&', 'shell-parse-error', 'does not parse'],
    ['ls )', 'shell-parse-error', 'does not parse'],
    // test -v evaluates an array subscript in the name it tests, $( … ) included.
    ["[ -v 'cfg[$(touch /tmp/C)]' ] && echo set", 'shell-arguments-not-read-only', "[ -v 'cfg[$(touch /tmp/C)]'"],
    ["test -v 'a[$(touch /tmp/C)]'", 'shell-arguments-not-read-only', 'evaluates an array subscript'],
    ['test -v "a[$(touch /tmp/C)]"', 'shell-command-not-allowed', 'touch'],
    ['[ -R "a[x]" ]', 'shell-arguments-not-read-only', 'array subscript'],
    ['[ -v "$NAME" ]', 'shell-arguments-not-read-only', 'array subscript'],
    ['[ "$OP" "$NAME" ]', 'shell-arguments-not-read-only', 'array subscript'],
    ['[ ! -v "a[$I]" ]', 'shell-arguments-not-read-only', 'array subscript'],
    ['command test -v "a[1]"', 'shell-arguments-not-read-only', 'array subscript'],
    ['if [ -n $X ]; then ls; fi', 'shell-arguments-not-read-only', 'may split into several words'],
    ["[[ -v 'a[$(touch /tmp/C)]' ]]", 'shell-unsupported-syntax', '[[ … ]]'],
    ['[[ "a[$(touch /tmp/C)]" -eq 1 ]]', 'shell-unsupported-syntax', '[[ … ]]'],
    // kubectl (pflag/klog) flags that write files, also spelled with "_".
    ['kubectl get pods --log_file=/tmp/x', 'shell-arguments-not-read-only', '--log-file writes a log file'],
    ['kubectl get pods --log_dir=/tmp', 'shell-arguments-not-read-only', '--log-dir writes'],
    ['kubectl get pods --log-file /tmp/x', 'shell-arguments-not-read-only', '--log-file'],
    ['kubectl --log-dir=/tmp get pods', 'shell-arguments-not-read-only', '--log-dir'],
    ['kubectl --log_dir /tmp get pods', 'shell-arguments-not-read-only', '--log-dir'],
    ['kubectl get pods --cache-dir=/etc/cron.d', 'shell-arguments-not-read-only', '--cache-dir writes'],
    ['kubectl --cache_dir=/tmp/c get pods', 'shell-arguments-not-read-only', '--cache-dir'],
    ['kubectl get pods --profile_output=/tmp/p', 'shell-arguments-not-read-only', '--profile-output'],
    ['kubectl cluster-info dump --output_directory=/tmp/x', 'shell-arguments-not-read-only', '--output-directory'],
    ['kubectl get pods --log-file="$F"', 'shell-arguments-not-read-only', '--log-file'],
    ['kubectl get pods --log-$X=/tmp/x', 'shell-arguments-not-read-only', 'could be --log-'],
    ['helm show chart bitnami/nginx', 'shell-arguments-not-read-only', 'downloaded into the repository cache'],
    ['helm show values oci://registry/x/chart', 'shell-arguments-not-read-only', 'repository cache'],
    ['helm show values nginx --repo https://charts.example', 'shell-arguments-not-read-only', '--repo downloads'],
    ['helm inspect all <CHART>', 'shell-arguments-not-read-only', 'repository cache'],
    ['helm get values rel --output_dir=/tmp', 'shell-arguments-not-read-only', '--output-dir'],
    // Redirections bash turns into network connections, or that reach other file descriptors.
    ['cat < /dev/tcp/10.0.0.1/80', 'shell-redirect-to-file', 'opens a network connection'],
    ['cat </dev/udp/h/53', 'shell-redirect-to-file', 'network connection'],
    ['cat < /dev/tcp/$HOST/80', 'shell-redirect-to-file', 'network connection'],
    ['cat < "$F"', 'shell-redirect-to-file', 'could be /dev/tcp'],
    ['cat < /dev/$P/h/80', 'shell-redirect-to-file', 'could be /dev/tcp'],
    ['echo hi >&3', 'shell-redirect-to-file', 'file descriptor 3'],
    ['echo hi 1>&3', 'shell-redirect-to-file', 'file descriptor 3'],
    ['echo hi 2>&9', 'shell-redirect-to-file', 'file descriptor 9'],
    ['echo hi 1<&3', 'shell-redirect-to-file', 'file descriptor 3'],
    ['ls >&-', 'shell-redirect-to-file', 'closes a file descriptor'],
    ['ls 1<&-', 'shell-redirect-to-file', 'closes'],
    ['ls 2>&"$FD"', 'shell-redirect-to-file', 'known only at run time'],
  ])('%j → %s', (code, expected, detail) => expectRefused(shell(code), expected, detail));

  it('text nested deeper than any parser copes with is not proven, and does not throw', async () => {
    expect(await shell(`echo ${'$('.repeat(3000)}ls${')'.repeat(3000)}`)).toMatchObject({ changesState: true });
    expect(await sql(`SELECT ${'('.repeat(20000)}1${')'.repeat(20000)}`)).toMatchObject({ changesState: true, code: 'sql-parse-error' });
  });

  it('names the line of the offending command', async () => {
    const v = await shell('hostname\nuname -a\ndf -h | grep x && touch /tmp/y');
    expect(v).toMatchObject({ changesState: true, code: 'shell-command-not-allowed', detail: 'line 3: touch writes files' });
  });

  it('a value that becomes known later in a loop is still checked on every pass', async () => {
    expect(await shell('Y=pods; for i in a b; do kubectl get $Y; Y=--profile=cpu; done')).toMatchObject({ changesState: true, detail: expect.stringContaining('--profile') });
    expect(await shell('X=pods; if true; then X="a --profile=cpu"; fi; kubectl get $X')).toMatchObject({ changesState: true, code: 'shell-arguments-not-read-only' });
  });
});

describe('shell: read-only controls', () => {
  it.each([
    'kubectl get pods -n x -o wide',
    'kubectl logs deploy/x --tail=50',
    'kubectl -n payments rollout status deployment/ledger-writer',
    'kubectl get pods -o jsonpath={.items[*].metadata.name}',
    'kubectl get pods -n "$NS" && kubectl describe pod "$POD"',
    'kubectl get pods <POD> -n <NS>',
    'kubectl auth can-i get pods --as=system:serviceaccount:x:y',
    'kubectl --insecure-skip-tls-verify -n x --context=prod get pods',
    'hostname',
    'hostname -f',
    'df -h | grep x',
    'cat /etc/os-release',
    'ls -la 2>/dev/null',
    'grep -c ERROR /var/log/x | head',
    'tail -f /var/log/syslog',
    'date -u +%Y-%m-%dT%H:%M:%SZ',
    'id -un\nuname -srm\n# Expected: the right host',
    'systemctl status nginx --no-pager',
    'systemctl is-active nginx || true',
    'journalctl -u nginx --since "1 hour ago" -n 100 --no-pager',
    'curl -sSf https://x/health -w "%{http_code}"',
    'curl -s "https://<HOST>/health"',
    'for service in a b c; do\n  curl -s http://$service:4000/__health\ndone',
    'NS=prod; kubectl get pods -n $NS',
    'psql -X -c "SELECT count(*) FROM t"',
    "psql -h db -U app -d payments -c 'SHOW server_version'",
    'psql -X <<SQL\nSELECT 1;\nSQL',
    'set -euo pipefail\nkubectl get ns',
    'LC_ALL=C grep -r x /etc | sort | uniq -c | sort -rn | head',
    'if [ -f /etc/x ]; then cat /etc/x; else echo none; fi',
    'for tool in git tar ssh; do\n  command -v "$tool" >/dev/null && echo "ok  $tool" || { echo "missing $tool"; exit 1; }\ndone',
    'echo "health check by ${OPERATOR_NAME} on $(hostname) finished"',
    'cat <<\'EOF\'\n$(rm -rf /)\nEOF',
    // A word the block makes could be an option (--profile-output=…): after -- it is not.
    'X=$(kubectl get pods -o name | head -1)\nkubectl describe -- "$X"',
    '( cd /tmp && ls ) 2>&1 | head',
    'timeout 10 kubectl get nodes',
    'ip -br addr show',
    'ss -tlnp',
    'docker ps -a',
    'ls # rm -rf /',
    'echo \\; rm x',
    '[ -v HOME ] && echo set',
    'test -v NAMESPACE || echo unset',
    '[ -n "$X" ] && [ "$X" = y ] && [ -f "$FILE" ] && [ -z "$(hostname)" ] && [ "$X" ]',
    '[ "$N" -eq 3 ] || test "$A" -gt "$B"',
    '[ ! -d /srv/x ] || [ -f /etc/x -a -r /etc/y ]',
    'echo hi >&2',
    'ls 2>&1 >/dev/null',
    'echo err 1>&2; ls 2>/dev/null',
    'cat < /etc/hosts',
    'cat < /var/log/$NAME',
    'helm show values ./charts/web',
    'helm inspect chart /srv/charts/web --version 1.2',
    'helm list -A',
  ])('%j is read-only', (code) => expectReadOnly(shell(code), 'shell-read-only'));

  it('a run variable reaches bash as one word (shell-values quotes it); any other unquoted $NAME may split', async () => {
    const code = 'kubectl get pods -n $NS';
    expect(await verdictOf({ action: 'shell', code, variables: ['NS'] })).toMatchObject({ changesState: false, code: 'shell-read-only' });
    expect(await verdictOf({ action: 'shell', code, variables: [] })).toMatchObject({ changesState: true, code: 'shell-arguments-not-read-only' });
    const block = parseRunbook(`- [ ] s\n  \`\`\`bash\n  ${code}\n  \`\`\`\n`).steps[0]?.blocks[0];
    expect(block?.variables).toEqual(['NS']);
    expect(await verdictOf(block as NonNullable<typeof block>)).toMatchObject({ changesState: false });
    // One word is still enough to be an option where an option writes.
    expect(await verdictOf({ action: 'shell', code: 'curl -s $URL', variables: ['URL'] })).toMatchObject({ changesState: true, detail: expect.stringContaining('could be an option') });
    // ${NAME:-…} is not a plain reference: not quoted for it.
    expect(await verdictOf({ action: 'shell', code: 'kubectl get pods -n ${NS:-default}', variables: ['NS'] })).toMatchObject({ changesState: true });
  });

  it('names the commands it proved', async () => {
    expect((await shell('df -h | grep x')).detail).toBe('runs only read-only commands: df, grep');
  });

  it('fuzz: a chain of read-only commands is read-only until one state changer is put anywhere in it', async () => {
    const readCmd = fc.constantFrom('ls -la', 'cat /etc/hosts', 'grep -c x y', 'kubectl get pods -n x', 'df -h', 'echo "a b"', 'hostname', 'true');
    const writeCmd = fc.constantFrom('rm -rf x', 'touch y', 'kubectl delete pod x', 'hostname h', 'date -s now', 'curl -X POST http://x', 'ls > f');
    const sep = fc.constantFrom('; ', ' && ', ' || ', ' | ', '\n', ' &\n');
    const wrap = fc.constantFrom((c: string) => c, (c: string) => `( ${c} )`, (c: string) => `{ ${c}; }`, (c: string) => `echo "$(${c})"`, (c: string) => `if true; then ${c}; fi`);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(readCmd, sep, wrap), { minLength: 1, maxLength: 4 }), fc.option(fc.tuple(writeCmd, fc.nat(), wrap)), async (parts, bad) => {
        const items = parts.map(([cmd, s, w]) => [w(cmd), s] as const);
        if (bad) items.splice(bad[1] % (items.length + 1), 0, [bad[2](bad[0]), '; ']);
        const code = items.map(([c, s], i) => (i === items.length - 1 ? c : c + s)).join('');
        const v = await shell(code);
        expect(v.changesState, `${code} → ${v.code}: ${v.detail}`).toBe(bad !== null);
      }),
      { numRuns: 60 },
    );
  });
});

describe('shell: the second attack on read-only verdicts (shell-attack-round2.test.ts runs the blocks)', () => {
  it.each([
    // Globs and brace expansion anywhere in a word: several words of unknown text, sharing the text before them.
    ['uniq in*', 'shell-arguments-not-read-only', 'may split into several words'],
    ['find . -[d]elete', 'shell-arguments-not-read-only', 'could be an action'],
    ['sort in? /dev/null', 'shell-arguments-not-read-only', 'may split'],
    ['kubectl get pods *', 'shell-arguments-not-read-only', 'may split'],
    ['kubectl get pods --{profile-output=x,output=json}', 'shell-arguments-not-read-only', 'could be'],
    ['l* -la', 'shell-dynamic-command', 'named by a value'],
    // Options with an optional value take it only glued.
    ['date -I 010112002020', 'shell-arguments-not-read-only', 'sets the system clock'],
    ['date --resolution 010112002020', 'shell-arguments-not-read-only', 'sets the system clock'],
    // Names bash assigns to: plain NAMEs only (a subscript is evaluated, $( ) included).
    ["read 'a[$(touch C)]' <<< x", 'shell-arguments-not-read-only', 'not a plain variable name'],
    ['read -a "a[1]" <<< x', 'shell-arguments-not-read-only', 'not a plain variable name'],
    ["sleep 0 & wait -n -p 'a[$(touch C)]'", 'shell-arguments-not-read-only', 'not a plain variable name'],
    ['mapfile x <<< y', 'shell-command-not-allowed', 'mapfile'],
    ['getopts ab x', 'shell-command-not-allowed', 'getopts'],
    ['export "PAT$(echo H)=/tmp"; ls', 'shell-arguments-not-read-only', 'not a plain NAME or NAME=value'],
    // A variable a command sets is not known afterwards (or has the value a declaration gives it).
    ['C=ls; read -r "C" <<< "touch x"; $C', 'shell-dynamic-command', 'named by a value'],
    ["C=ls; export 'C=touch x'; $C", 'shell-arguments-not-read-only', 'export C'],
    ["C=ls; readonly 'C=touch x'; $C", 'shell-dynamic-command', 'named by a value'],
    ['C=ls; command read -r C <<< "touch x"; $C', 'shell-dynamic-command', 'named by a value'],
    ['C=ls; command -p read C <<< "touch x"; $C', 'shell-dynamic-command', 'named by a value'],
    ['B=in; read -r "B" <<< "in out"; uniq $B', 'shell-arguments-not-read-only', 'may split'],
    ['C=ls; if true; then read C <<< x; fi; $C', 'shell-dynamic-command', 'named by a value'],
    ['REPLY=ls; read <<< touch; $REPLY x', 'shell-dynamic-command', 'named by a value'],
    // An assignment to a readonly variable fails and bash goes on: the old value stays.
    ['X=touch; readonly X\nX=ls\n$X x', 'shell-dynamic-command', 'line 3: the command $X'],
    ['X=touch; readonly X; for X in ls; do :; done; $X x', 'shell-dynamic-command', 'named by a value'],
    // Variables bash sets itself: $_ is the last argument of the command before, ~- is $OLDPWD.
    ['_=ls; echo touch; $_ x', 'shell-dynamic-command', 'named by a value'],
    ['echo --profile-output=x; kubectl version --client "$_"', 'shell-arguments-not-read-only', 'could be an option'],
    ['OLDPWD=--profile-output=x; kubectl version --client ~-', 'shell-arguments-not-read-only', 'could be an option'],
    ['X=~-; kubectl version --client "$X"', 'shell-arguments-not-read-only', 'could be an option'],
    ['set -- --profile-output=x; kubectl version --client "$1"', 'shell-arguments-not-read-only', 'could be an option'],
    // Here-documents bash reads differently (shell-ast.ts's Redirect.disagreement).
    ['x=$(cat <<EOF\nok\nEOF)\ntouch C\nEOF\n)', 'shell-unsupported-syntax', 'starts with its delimiter'],
    ['cat <<EOF\nEO\\\nF\ntouch C\nEOF', 'shell-unsupported-syntax', 'line ending in a backslash'],
    ['cat <<E\\\nOF\n$(touch C)\nEOF', 'shell-unsupported-syntax', 'here-document whose delimiter'],
    // Words the block makes after a verb could be options; $'…' with an escape is such a word.
    ['kubectl version --client "$(echo --profile=cpu)"', 'shell-arguments-not-read-only', 'could be an option'],
    ["kubectl version --client $'\\x2d-profile=cpu'", 'shell-arguments-not-read-only', 'could be an option'],
    ['X=$(kubectl get pods -o name | head -1)\nkubectl describe "$X"', 'shell-arguments-not-read-only', 'could be an option'],
    ['for f in *; do kubectl describe "$f"; done', 'shell-arguments-not-read-only', 'could be an option'],
    ['helm status "$(echo --kubeconfig=x)"', 'shell-arguments-not-read-only', 'could be an option'],
    ['systemctl status "$(echo -H x)"', 'shell-arguments-not-read-only', 'could be an option'],
    ['docker logs "$(echo --x)"', 'shell-arguments-not-read-only', 'could be an option'],
    ['systemctl status $UNITS', 'shell-arguments-not-read-only', 'may split'],
    // The environment of a program: an allow-list; shell variables: not those bash or the programs act on.
    ['KUBECACHEDIR=/tmp/c kubectl api-resources', 'shell-assignment-not-allowed', 'KUBECACHEDIR is not a variable a command may be given'],
    ['DBUS_SESSION_BUS_ADDRESS=unixexec:path=/usr/bin/touch systemctl --user status', 'shell-assignment-not-allowed', 'DBUS_SESSION_BUS_ADDRESS'],
    ['KUBECONFIG=/tmp/kc kubectl get pods', 'shell-assignment-not-allowed', 'KUBECONFIG'],
    ['KUBECONFIG=/tmp/kc; kubectl get pods', 'shell-assignment-not-allowed', 'KUBECONFIG'],
    ['export KUBECACHEDIR=/tmp/c; kubectl api-resources', 'shell-arguments-not-read-only', 'KUBECACHEDIR'],
    ['X=1; export X', 'shell-arguments-not-read-only', 'export X'],
    ['set -a; KUBECACHEDIR=/tmp/c', 'shell-arguments-not-read-only', 'set -a'],
    ['set -o allexport', 'shell-arguments-not-read-only', 'allexport'],
    ['kubectl --kubeconfig=/etc/kube/config get pods', 'shell-arguments-not-read-only', '--kubeconfig names a kubeconfig'],
    ['kubectl get pods --kubeconfig "$KUBECONFIG" -n <NS>', 'shell-arguments-not-read-only', '--kubeconfig'],
    ['helm list --kubeconfig /tmp/kc', 'shell-arguments-not-read-only', '--kubeconfig'],
    ['TEXTDOMAINDIR=/tmp/loc; TEXTDOMAIN=evil', 'shell-assignment-not-allowed', 'TEXTDOMAINDIR'],
    ['TEXTDOMAIN=evil', 'shell-assignment-not-allowed', 'TEXTDOMAIN'],
    ['echo $"ls"', 'shell-unsupported-syntax', '$"…"'],
    ['TZ=/dev/watchdog date', 'shell-assignment-not-allowed', 'TZ may only be a zone name'],
    ['TZ=../../../dev/x date', 'shell-assignment-not-allowed', 'TZ may only be a zone name'],
    ['LC_ALL=/tmp/loc ls', 'shell-assignment-not-allowed', 'LC_ALL may only be a locale name'],
    ['LANG="$L" ls', 'shell-assignment-not-allowed', 'not known here'],
    ['COLUMNS=x ls', 'shell-assignment-not-allowed', 'COLUMNS may only be a number'],
    ['read -r LANG <<< /tmp/x', 'shell-arguments-not-read-only', 'LANG'],
    ['EXECIGNORE=x; ls', 'shell-assignment-not-allowed', 'EXECIGNORE'],
    // curl's format from a file or its input; psql variables put into the SQL after it was judged.
    ["curl -s -w @- https://x <<< '%output{/tmp/x}x'", 'shell-arguments-not-read-only', 'reads its format'],
    ['curl -s --write-out=@fmt https://x', 'shell-arguments-not-read-only', 'reads its format'],
    ["psql -X -v 'q=1' -c 'SELECT 1'", 'shell-arguments-not-read-only', 'psql -v sets variables'],
    ['psql -X --set=q=1 -c "SELECT 1"', 'shell-arguments-not-read-only', 'psql --set'],
    ['psql -X --variable q=1 -c "SELECT 1"', 'shell-arguments-not-read-only', 'psql --variable'],
  ])('%j → %s', (code, expected, detail) => expectRefused(shell(code), expected, detail));

  it('a brace word is several words of unknown text (or, where mvdan/sh cannot split it, not proven), never a crash', async () => {
    for (const code of ['ls {,x}', "echo {,''}", 'sort {,-o,x} in']) {
      const v = await shell(code);
      expect(VERDICT_CODES).toContain(v.code);
      if (code.startsWith('sort')) expect(v.changesState).toBe(true);
    }
    expect(await shell('ls x{a,b}')).toMatchObject({ changesState: false });
  });

  // Positive controls: read-only blocks near the holes stay read-only.
  it.each([
    'kubectl get pods -n x',
    'ls -la /var/log',
    'date -u',
    'uniq in',
    'grep -c x f',
    'ls *.log /var/log/*.gz',
    'cat /etc/*release | grep -i name',
    'date -Iseconds',
    'date -I',
    'date --iso-8601=seconds -u',
    'journalctl -n 100 -u nginx --no-pager',
    'dmesg -Lnever -T | tail',
    'read -r line <<< "a b"; echo "$line"',
    'while read -r pod; do echo "$pod"; done <<< x',
    'kubectl get pods -o jsonpath={.items[*].metadata.name}',
    'NS=$(cat /etc/ns); kubectl get pods -n "$NS"',
    'kubectl logs deploy/x -c "$(cat /etc/c)" --tail=20',
    'kubectl get pods "pod/$(hostname)"',
    'kubectl get pods --namespace="$(cat /etc/ns)"',
    'for ns in a b; do kubectl get pods -n "$ns"; done',
    'kubectl describe pod "$POD"',
    'systemctl status "$UNIT" --no-pager',
    'TZ=UTC date',
    'TZ=Europe/Paris date +%H',
    'LC_ALL=C.UTF-8 LANG=C sort -u /etc/hosts',
    'COLUMNS=200 ps aux',
    'NO_COLOR=1 TERM=dumb systemctl status nginx --no-pager',
    'export TZ=UTC; date',
    'curl -sS -w "%{http_code}" https://x/health',
    "psql -X -c 'SELECT 1'",
    'cat ~/.profile',
    'X=a; readonly X; echo "$X"',
    'X=pods; readonly X; kubectl get $X',
  ])('%j is read-only', (code) => expectReadOnly(shell(code), 'shell-read-only'));
});

describe('shell: text a scanner could read differently than bash', () => {
  it.each([
    // A line continuation joins the word, also in a command name.
    ['r\\\nm x', 'shell-command-not-allowed', 'line 1: rm removes files'],
    // $'…' ends at the first unescaped quote: \' does not end it, in '…' it would.
    ["echo 'a\\'; rm x", 'shell-command-not-allowed', 'rm removes files'],
    ["echo $'it\\'s'; rm x", 'shell-command-not-allowed', 'rm removes files'],
    // <<- strips the tabs of the delimiter line: the body ends there and what follows runs.
    ['cat <<-EOF\n\tbody $(rm x)\n\tEOF\n', 'shell-command-not-allowed', 'line 2: rm'],
    ['cat <<-EOF\n\tbody\n\tEOF\nrm y', 'shell-command-not-allowed', 'line 4: rm'],
    ['psql <<-SQL\n\tDELETE FROM t;\n\tSQL', 'shell-arguments-not-read-only', 'DELETE'],
    // A quote in a comment quotes nothing.
    ["ls # it's fine\nrm x", 'shell-command-not-allowed', 'line 2: rm'],
    ['echo "a # b\'s" # c\'\nrm x', 'shell-command-not-allowed', 'line 2: rm'],
    // mvdan/sh reads a carriage return as a blank, bash as part of the word (">&2\r" writes a file "2\r").
    ['echo hi >&2\r\n', 'shell-unsupported-syntax', 'carriage return'],
    ['ls >/dev/null\r\nls', 'shell-unsupported-syntax', 'line 1: a carriage return'],
    // mvdan/sh stops at a NUL, which bash drops: the rest would go unseen.
    ['ls\u0000; rm x', 'shell-unsupported-syntax', 'NUL'],
    // After | bash runs the time program (its -o writes a file), not the keyword.
    ['ls | time -o /tmp/x ls', 'shell-unsupported-syntax', 'time after |'],
    ['ls | time ls', 'shell-unsupported-syntax', 'time after |'],
    // A delimiter bash decodes in ways not modelled, or a body line that could end the body elsewhere.
    ["cat <<$'E'\nx\nE\nrm y", 'shell-unsupported-syntax', 'here-document whose delimiter holds $'],
    ['cat <<E\nx\\\nE\nE\n', 'shell-unsupported-syntax', 'here-document'],
    // NAME+=value appends: the value known afterwards is the old one and the new text.
    ['X=--log-; X+=file=/tmp/x; kubectl get pods $X', 'shell-arguments-not-read-only', '--log-file writes'],
    ['X=--log-; readonly X+=file=/tmp/x; kubectl get pods $X', 'shell-arguments-not-read-only', '--log-file writes'],
    // Declarations (mvdan/sh's DeclClause) are judged as the commands they are; let is arithmetic.
    ['local x=1', 'shell-command-not-allowed', 'local is only for functions'],
    ['declare -r x=1', 'shell-command-not-allowed', 'declare'],
    ['typeset x', 'shell-command-not-allowed', 'typeset'],
    ['export X=$(rm y)', 'shell-command-not-allowed', 'rm'],
    ['readonly LD_PRELOAD=/tmp/x.so', 'shell-arguments-not-read-only', 'LD_PRELOAD'],
    ['export a[1]=2', 'shell-unsupported-syntax', 'array'],
    ['let x=1', 'shell-unsupported-syntax', 'let'],
    ['echo @(a|b)', 'shell-unsupported-syntax', 'extended globs'],
    ['echo $[1 + 1]', 'shell-unsupported-syntax', 'arithmetic'],
    ['echo ${!x}', 'shell-unsupported-syntax', '${!…}'],
    ['echo ${x/a/b}', 'shell-unsupported-syntax', '${…}'],
    ['coproc ls', 'shell-unsupported-syntax', 'coprocesses'],
    ['select x in a; do ls; done', 'shell-unsupported-syntax', 'select'],
    ['ls {fd}>/dev/null', 'shell-unsupported-syntax', '{name}>'],
  ])('%j → %s', (code, expected, detail) => expectRefused(shell(code), expected, detail));

  it.each([
    'echo a\\\nb',
    'ec\\\nho hi',
    "echo $'it\\'s'",
    // \' does not end $'…': "; rm x" is inside the quotes.
    "echo $'a\\' ; rm x'",
    'psql <<-SQL\n\tSELECT 1;\n\tSQL',
    'cat <<-\'EOF\'\n\t$(rm x)\n\tEOF',
    "ls # it's fine",
    'echo "it\'s" # and \'this\'',
    'echo "a\rb"',
    'X=po; X+=ds; kubectl get $X',
    'export TZ=UTC LANG; readonly Z=2; kubectl get pods',
    'time ls | cat',
    'cat <<EOF; echo "$(hostname\n)"\nbody\nEOF\n',
    'echo "$(cat <<EOF\nx\nEOF\n)"',
  ])('%j is read-only', (code) => expectReadOnly(shell(code), 'shell-read-only'));

  it('counts lines right after text outside ASCII (offsets are UTF-16, mvdan/sh counts bytes)', async () => {
    expect(await shell('# héllo wörld 🎉\nrm x')).toMatchObject({ changesState: true, detail: 'line 2: rm removes files' });
    expect(await shell('echo "日本語 🎉"; echo é\n\nls > f')).toMatchObject({ code: 'shell-redirect-to-file', detail: 'line 3: > f writes a file' });
    expect((await shell('echo "🎉🎉🎉"\necho é `ls`')).detail).toMatch(/^line 2: `…`/);
    expect((await shell('echo "🎉"\necho "unterminated')).detail).toMatch(/^line 2: does not parse/);
    expect((await shell('echo 🎉 "$(echo é\nrm x)"')).detail).toBe('line 2: rm removes files');
  });
});

describe('the other actions', () => {
  it('a manifest applies; PromQL only reads; display never runs', async () => {
    expect(await verdictOf({ action: 'k8s-manifest', code: 'apiVersion: v1\nkind: ConfigMap' })).toMatchObject({ changesState: true, code: 'manifest-applies' });
    expect(await verdictOf({ action: 'promql', code: 'up' })).toMatchObject({ changesState: false, code: 'promql-query' });
    expect(await verdictOf({ action: 'display', code: 'rm -rf /' })).toMatchObject({ changesState: false, code: 'display' });
  });
});

describe('verdictOfSync', () => {
  it('judges SQL at once and shell only once verdictOf has', async () => {
    expect(verdictOfSync({ action: 'sql', code: 'DELETE FROM t' })).toMatchObject({ changesState: true, code: 'sql-writes' });
    expect(verdictOfSync({ action: 'sql', code: 'SELECT 1' })).toMatchObject({ changesState: false });
    const block = { action: 'shell' as const, code: 'ls -la /srv/verdict-sync' };
    expect(verdictOfSync(block)).toMatchObject({ changesState: true, code: 'unknown' });
    await verdictOf(block);
    expect(verdictOfSync(block)).toMatchObject({ changesState: false, code: 'shell-read-only' });
  });
});

describe('the lists', () => {
  it('are exported, and keep the state changers out', () => {
    for (const fn of ['count', 'now', 'coalesce', 'lower', 'pg_size_pretty', 'pg_relation_size', 'version', 'current_setting', 'pg_is_in_recovery']) {
      expect(READ_ONLY_FUNCTIONS.has(fn), fn).toBe(true);
    }
    for (const fn of ['setval', 'nextval', 'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'set_config', 'pg_advisory_lock', 'dblink', 'lo_unlink', 'pg_read_file']) {
      expect(READ_ONLY_FUNCTIONS.has(fn), fn).toBe(false);
    }
    expect(READ_ONLY_COMMANDS).toEqual(expect.arrayContaining(['ls', 'cat', 'kubectl', 'psql', 'curl']));
    expect(READ_ONLY_COMMANDS).not.toEqual(expect.arrayContaining(['sudo']));
    expect(new Set(VERDICT_CODES).size).toBe(VERDICT_CODES.length);
  });
});

const SEEDS = path.resolve(import.meta.dirname, '../../../shared/seeds');
const seeds = existsSync(SEEDS) ? readdirSync(SEEDS).filter((f) => f.endsWith('.md')) : [];

describe('the shared seed runbooks', () => {
  it.skipIf(seeds.length === 0)(`every block gets a verdict without throwing${seeds.length === 0 ? ` (skipped: no runbooks in ${SEEDS})` : ''}`, async () => {
    let blocks = 0;
    for (const file of seeds) {
      const { runbook } = await loadRunbookSnapshot(path.join(SEEDS, file));
      for (const step of runbook.steps) {
        for (const block of step.blocks) {
          const v: Verdict = await verdictOf(block);
          expect(VERDICT_CODES, `${file} ${block.id}`).toContain(v.code);
          expect(v.detail.length).toBeGreaterThan(0);
          blocks++;
        }
      }
    }
    expect(blocks).toBeGreaterThan(0);
  });
});
