// Second attack on the two guarantees rebuilt on mvdan/sh's syntax tree (shell-ast.ts):
//
//  1. Read-only verdicts (verdictOf / shellVerdict). A shell block judged read-only skips the protected-target
//     confirmation and the RESTRICTED approval, so a read-only verdict must mean that running the block changes
//     nothing. Each candidate is judged; when the verdict is "read-only" the block is run with bash in a fresh
//     temporary directory and must change nothing there (no file written or removed, no canary, no clock set).
//  2. Values are data (prepareShell). Either the block is refused (problems, code unchanged, env {}) or, run
//     with `bash -c code` and the prepared env, the hostile values create no CANARY and remove nothing.
//     Cases already in shell-values.attack.test.ts are not repeated.
//
// Layout: what holds (passing tests, each able to fail), then each hole the review found as a test named
// "BUG: …" holding the exact block and value (all fixed; each asserts the guarantee). Where a program is
// missing here (kubectl, systemctl, strace, a C.UTF-8 locale, PostgreSQL), the run is left out and only the
// verdict or the refusal is asserted. Container CLIs are replaced by a shim that runs the command they would
// run in the container locally, which is what matters for where a value ends up.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBash } from '../../src/main/session/shell-ast.js';
import { type PreparedShell, prepareShell } from '../../src/main/session/shell-values.js';
import { loadVerdictParsers, type Verdict, verdictOf } from '../../src/main/session/verdict.js';
import { type PostgresHandle, postgresAvailable, startPostgres } from '../infra/postgres.js';

const root = mkdtempSync(path.join(tmpdir(), 'shell-attack-r2-'));
const HOME = path.join(root, 'home');
mkdirSync(HOME);
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(loadVerdictParsers);

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const hasLocale = (name: string) => (spawnSync('locale', ['-a'], { encoding: 'utf8' }).stdout ?? '').split('\n').some((l) => l.toLowerCase() === name);

