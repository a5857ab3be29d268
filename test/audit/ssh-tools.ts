// Real OpenSSH tools for the SSHSIG tests: keys made by ssh-keygen, signatures checked by
// `ssh-keygen -Y verify`, and a throwaway ssh-agent. Tests skip with a message where OpenSSH is absent.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

function available(tool: string): boolean {
  return spawnSync(tool, ['-?'], { stdio: 'ignore' }).error === undefined;
}

export const HAVE_SSH_KEYGEN = available('ssh-keygen');
export const HAVE_SSH_AGENT = HAVE_SSH_KEYGEN && available('ssh-agent') && available('ssh-add');

export function skipReason(what: string, have: boolean): boolean {
  if (!have) console.warn(`skipped: ${what} (OpenSSH's ssh-keygen/ssh-agent are not on PATH)`);
  return !have;
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], input?: Buffer | string, env?: NodeJS.ProcessEnv): RunResult {
  const r = spawnSync(cmd, args, { input, env: env ?? process.env, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface TestKey {
  file: string;
  publicKeyLine: string;
}

export function makeKey(dir: string, name: string, type: 'ed25519' | 'rsa' | 'ecdsa', passphrase = ''): TestKey {
  const file = path.join(dir, name);
  const size = type === 'rsa' ? ['-b', '2048'] : [];
  const r = run('ssh-keygen', ['-q', '-t', type, ...size, '-N', passphrase, '-C', `${name}@test`, '-f', file]);
  if (r.status !== 0) throw new Error(`ssh-keygen -t ${type} failed: ${r.stderr}`);
  return { file, publicKeyLine: readFileSync(`${file}.pub`, 'utf8').trim() };
}

/** `ssh-keygen -Y sign` over `data`, the reference signature. */
export function keygenSign(key: TestKey, namespace: string, data: Buffer, passphrase?: string): string {
  const r = run('ssh-keygen', ['-q', '-Y', 'sign', '-f', key.file, '-n', namespace, ...(passphrase ? ['-P', passphrase] : [])], data);
  if (r.status !== 0) throw new Error(`ssh-keygen -Y sign failed: ${r.stderr}`);
  return r.stdout;
}

/** `ssh-keygen -Y verify` with an allowed_signers file naming `principal` for `publicKeyLine`. */
export function keygenVerify(dir: string, opts: { principal: string; namespace: string; allowedSigners: string; signature: string; data: Buffer }): RunResult {
  const allowed = path.join(dir, `allowed-${Math.random().toString(36).slice(2)}`);
  const sig = `${allowed}.sig`;
  writeFileSync(allowed, opts.allowedSigners);
  writeFileSync(sig, opts.signature);
  return run('ssh-keygen', ['-Y', 'verify', '-f', allowed, '-I', opts.principal, '-n', opts.namespace, '-s', sig], opts.data);
}

export interface TestAgent {
  socket: string;
  add(keyFile: string): void;
  stop(): Promise<void>;
}

/**
 * Starts `ssh-agent -D` on a socket in `dir`, its output going to files. Ready once it has printed
 * SSH_AUTH_SOCK, which it does only after the socket is listening; a file watch waits for that.
 */
export async function startAgent(dir: string): Promise<TestAgent> {
  const socket = path.join(dir, 'agent.sock');
  const outFile = path.join(dir, 'agent.out');
  const errFile = path.join(dir, 'agent.err');
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn('ssh-agent', ['-a', socket, '-D'], { stdio: ['ignore', out, err] });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const watcher = watch(outFile);
    const done = (error?: Error) => {
      watcher.close();
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const check = () => {
      if (readFileSync(outFile, 'utf8').includes('SSH_AUTH_SOCK=')) done();
    };
    const onExit = (code: number | null) => done(new Error(`ssh-agent exited (${code}): ${readFileSync(errFile, 'utf8')}`));
    watcher.on('change', check);
    child.once('exit', onExit);
    check();
  });
  const env = { ...process.env, SSH_AUTH_SOCK: socket };
  return {
    socket,
    add(keyFile) {
      const r = run('ssh-add', ['-q', keyFile], undefined, env);
      if (r.status !== 0) throw new Error(`ssh-add ${keyFile} failed: ${r.stderr}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * For the describe block it is called in: no ssh-agent (SSH_AUTH_SOCK unset), so the keys a test makes are the
 * only ones the code under test can find; the caller's value is put back afterwards.
 */
export function withoutSshAgent(): void {
  const saved = process.env.SSH_AUTH_SOCK;
  beforeAll(() => {
    delete process.env.SSH_AUTH_SOCK;
  });
  afterAll(() => {
    if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    else delete process.env.SSH_AUTH_SOCK;
  });
}
