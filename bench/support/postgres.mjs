// A throwaway PostgreSQL cluster (Debian's server binaries) on 127.0.0.1, for the postgres target's tests
// and benchmark. Plain JavaScript so that bench/sql.mjs (run by plain node) and test/infra/postgres.ts
// (run by vitest, typed through postgres.d.mts) share one implementation.
//
// Everything lives in one temp directory: a test CA and a server certificate for localhost/127.0.0.1
// (openssl), a second CA that signed nothing (for "wrong CA" tests), the data directory, the Unix socket,
// the logs. PostgreSQL refuses to run as root, so when we are root initdb/pg_ctl/psql run as the
// `postgres` user and the directory is handed to it. stop() stops exactly the cluster it started.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './net.mjs';

const OPENSSL = '/usr/bin/openssl';
const RUNUSER = '/usr/sbin/runuser';
/** How long pg_ctl waits for the server to accept connections (a wait bound, not a sleep). */
const START_LIMIT_S = 30;

/** The newest /usr/lib/postgresql/N/bin holding the tools we need, or $PG_BIN when set. */
export function postgresBinDir() {
  const wanted = ['initdb', 'pg_ctl', 'psql', 'postgres'];
  const candidates = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  }
  return candidates.find((dir) => wanted.every((tool) => existsSync(path.join(dir, tool)))) ?? null;
}

function postgresUserIds() {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
    if (!line) return null;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}

const isRoot = () => process.getuid?.() === 0;

/** Why a cluster cannot be started here, or null when it can. */
export function postgresUnavailableReason() {
  if (!postgresBinDir()) return 'no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql) and PG_BIN is not set';
  if (!existsSync(OPENSSL)) return `${OPENSSL} is absent (apt-get install openssl)`;
  if (isRoot()) {
    if (!existsSync(RUNUSER)) return `${RUNUSER} is absent: running as root, the server must be started as the postgres user`;
    if (!postgresUserIds()) return 'running as root and there is no postgres user to start the server as';
  }
  return null;
}

/**
 * Runs a command to completion with stdin closed and stdout+stderr in `logFile`: never a pipe, since
 * pg_ctl leaves a daemon behind and a daemon holding our pipe would keep a reader waiting for EOF.
 */
