// Where a seal's signature comes from: a private key file, a running ssh-agent, or — for key types
// neither can drive (FIDO sk- keys, which need the authenticator) — `ssh-keygen -Y sign` itself.
// ssh2 reads the OpenSSH key formats and speaks the agent protocol; the signing maths is node:crypto.
import { spawn } from 'node:child_process';
import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { type SshKeyType, encodeSignature, formatPublicKeyLine, parsePublicKeyLine, signingHash } from './ssh-keys.js';
import { sshString } from './ssh-wire.js';
import type { SshRawSigner, SshsigProducer } from './sshsig.js';

export class SshSignerError extends Error {}

/** The types signed here; anything else (FIDO keys) goes through ssh-keygen. */
const SOFTWARE_TYPES: readonly SshKeyType[] = ['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'];

function softwareType(type: string): SshKeyType {
  if (!(SOFTWARE_TYPES as readonly string[]).includes(type)) {
    throw new SshSignerError(`${type} keys cannot be used directly; use sshKeygenSigner (ssh-keygen -Y sign) for them`);
  }
  return type as SshKeyType;
}

function onlyKey(parsed: ParsedKey | ParsedKey[] | Error, file: string): ParsedKey {
  if (parsed instanceof Error) {
    const hint = /unsupported/i.test(parsed.message) ? ' (FIDO and other key types ssh2 cannot read can sign through sshKeygenSigner)' : '';
    throw new SshSignerError(`${file}: ${parsed.message}${hint}`);
  }
  if (Array.isArray(parsed)) {
    if (parsed.length !== 1) throw new SshSignerError(`${file} holds ${parsed.length} keys; name a file with exactly one`);
    return parsed[0] as ParsedKey;
  }
  return parsed;
}

/** A signer for one software key, from a key file or ssh-agent. */
export interface SshKeySigner extends SshRawSigner {
  readonly type: SshKeyType;
  /** `type base64 comment`, for allowed_signers and the journal's record of who sealed. */
  readonly publicKeyLine: string;
}

/** Reads an OpenSSH (or PEM) private key file, decrypting it with `passphrase` when it is protected. */
export async function keyFileSigner(file: string, passphrase?: string): Promise<SshKeySigner> {
  const parsed = onlyKey(ssh2.utils.parseKey(await readFile(file), passphrase), file);
  if (!parsed.isPrivateKey()) throw new SshSignerError(`${file} is a public key; a private key file is needed`);
  const type = softwareType(parsed.type);
  const privateKey = createPrivateKey(parsed.getPrivatePEM());
  const publicKey = parsed.getPublicSSH();
  const hash = signingHash(type);
  // RSA signs PKCS#1 v1.5 with SHA-512 (rsa-sha2-512); ECDSA's fixed-width r ‖ s becomes SSH mpints.
  const keyInput = type.startsWith('ecdsa-') ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : privateKey;
  return {
    type,
    publicKey,
    publicKeyLine: formatPublicKeyLine(publicKey, parsed.comment),
    sign: async (data) => encodeSignature(type, cryptoSign(hash, data, keyInput)),
  };
}

export interface AgentSignerOptions {
  /** The agent's socket; defaults to $SSH_AUTH_SOCK. */
  socket?: string;
  /** Which identity to use (`type base64 [comment]`); may be left out when the agent holds exactly one. */
  publicKey?: string;
}

/** The identities an agent holds that ssh2 can parse (it silently skips others, FIDO keys among them). */
function agentIdentities(agent: ssh2.OpenSSHAgent, socket: string): Promise<ParsedKey[]> {
  return new Promise<ParsedKey[]>((resolve, reject) =>
    agent.getIdentities((err, keys) => {
      if (err) reject(new SshSignerError(`ssh-agent at ${socket}: ${err.message}`));
      else resolve((keys ?? []).filter((k): k is ParsedKey => typeof k === 'object' && 'getPublicSSH' in k));
    }),
  );
}