let dirs = 0;
/** A fresh directory for one run, holding `files` (name → content). */
function fresh(files: Record<string, string> = {}): string {
  const dir = path.join(root, `run${++dirs}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** Every file and directory under `dir`, with its content: what "nothing changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      const rel = path.relative(dir, full);
      if (statSync(full).isDirectory()) {
        out[`${rel}/`] = '';
        walk(full);
      } else out[rel] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `code` as a local step does: `bash -c`, stdin closed, only PATH (and HOME) plus `env`. */
function runBash(code: string, opts: { cwd: string; env?: Record<string, string>; path?: string[]; wrap?: string[] }): Promise<Ran> {
  const argv = [...(opts.wrap ?? []), 'bash', '-c', code];
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(argv[0] as string, argv.slice(1), {
      cwd: opts.cwd,
      env: { PATH: [...(opts.path ?? []), process.env.PATH ?? '/usr/bin:/bin'].join(':'), HOME, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Guarantee 1: read-only verdicts

const shell = (code: string): Promise<Verdict> => verdictOf({ action: 'shell', code });

interface VerdictRun {
  /** Files the directory holds before the run (a planted file the block's glob matches …). */
  files?: Record<string, string>;
  /** The block, given the run's directory (for absolute paths in it). */
  code: string | ((dir: string) => string);
  env?: Record<string, string>;
  wrap?: string[];
  /** Whether the run changed state beyond the directory (a clock_settime call …); default: no. */
  changedElsewhere?: (ran: Ran, dir: string) => boolean;
}

/**
 * The guarantee for one block: judged as changing state, or run in a fresh directory it changes nothing.
 * With `run` null (a program is missing here) a read-only verdict alone fails: the block is known to act.
 */
async function verdictHolds(run: VerdictRun | null, code?: string): Promise<void> {
  const dir = fresh(run?.files ?? {});
  const text = run ? (typeof run.code === 'function' ? run.code(dir) : run.code) : (code as string);
  const v = await shell(text);
  if (v.changesState) return;
  if (!run) {
    expect(v.changesState, `READ-ONLY verdict for a block that changes state: ${JSON.stringify(text)} (${v.detail})`).toBe(true);
    return;
  }
  const before = snapshot(dir);
  const ran = await runBash(text, { cwd: dir, env: run.env, wrap: run.wrap });
  const after = snapshot(dir);
  expect({ files: after, elsewhere: run.changedElsewhere?.(ran, dir) ?? false }, `READ-ONLY verdict (${v.detail}) but running ${JSON.stringify(text)} changed state (stderr ${JSON.stringify(ran.stderr.slice(0, 400))})`).toEqual({ files: before, elsewhere: false });
}

/** Runs date (or any block) under strace with clock setting failed on purpose: the call is seen, the clock stays. */
const STRACE_CLOCK = ['strace', '-f', '-qq', '-e', 'trace=clock_settime,settimeofday,adjtimex,clock_adjtime', '-e', 'inject=clock_settime,settimeofday,adjtimex,clock_adjtime:error=EPERM'];
const setsClock = (ran: Ran) => /(clock_settime|settimeofday|adjtimex|clock_adjtime)\(/.test(ran.stderr);

describe('read-only verdicts: what holds', () => {
  // Spellings of state changers not in verdict.test.ts: abbreviations, glued values, `=` forms, wrappers,
  // globals before a verb, brace expansion into options, shell options, redirections.
  it.each([
    ['sort --outp=/tmp/x in', 'unknown option'],
    ['sort -bo/tmp/x in', 'sort -o'],
    ['sort -ro /tmp/x in', 'sort -o'],
    ['sort {-o,/tmp/x} in', 'may split'],
    ['sort -{o,x} /tmp/y in', 'may split'],
    ["sort $'-\\x6f' /tmp/x in", 'could be an option'],
    ['journalctl --vacuum-s=1G', 'unknown option'],
    ['journalctl --cursor-fil=/tmp/x', 'unknown option'],
    ['date --se=tomorrow', 'unknown option'],
    ['date -u -- 010112002020', 'sets the system clock'],
    ['hostname --fil /etc/hostname', 'unknown option'],
    ['hostname -- newname', 'sets the hostname'],
    ['hostname -aF /etc/hostname', 'hostname -F'],
    ['curl -sSo/tmp/x https://x', 'curl -o'],
    ['curl --output=/tmp/x https://x', 'curl --output'],
    ['curl -K - https://x', 'reads further options'],
    ['find . -fprint0 /tmp/x', 'writes a file'],
    ['find . -name x -o -fls /tmp/x', 'writes a file'],
    ['systemctl --no-pager restart nginx', 'systemctl restart'],
    ['systemctl -t service stop nginx', 'systemctl stop'],
    ['docker --debug rm -f web', 'docker rm'],
    ['docker -H unix:///x exec web ls', 'docker exec'],
    ['ip link s dev lo down', 'ip link s'],
    ['ip -s -s link set lo down', 'ip link set'],
    ['kubectl -n x --context y delete pod z', 'kubectl delete'],
    ['kubectl get pods --cache_dir=/tmp/x', '--cache-dir'],
    ['kubectl --kuberc=/tmp/rc get pods', 'unknown option'],
    ['timeout -s KILL 5 rm -f x', 'rm removes files'],
    ['command -p rm x', 'rm removes files'],
    ['command exec ls', 'exec'],
    ['command eval ls', 'eval'],
    ['builtin echo x', 'builtin'],
    ['set -k; ls', 'not a known harmless shell option'],
    ['set -o posix', 'not a known harmless shell option'],
    ['shopt -s expand_aliases', 'shopt'],
    ['PAGER="sh -c x" journalctl -u x', 'PAGER'],
    ['SYSTEMD_PAGER=x systemctl status', 'SYSTEMD_PAGER'],
    ['MANPAGER=x ls', 'MANPAGER'],
    ['LESSOPEN="|touch x" ls', 'LESSOPEN'],
    ['KUBECTL_EXTERNAL_DIFF=x kubectl diff -f m.yaml', 'KUBECTL_EXTERNAL_DIFF'],
    ['read -r PATH <<< /tmp', 'not a variable'],
    ['export "PATH=/tmp"', 'PATH'],
    ['ls >| out', 'writes a file'],
    ['ls 1<> out', 'writes a file'],
    ['ls &>> out', 'writes a file'],
    ['ls 2>&1 >&out', 'writes a file'],
    ['ls 3>&-', 'closes a file descriptor'],
    ['cat </dev/tcp/127.0.0.1/1', 'network connection'],
    ['cat <(ls)', 'process substitution'],
    ['f() { :; }; ls() { rm x; }; ls', 'function definitions'],
    ['{ls,-la}', 'named by a value'],
    ["$'\\x72m' x", 'named by a value'],
    ['\\rm x', 'rm removes files'],
    ['ls\fx >/dev/null', 'not on the read-only command list'],
    ['ls >/dev/null\fx', 'writes a file'],
    ['ls | time -p ls', 'time after |'],
    ['time -o /tmp/x ls', 'not on the read-only command list'],
  ])('%j is not read-only (%s)', async (code, detail) => {
    const v = await shell(code);
    expect(v, `${code} → ${v.code}: ${v.detail}`).toMatchObject({ changesState: true });
    expect(v.detail).toContain(detail);
  });

  // Read-only verdicts whose blocks really change nothing when bash runs them.
  it('curl honours -- : `curl -s file:///etc/hostname -- -o CANARY` reads only', () =>
    verdictHolds({ code: 'curl -s file:///etc/hostname -- -o CANARY' }));
  it('brace expansion into options of a command without writing options: ls {-la,--output=x}', () => verdictHolds({ code: 'ls {-la,--output=x}' }));
  it('uniq with one input file: uniq in', () => verdictHolds({ files: { in: 'a\na\n', out: 'KEEP\n' }, code: 'uniq in' }));
  it('find with tests only: find . -name "*.log" -newer in', () => verdictHolds({ files: { in: 'x', 'a.log': 'y' }, code: 'find . -name "*.log" -newer in' }));
  it('a value known in the block: X=+%s; date -u $X (run under strace: no clock call)', async () => {
    if (!has('strace')) return expect((await shell('X=+%s; date -u $X')).changesState).toBe(false);
    return verdictHolds({ code: 'X=+%s; date -u $X', wrap: STRACE_CLOCK, changedElsewhere: setsClock });
  });
  it('date with a date to print: date -d @0 -u +%F (run under strace: no clock call)', async () => {
    if (!has('strace')) return expect((await shell('date -d @0 -u +%F')).changesState).toBe(false);
    return verdictHolds({ code: 'date -d @0 -u +%F', wrap: STRACE_CLOCK, changedElsewhere: setsClock });
  });
  it.skipIf(!has('kubectl'))('kubectl version --client -o json writes nothing', () => verdictHolds({ code: 'kubectl version --client -o json' }));
  it('a body line "EOF " (a trailing blank) does not close the here-document, for bash as for mvdan/sh', () =>
    verdictHolds({ code: 'cat <<EOF\nEOF \ntouch CANARY\nEOF' }));
  it('set -euo pipefail, here-documents and $( ) that bash reads like mvdan/sh', () =>
    verdictHolds({ files: { in: 'x\n' }, code: 'set -euo pipefail\nx=$(cat <<EOF\nbody\nEOF\n)\ncat <<-EOF\n\t$x\n\tEOF\necho "$(cat in)"' }));
});