function run(command, args, { logFile, asPostgres = false, env = {} }) {
  const [file, argv] = asPostgres && isRoot() ? [RUNUSER, ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const fd = openSync(logFile, 'a');
  appendFileSync(fd, `$ ${[command, ...args].join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', fd, fd], env: { ...process.env, LC_ALL: 'C.UTF-8', ...env } });
    closeSync(fd);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`}):\n${tail(logFile)}`));
    });
  });
}

function tail(file, lines = 25) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A CA, and a server certificate it signed for DNS:localhost and IP:127.0.0.1; plus an unrelated CA. */
async function makeCertificates(dir, logFile) {
  const file = (name) => path.join(dir, name);
  const ecKey = (out) => run(OPENSSL, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out], { logFile });
  // Our own config files, so the system openssl.cnf cannot add or duplicate extensions.
  writeFileSync(file('ca.cnf'), [
    '[req]', 'distinguished_name = dn', 'x509_extensions = v3_ca', 'prompt = no',
    '[dn]', 'CN = Runbook Console test CA',
    '[v3_ca]', 'basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash', '',
  ].join('\n'));
  writeFileSync(file('server.ext'), [
    'basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature, keyEncipherment',
    'extendedKeyUsage = serverAuth', 'subjectAltName = DNS:localhost, IP:127.0.0.1',
    'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid', '',
  ].join('\n'));
  for (const ca of ['ca', 'other-ca']) {
    await ecKey(file(`${ca}.key`));
    await run(OPENSSL, ['req', '-new', '-x509', '-config', file('ca.cnf'), '-key', file(`${ca}.key`), '-days', '2', '-subj', `/CN=Runbook Console ${ca}`, '-out', file(`${ca}.crt`)], { logFile });
  }
  await ecKey(file('server.key'));
  await run(OPENSSL, ['req', '-new', '-key', file('server.key'), '-subj', '/CN=localhost', '-out', file('server.csr')], { logFile });
  await run(OPENSSL, ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('server.ext'), '-out', file('server.crt')], { logFile });
  return { caFile: file('ca.crt'), otherCaFile: file('other-ca.crt'), certFile: file('server.crt'), keyFile: file('server.key') };
}

/** Hands the whole tree to the postgres user (only when we are root and will run the server as it). */
function giveToPostgres(dir) {
  if (!isRoot()) return;
  const ids = postgresUserIds();
  const walk = (p) => {
    chownSync(p, ids.uid, ids.gid);
    if (statSync(p).isDirectory()) for (const entry of readdirSync(p)) walk(path.join(p, entry));
  };
  walk(dir);
}

/**
 * Starts a cluster with role `app` (password auth over TCP) owning database `appdb`. The caller must call
 * stop(). `superuserPassword` is for tests that need the superuser; tests should use `app`.
 */
export async function startPostgres() {
  const reason = postgresUnavailableReason();
  if (reason) throw new Error(reason);
  const bin = postgresBinDir();
  const tool = (name) => path.join(bin, name);
  // mkdtemp makes a 0700 directory owned by us: the postgres user can traverse it once it owns it.
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'setup.log');
  const serverLog = path.join(dir, 'server.log');
  let started = false;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      if (started) await run(tool('pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], { logFile, asPostgres: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const certs = await makeCertificates(dir, logFile);
    const superuserPassword = randomBytes(18).toString('hex');
    const password = randomBytes(18).toString('hex');
    const pwFile = path.join(dir, 'superuser.pw');
    writeFileSync(pwFile, `${superuserPassword}\n`);
    giveToPostgres(dir);
    chmodSync(certs.keyFile, 0o600); // the server refuses a key others can read
    await run(tool('initdb'), ['-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', `--pwfile=${pwFile}`, '--no-sync'], { logFile, asPostgres: true });
    rmSync(pwFile);
    const confFile = path.join(dataDir, 'postgresql.conf');
    const baseConf = readFileSync(confFile, 'utf8');

    let port = 0;
    // A free port can be taken between our probe and the server's bind; try a few before giving up.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeFileSync(confFile, `${baseConf}\n# --- throwaway test cluster ---\n${[
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = '${dir}'`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        'shared_buffers = 16MB',
        'max_connections = 40',
        'ssl = on',
        `ssl_cert_file = '${certs.certFile}'`,
        `ssl_key_file = '${certs.keyFile}'`,
        `ssl_ca_file = '${certs.caFile}'`,
        "log_min_messages = warning",
        "log_line_prefix = '%m [%p] %q%u@%d '",
      ].join('\n')}\n`);
      try {
        await run(tool('pg_ctl'), ['-D', dataDir, '-l', serverLog, '-w', '-t', String(START_LIMIT_S), 'start'], { logFile, asPostgres: true });
        started = true;
        break;
      } catch (error) {
        if (attempt >= 3 || !/Address already in use|could not bind/.test(tail(serverLog, 50))) throw new Error(`${error.message}\nserver log:\n${tail(serverLog)}`);
      }
    }

    // Over the Unix socket with local trust: the superuser needs no password to set up the app role.
    await run(tool('psql'), [
      '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres',
      '-c', `CREATE ROLE app LOGIN PASSWORD '${password}'`,
      '-c', 'CREATE DATABASE appdb OWNER app',
    ], { logFile, asPostgres: true });

    return {
      dir,
      host: '127.0.0.1',
      port,
      user: 'app',
      password,
      database: 'appdb',
      superuser: 'postgres',
      superuserPassword,
      caFile: certs.caFile,
      otherCaFile: certs.otherCaFile,
      socketDir: dir,
      bin,
      psql: tool('psql'),
      serverLog,
      log: () => tail(serverLog, 200),
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