/** The keys ssh-agent offers: each public key blob and its `type base64 comment` line. */
export async function agentPublicKeys(socket: string): Promise<{ blob: Buffer; line: string }[]> {
  const identities = await agentIdentities(new ssh2.OpenSSHAgent(socket), socket);
  return identities.map((k) => ({ blob: k.getPublicSSH(), line: formatPublicKeyLine(k.getPublicSSH(), k.comment) }));
}

/** Signs through ssh-agent, so the private key never enters this process. */
export async function agentSigner(options: AgentSignerOptions = {}): Promise<SshKeySigner> {
  const socket = options.socket ?? process.env.SSH_AUTH_SOCK;
  if (!socket) throw new SshSignerError('no ssh-agent: SSH_AUTH_SOCK is not set');
  const agent = new ssh2.OpenSSHAgent(socket);
  const identities = await agentIdentities(agent, socket);
  const wanted = options.publicKey === undefined ? null : parsePublicKeyLine(options.publicKey).blob;
  const matches = identities.filter((k) => wanted === null || k.getPublicSSH().equals(wanted));
  if (matches.length !== 1) {
    throw new SshSignerError(
      wanted === null
        ? `ssh-agent holds ${identities.length} usable keys; say which one to use`
        : `ssh-agent at ${socket} does not hold the key ${options.publicKey}`,
    );
  }
  const identity = matches[0] as ParsedKey;
  const type = softwareType(identity.type);
  const publicKey = identity.getPublicSSH();
  return {
    type,
    publicKey,
    publicKeyLine: formatPublicKeyLine(publicKey, identity.comment),
    sign: (data) =>
      new Promise<Buffer>((resolve, reject) => {
        // For RSA the request carries SSH_AGENT_RSA_SHA2_512. ssh2 strips the algorithm name from the
        // agent's reply, so the name is put back here; signSshsig verifies the result, which catches an
        // agent that ignored the flag and signed with SHA-1.
        agent.sign(identity, data, { hash: 'sha512' }, (err, signature) => {
          if (err || !signature) reject(new SshSignerError(`ssh-agent refused to sign: ${err?.message ?? 'no signature'}`));
          else resolve(rewrap(type, signature));
        });
      }),
  };
}

/** The agent's inner signature fields, back in a full SSH signature blob. */
function rewrap(type: SshKeyType, inner: Buffer): Buffer {
  if (type.startsWith('ecdsa-')) {
    // Already (mpint r, mpint s); only the algorithm name is missing.
    return Buffer.concat([sshString(type), sshString(inner)]);
  }
  return encodeSignature(type, inner);
}

export interface SshKeygenSignerOptions {
  /** A private key file, or a .pub whose private half is in ssh-agent or on a FIDO authenticator. */
  keyFile: string;
  /** Path to ssh-keygen; defaults to the one on PATH. */
  sshKeygen?: string;
  /** Environment for ssh-keygen (SSH_AUTH_SOCK, SSH_ASKPASS for a PIN); defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Lets the caller give up waiting for a touch. */
  signal?: AbortSignal;
}

/**
 * Runs `ssh-keygen -Y sign` with the data on stdin. Slower and needs OpenSSH installed, but it is the
 * only way to sign with a FIDO key, whose signature the authenticator makes after a touch.
 */
export function sshKeygenSigner(options: SshKeygenSignerOptions): SshsigProducer {
  return {
    signSshsig: (data, namespace) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(options.sshKeygen ?? 'ssh-keygen', ['-q', '-Y', 'sign', '-f', options.keyFile, '-n', namespace, '-O', 'hashalg=sha512'], {
          env: options.env ?? process.env,
          stdio: ['pipe', 'pipe', 'pipe'],
          signal: options.signal,
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        child.on('error', (e) => reject(new SshSignerError(`could not run ssh-keygen: ${e.message}`)));
        child.on('close', (code) => {
          if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
          else reject(new SshSignerError(`ssh-keygen -Y sign failed (exit ${code}): ${Buffer.concat(err).toString('utf8').trim()}`));
        });
        // EPIPE if ssh-keygen exits before reading (bad key file): the close handler reports why.
        child.stdin.on('error', () => {});
        child.stdin.end(data);
      }),
  };
}