// -- holes ----------------------------------------------------------------------------------------------

describe('read-only verdicts: holes', () => {
  // A glob is judged as one literal word unless it starts with * ? or [. Bash replaces it with every file
  // name it matches: uniq then gets an output file, find an action.
  it('BUG: `uniq in*` is read-only, but with files in1 and in2 bash runs `uniq in1 in2`, which overwrites in2', () =>
    verdictHolds({ files: { in1: 'a\na\n', in2: 'KEEP\n' }, code: 'uniq in*' }));
  it('BUG: `find . -[d]elete` is read-only, but with a file named "-delete" there bash runs `find . -delete`', () =>
    verdictHolds({ files: { '-delete': '', keep1: 'k', 'sub/keep2': 'k' }, code: 'find . -[d]elete' }));

  // GNU date takes -I's format only glued (-Iseconds); a separate number is an operand that sets the clock.
  it('BUG: `date -I 010112002020` is read-only, but date sets the clock (the checker gives 010112002020 to -I)', async () => {
    if (!has('strace')) return verdictHolds(null, 'date -I 010112002020');
    return verdictHolds({ code: 'date -I 010112002020', wrap: STRACE_CLOCK, changedElsewhere: setsClock });
  });

  // read and wait -p assign to a name; a subscript in it is evaluated, $( ) included (as for test -v).
  it("BUG: `read 'a[$(touch CANARY)]' <<< x` is read-only; bash runs touch", () => verdictHolds({ code: "read 'a[$(touch CANARY)]' <<< x" }));
  it("BUG: `sleep 0 & wait -n -p 'a[$(touch CANARY)]'` is read-only; bash runs touch", () =>
    verdictHolds({ code: "sleep 0 & wait -n -p 'a[$(touch CANARY)]'" }));

  // The walker keeps a variable's known value across read/export unless the word is written NAME exactly,
  // and never updates it for `command read`: the value it judges later commands with is stale.
  it('BUG: `C=ls; read -r "C" <<< "touch CANARY"; $C` is read-only (C still "ls"); bash runs touch', () =>
    verdictHolds({ code: 'C=ls; read -r "C" <<< "touch CANARY"; $C' }));
  it("BUG: `C=ls; export 'C=touch CANARY'; $C` is read-only; bash runs touch", () => verdictHolds({ code: "C=ls; export 'C=touch CANARY'; $C" }));
  it('BUG: `C=ls; command read -r C <<< "touch CANARY"; $C` is read-only; bash runs touch', () =>
    verdictHolds({ code: 'C=ls; command read -r C <<< "touch CANARY"; $C' }));
  it('BUG: `B=in; read -r "B" <<< "in out"; uniq $B` is read-only (uniq in); bash runs `uniq in out`, which overwrites out', () =>
    verdictHolds({ files: { in: 'a\na\n', out: 'KEEP\n' }, code: 'B=in; read -r "B" <<< "in out"; uniq $B' }));

  // Here-documents bash closes (or reads unquoted) differently than mvdan/sh: what follows runs for bash.
  it('BUG: a here-document in $( ) closed by "EOF)": `x=$(cat <<EOF⏎ok⏎EOF)⏎touch CANARY⏎EOF⏎)` is read-only; bash runs touch', () =>
    verdictHolds({ code: 'x=$(cat <<EOF\nok\nEOF)\ntouch CANARY\nEOF\n)' }));
  it('BUG: a body line EO\\⏎F closes the here-document for bash: `cat <<EOF⏎EO\\⏎F⏎touch CANARY⏎EOF` is read-only; bash runs touch', () =>
    verdictHolds({ code: 'cat <<EOF\nEO\\\nF\ntouch CANARY\nEOF' }));
  it('BUG: delimiter E\\⏎OF is unquoted for bash (the continuation is gone), quoted for the verdict: `cat <<E\\⏎OF⏎$(touch CANARY)⏎EOF` is read-only', () =>
    verdictHolds({ code: 'cat <<E\\\nOF\n$(touch CANARY)\nEOF' }));

  // After the verb, kubectl (helm, systemctl, docker) accept any single word of unknown text; a word whose known
  // start is "" can be any option, written in the block itself.
  it('BUG: `kubectl version --client "$(echo --profile=cpu)" "$(echo --profile-output=CANARY)"` is read-only; kubectl writes CANARY', () => {
    const code = 'kubectl version --client "$(echo --profile=cpu)" "$(echo --profile-output=CANARY)"';
    return verdictHolds(has('kubectl') ? { code } : null, code);
  });
  it("BUG: `kubectl version --client $'\\x2d-profile=cpu' $'\\x2d-profile-output=CANARY'` is read-only; kubectl writes CANARY", () => {
    const code = "kubectl version --client $'\\x2d-profile=cpu' $'\\x2d-profile-output=CANARY'";
    return verdictHolds(has('kubectl') ? { code } : null, code);
  });

  // Environment variables of listed programs that the assignment list does not know.
  describe('with a fake API server for kubectl discovery', () => {
    let server: http.Server;
    let port = 0;
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        const url = (req.url ?? '').split('?')[0];
        if (url === '/api') return res.end(JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] }));
        if (url === '/apis') return res.end(JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] }));
        if (url === '/api/v1') return res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] }] }));
        res.statusCode = 404;
        res.end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    // --cache-dir is refused ("writes the discovery and HTTP cache to a directory it names"); KUBECACHEDIR is the same.
    it('BUG: `KUBECACHEDIR=<dir>/cache kubectl --server=http://127.0.0.1:<port> api-resources` is read-only; kubectl writes its cache there', () => {
      const run: VerdictRun = { code: (dir) => `KUBECACHEDIR=${dir}/cache kubectl --server=http://127.0.0.1:${port} api-resources` };
      return verdictHolds(has('kubectl') ? run : null, `KUBECACHEDIR=/tmp/cache kubectl --server=http://127.0.0.1:${port} api-resources`);
    });
  });
  // sd-bus (systemctl, hostnamectl, timedatectl …) connects to a unixexec: address by running its program.
  it('BUG: `DBUS_SESSION_BUS_ADDRESS=unixexec:path=/usr/bin/touch,argv1=<dir>/CANARY systemctl --user status` is read-only; systemctl runs touch', () => {
    const run: VerdictRun = { code: (dir) => `DBUS_SESSION_BUS_ADDRESS=unixexec:path=/usr/bin/touch,argv1=${dir}/CANARY systemctl --user status` };
    return verdictHolds(has('systemctl') && existsSync('/usr/bin/touch') ? run : null, 'DBUS_SESSION_BUS_ADDRESS=unixexec:path=/usr/bin/touch,argv1=/tmp/CANARY systemctl --user status');
  });
  // A kubeconfig names credential plugins (users[].user.exec) that kubectl runs: KUBECONFIG / --kubeconfig
  // choose which program runs, not only which cluster (the reason given for allowing them).
  it('BUG: `kubectl --kubeconfig=<dir>/kc get pods` is read-only; the exec credential plugin the kubeconfig names runs (touch CANARY)', () => {
    const kubeconfig = (dir: string) =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'contexts: [{name: c, context: {cluster: c, user: u}}]',
        'current-context: c',
        'users:',
        '- name: u',
        '  user:',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1',
        '      command: /bin/sh',
        `      args: ["-c", "touch ${dir}/CANARY; echo '{\\"apiVersion\\":\\"client.authentication.k8s.io/v1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"x\\"}}'"]`,
        '      interactiveMode: Never',
        '',
      ].join('\n');
    const run: VerdictRun = {
      code: (dir) => {
        writeFileSync(path.join(root, `kc-${path.basename(dir)}`), kubeconfig(dir));
        return `kubectl --kubeconfig=${root}/kc-${path.basename(dir)} get pods --request-timeout=2s`;
      },
    };
    return verdictHolds(has('kubectl') ? run : null, 'kubectl --kubeconfig=/tmp/kc get pods');
  });

  // $"…" is translated by gettext with TEXTDOMAIN/TEXTDOMAINDIR, which the block may set: the verdict reads
  // it as the text written. A catalog translating "ls" to "touch" (any .mo file on the target) runs touch.
  it('BUG: `TEXTDOMAINDIR=<dir>/loc; TEXTDOMAIN=evil; LC_ALL=C.UTF-8⏎$"ls" CANARY` is read-only; bash runs `touch CANARY`', () => {
    const run: VerdictRun = {
      code: (dir) => {
        mkdirSync(path.join(dir, 'loc/C.UTF-8/LC_MESSAGES'), { recursive: true });
        writeFileSync(path.join(dir, 'loc/C.UTF-8/LC_MESSAGES/evil.mo'), moFile([['', 'Content-Type: text/plain; charset=UTF-8\n'], ['ls', 'touch']]));
        return `TEXTDOMAINDIR=${dir}/loc; TEXTDOMAIN=evil; LC_ALL=C.UTF-8\n$"ls" CANARY`;
      },
    };
    // The catalog is planted before the snapshot: only what the block does counts.
    return verdictHolds(hasLocale('c.utf8') || hasLocale('c.utf-8') ? run : null, 'TEXTDOMAINDIR=/tmp/loc; TEXTDOMAIN=evil; LC_ALL=C.UTF-8\n$"ls" CANARY');
  });

  // curl reads -w's format from a file or stdin when it starts with @; since curl 8.3 %output{FILE} in it
  // writes FILE. The checker refuses %output{ only in the text written after -w.
  it("BUG: `curl -s -w @- https://example.invalid <<< '%output{/tmp/x}x'` is read-only (curl ≥ 8.3 writes /tmp/x)", () =>
    verdictHolds(null, "curl -s -w @- https://example.invalid <<< '%output{/tmp/x}x'"));

  // psql interpolates -v variables into the SQL it reads (:name), after the grammar judged the text: a slice
  // [1:q] is a column q to libpg-query and the SQL of the -v value to psql.
  describe('psql -v interpolation, against a real PostgreSQL', () => {
    const available = postgresAvailable('psql -v interpolation attack');
    let server: PostgresHandle | undefined;
    beforeAll(async () => {
      if (!available) return;
      server = await startPostgres();
    }, 90_000);
    afterAll(async () => {
      await server?.stop();
    });
    const BLOCK = "psql -X -v 'q=1]; DELETE FROM canary; SELECT (ARRAY[1])[1:1' <<SQL\nSELECT (ARRAY[1])[1:q];\nSQL";
    it(`BUG: ${JSON.stringify(BLOCK)} is read-only; psql runs DELETE FROM canary`, async () => {
      const v = await shell(BLOCK);
      if (v.changesState || !server) return verdictHolds(null, BLOCK);
      const s = server;
      const env = { PGHOST: s.host, PGPORT: String(s.port), PGUSER: s.user, PGPASSWORD: s.password, PGDATABASE: s.database, PGSSLMODE: 'require' };
      const opts = { cwd: fresh(), env, path: [s.bin] };
      const setup = await runBash("psql -X -q -c 'CREATE TABLE canary (id int); INSERT INTO canary VALUES (1)'", opts);
      expect(setup.status, setup.stderr).toBe(0);
      await runBash(BLOCK, opts);
      const rows = await runBash("psql -X -At -c 'SELECT count(*) FROM canary'", opts);
      expect(rows.stdout.trim(), `READ-ONLY verdict (${v.detail}) but the canary row is gone`).toBe('1');
    }, 60_000);
  });
});

/** A GNU gettext catalog (.mo) holding `entries` (msgid → msgstr). */
function moFile(entries: [string, string][]): Buffer {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const n = sorted.length;
  const ids = sorted.map(([k]) => Buffer.from(k, 'utf8'));
  const strs = sorted.map(([, v]) => Buffer.from(v, 'utf8'));
  const idTable = 28;
  const strTable = idTable + n * 8;
  let at = strTable + n * 8;
  const size = at + [...ids, ...strs].reduce((sum, b) => sum + b.length + 1, 0);
  const out = Buffer.alloc(size);
  [0x950412de, 0, n, idTable, strTable, 0, at].forEach((x, k) => out.writeUInt32LE(x, k * 4));
  const put = (table: number, k: number, b: Buffer) => {
    out.writeUInt32LE(b.length, table + k * 8);
    out.writeUInt32LE(at, table + k * 8 + 4);
    b.copy(out, at);
    at += b.length + 1;
  };
  ids.forEach((b, k) => put(idTable, k, b));
  strs.forEach((b, k) => put(strTable, k, b));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Guarantee 2: values are data

/** A stand-in for docker/podman/nerdctl/crictl/oc/kubectl/ip: runs locally the command they would run in the container. */
const SHIM = path.join(root, 'shim');
mkdirSync(SHIM);
writeFileSync(
  path.join(SHIM, 'container-shim'),
  [
    '#!/bin/bash',
    '# drops everything up to exec/rsh, then its options, the container (or vrf) and a --, and runs the rest here',
    'while [ $# -gt 0 ] && [ "$1" != exec ] && [ "$1" != rsh ]; do shift; done; shift',
    'while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done; shift',
    '[ "$1" = -- ] && shift',
    'exec "$@"',
    '',
  ].join('\n'),
  { mode: 0o755 },
);
for (const name of ['docker', 'podman', 'nerdctl', 'crictl', 'oc', 'kubectl', 'ip']) symlinkSync('container-shim', path.join(SHIM, name));

interface ValuesRun {
  /** Files the run's directory holds; each must still be there, unchanged, afterwards. */
  files?: Record<string, string>;
  /** Put the container-CLI shim first in PATH. */
  shim?: boolean;
}

/** Values with CANARY (and DIR) standing for paths in the run's directory. */
const fill = (vals: Record<string, string>, dir: string) => new Map(Object.entries(vals).map(([k, v]) => [k, v.replaceAll('CANARY', path.join(dir, 'CANARY')).replaceAll('DIR', dir)]));

/** The guarantee for one block and its values: refused cleanly, or run it creates no CANARY and keeps every file. */
async function valuesHold(code: string, vals: Record<string, string>, opts: ValuesRun = {}): Promise<PreparedShell> {
  const dir = fresh({ keep: 'k', 'sub/keep': 'k', ...opts.files });
  const prepared = await prepareShell(code, fill(vals, dir));
  const what = `${JSON.stringify(code)} with ${JSON.stringify(vals)}`;
  if (prepared.problems.length > 0) {
    expect(prepared.code, `refused but code changed: ${what}`).toBe(code);
    expect(prepared.env, `refused but env set: ${what}`).toEqual({});
    return prepared;
  }
  const before = snapshot(dir);
  const ran = await runBash(prepared.code, { cwd: dir, env: prepared.env, path: opts.shim ? [SHIM] : [] });
  const after = snapshot(dir);
  expect(after, `ACCEPTED and the value acted: ${what} → ${JSON.stringify(prepared.code)} (stderr ${JSON.stringify(ran.stderr.slice(0, 400))})`).toEqual(before);
  return prepared;
}

async function refused(code: string, vals: Record<string, string>, problem: string): Promise<void> {
  const prepared = await valuesHold(code, vals);
  expect(prepared.problems.map((p) => p.code), `not refused: ${JSON.stringify(code)} → ${prepared.code}`).toContain(problem);
}

const OUT = '-oCANARY';

describe('values are data: what holds', () => {
  it.each([
    // The flag rule where the value begins the word after quotes or expansions that are empty.
    ['sort <V> /dev/null', 'flag'],
    ['sort ""<V> /dev/null', 'flag'],
    ["sort ''<V> /dev/null", 'flag'],
    ['sort ${X:-}<V> /dev/null', 'flag'],
    ['sort $1<V> /dev/null', 'flag'],
    ['sort "$(true)"<V> /dev/null', 'flag'],
    ['time sort <V> /dev/null', 'flag'],
    ['! sort <V> /dev/null', 'flag'],
    // xargs is a command runner: nothing may enter.
    ["printf '%s\\0' -- <V> | xargs -0 sort", 'evaluated-block'],
  ])('%j (V = -oCANARY) is refused: %s', (code, problem) => refused(code, { V: OUT }, problem));

  it('a value beginning with "-" is refused after -- too (quoted or escaped): -- ends options only for some commands', async () => {
    for (const code of ['sort "--" <V> /dev/null', 'sort -\\- <V> /dev/null']) {
      const prepared = await valuesHold(code, { V: OUT });
      expect(prepared.problems.map((p) => p.code)).toEqual(['flag']);
    }
  });

  it.each([
    // Brace expansion: mvdan/sh's SplitBraces sees these, quotes and continuations included.
    "printf '[%s]' {'',x}<V>",
    "printf '[%s]' {\"\",x}<V>",
    "printf '[%s]' x{,}<V>",
    "printf '[%s]' {x,y\\}}<V>",
    "printf '[%s]' {a..c}<V>",
    "printf '[%s]' {\\\na,b}<V>",
    "printf '[%s]' {a,\\\nb}<V>",
  ])('%j (V = -n) is refused: inside-word (brace expansion)', (code) => refused(code, { V: '-n' }, 'inside-word'));

  it.each([
    // Container and wrapper roles that are read right: the command after the container is code.
    'docker exec -e A=1 web sh -c "echo <V>"',
    'docker exec --env=A=1 --user root web bash -lc "echo <V>"',
    'docker container exec -it web sh -c "echo <V>"',
    'podman container exec web sh -c "echo <V>"',
    'crictl exec -it c1 sh -c "echo <V>"',
    'kubectl exec web -- sh -c "echo <V>"',
    'ip netns exec ns1 sh -c "echo <V>"',
    'timeout -k 5 10 sh -c "echo <V>"',
    'stdbuf -o L sh -c "echo <V>"',
    'env -u X --chdir /tmp sh -c "echo <V>"',
    'flock /tmp/l -c "echo <V>"',
  ])('%j (V = $(touch CANARY)) is refused', async (code) => {
    const prepared = await valuesHold(code, { V: '$(touch CANARY)' }, { shim: true });
    expect(prepared.problems.length, `accepted: ${code}`).toBeGreaterThan(0);
  });

  it('`>&` re-expands its target: refused on a group and on a function too', async () => {
    await refused('{ printf x; } >& <V>', { V: '$(touch CANARY)' }, 'evaluated');
    await refused('f() { printf x; } >& <V>; f', { V: '$(touch CANARY)' }, 'evaluated');
  });

  it('the arithmetic rules: an unsafe value, and any non-integer once data passes through a command', async () => {
    await refused('y=<V>; (( y > 0 )) && echo big', { V: 'a[$(touch CANARY)]' }, 'arithmetic-unsafe-value');
    await refused("y=$(printf '%b' <V>); (( y > 0 )) && echo big", { V: 'a\\x5b' }, 'arithmetic-unsafe-value');
    // ${y@Q} only adds quoting: what reaches (( )) cannot be a[$(…)].
    const quoted = await valuesHold('y=<V>; z=${y@Q}; (( z > 0 )) && echo big', { V: 'a\\x5b\\x24\\x28touch CANARY\\x29\\x5d' });
    expect(quoted.problems).toEqual([]);
  });

  it('here-documents: a delimiter with a continuation or a body line ending in \\ is not provable', async () => {
    await refused('cat <<E\\\nOF\n<V>\nEOF', { V: 'a' }, 'not-provable');
    await refused('cat <<EOF\nEO\\\nF\n<V>\nEOF', { V: 'touch CANARY' }, 'not-provable');
  });

  it('a here-document opened inside $( ) and read after it is read alike by bash and mvdan/sh', async () => {
    const code = 'x=$(cat <<EOF)\n<V>\nEOF\nprintf "[%s]" "$x"';
    const dir = fresh();
    const prepared = await prepareShell(code, new Map([['V', 'a  *']]));
    expect(prepared.problems).toEqual([]);
    expect((await runBash(prepared.code, { cwd: dir, env: prepared.env })).stdout).toBe('[a  *]');
  });
});

// -- holes ----------------------------------------------------------------------------------------------

describe('values are data: holes', () => {
  // The flag rule: "refused unless `--` precedes it". `--` ends options for the command it is written to,
  // not for a command run by it, nor for find (whose expression starts at the first word beginning with -),
  // nor when it is an option's value.
  it('BUG: `find -- <V>` accepts V = -delete; find deletes the working directory', () => valuesHold('find -- <V>', { V: '-delete' }));
  it('BUG: `find -- <DIR> -name "*.log"` accepts DIR = -delete', () => valuesHold('find -- <DIR> -name "*.log"', { DIR: '-delete' }));
  it('BUG: `sort -T -- <V> /dev/null` accepts V = -oCANARY (the -- is the value of -T); sort writes CANARY', () => valuesHold('sort -T -- <V> /dev/null', { V: OUT }));
  it('BUG: `env -- sort <V> /dev/null` accepts V = -oCANARY (the -- is env\'s); sort writes CANARY', () => valuesHold('env -- sort <V> /dev/null', { V: OUT }));
  it('BUG: `timeout -- 10 sort <V> /dev/null` accepts V = -oCANARY', () => valuesHold('timeout -- 10 sort <V> /dev/null', { V: OUT }));
  it('BUG: `nice -- sort <V> /dev/null` accepts V = -oCANARY', () => valuesHold('nice -- sort <V> /dev/null', { V: OUT }));
  it('BUG: `kubectl exec web -- sort <V> /dev/null` accepts V = -oCANARY (the -- is kubectl\'s; shim for kubectl)', () =>
    valuesHold('kubectl exec web -- sort <V> /dev/null', { V: OUT }, { shim: true }));

  // Inside $( ) a word counts as "nested": neither the flag rule nor the brace rule is applied there, though the
  // command in the substitution gets the value as an argument all the same.
  it('BUG: `x=$(sort <V> /dev/null)` accepts V = -oCANARY (no flag rule inside $( ))', () => valuesHold('x=$(sort <V> /dev/null)', { V: OUT }));
  it('BUG: `echo "$(sort <V> /dev/null)"` accepts V = -oCANARY', () => valuesHold('echo "$(sort <V> /dev/null)"', { V: OUT }));
  it('BUG: `echo "$(curl -s file:///etc/hostname {x,}<V>)"` accepts V = -oCANARY (no brace rule inside $( ): {x,}<V> gives the word <V>)', () =>
    valuesHold('echo "$(curl -s file:///etc/hostname {x,}<V>)"', { V: OUT }));

  // The flag rule looks at the word's first piece only: an empty value (or run variable) before it hides it.
  it('BUG: `sort <A><V> /dev/null` accepts A = "" and V = -oCANARY; the word bash builds is -oCANARY', () =>
    valuesHold('sort <A><V> /dev/null', { A: '', V: OUT }));
  it('BUG: `sort "$E"<V> /dev/null` accepts the run variable E = "" and V = -oCANARY', () => valuesHold('sort "$E"<V> /dev/null', { E: '', V: OUT }));

  // The flag rule follows a value only to where <V> is written; copies begin arguments unseen.
  it('BUG: `set -- <V>; sort "$1" /dev/null` accepts V = -oCANARY', () => valuesHold('set -- <V>; sort "$1" /dev/null', { V: OUT }));
  it('BUG: `set -- <V>; sort "$@" /dev/null` accepts V = -oCANARY', () => valuesHold('set -- <V>; sort "$@" /dev/null', { V: OUT }));
  it('BUG: `x=<V>; sort "$x" /dev/null` accepts V = -oCANARY', () => valuesHold('x=<V>; sort "$x" /dev/null', { V: OUT }));
  it('BUG: `for a in <V>; do sort "$a" /dev/null; done` accepts V = -oCANARY', () => valuesHold('for a in <V>; do sort "$a" /dev/null; done', { V: OUT }));
  it('BUG: `sort "$(cat <<< <V>)" /dev/null` accepts V = -oCANARY', () => valuesHold('sort "$(cat <<< <V>)" /dev/null', { V: OUT }));

  // The arithmetic rule with transforms lists commands that decode data (printf %b, base64 -d …); ${y@E}
  // decodes backslash escapes with no command, so a value free of $ ` [ ] ( ) becomes a[$(…)].
  it('BUG: `y=<V>; n=${y@E}; (( n > 0 ))` accepts V = a\\x5b\\x24\\x28touch CANARY\\x29\\x5d; the arithmetic runs touch', () =>
    valuesHold('y=<V>; n=${y@E}; (( n > 0 )) && echo big', { V: 'a\\x5b\\x24\\x28touch CANARY\\x29\\x5d' }));

  // Container CLI roles: an option before exec (or a CLI form not modelled) leaves the command it runs as data.
  for (const code of [
    'docker --context prod exec web sh -c "echo <V>"',
    'docker -H unix:///run/docker.sock exec web sh -c "echo <V>"',
    'docker compose exec web sh -c "echo <V>"',
    'podman --remote exec web sh -c "echo <V>"',
    'nerdctl -n k8s.io exec web sh -c "echo <V>"',
    'crictl -r unix:///run/containerd/containerd.sock exec -it c1 sh -c "echo <V>"',
    'oc rsh web sh -c "echo <V>"',
    'ip vrf exec blue sh -c "echo <V>"',
  ]) {
    it(`BUG: \`${code}\` accepts V = $(touch CANARY); the shell in the container runs it (shim)`, () => valuesHold(code, { V: '$(touch CANARY)' }, { shim: true }));
  }

  // A value naming the program file of an interpreter (as `source <V>` would) is data: the file runs.
  it('BUG: `awk -f <V> /dev/null` accepts V = a path to an awk program; awk runs it (system("touch CANARY"))', () =>
    valuesHold('awk -f <V> /dev/null', { V: 'DIR/prog.awk' }, { files: { 'prog.awk': 'BEGIN { system("touch CANARY") }\n' } }));

  // curl -K - reads options from its input: a value with a newline adds options (output = FILE writes FILE).
  it('BUG: `curl -sK - https://example.invalid <<< "header = \\"Authorization: Bearer <TOKEN>\\""` accepts a TOKEN with newlines; curl writes CANARY', () =>
    valuesHold('curl -sK - https://example.invalid <<< "header = \\"Authorization: Bearer <TOKEN>\\""', { TOKEN: 'x"\noutput = "CANARY"\nurl = "file:///etc/hostname' }));

  // mvdan/sh's SplitBraces panics on a word starting with {, ({,x} {,""} {,}): parseBash ("never throws for bad input") throws, and so
  // does prepareShell for any block with a value that holds such a word (verdictOf catches it).
  it('BUG: prepareShell throws on `echo <V> {,""}` instead of refusing or accepting', async () => {
    await expect(prepareShell('echo <V> {,""}', new Map([['V', 'x']]))).resolves.toBeDefined();
  });
  it("BUG: parseBash throws on `echo {,''}`", () => {
    expect(() => parseBash("echo {,''}")).not.toThrow();
  });
});
