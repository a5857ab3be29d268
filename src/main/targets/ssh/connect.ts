// Opens the SSH connection a run uses: each jump host in turn, then the target through a forwarded
// channel of the last jump. Every hop checks its host key and authenticates on its own, and every failure
// becomes one sentence naming the hop: refused host key, failed authentication, refused or timed-out TCP.
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client, ParsedKey } from 'ssh2';
import type { ExecutorContext } from '../types.js';
import { HopAuthenticator } from './auth.js';
import { PausableDeadline } from './deadline.js';
import { hostKeyAlgorithms, entriesForHost } from './host-key-policy.js';
import type { HostKeyTrust } from './host-key-trust.js';
import { loadKnownHosts } from './host-keys.js';
import type { ConnectionPlan, HopPlan } from './plan.js';

/** SSH keepalives find a dead peer during a long step instead of waiting for TCP to give up. */
const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 4;

export interface SshConnection {
  /** The client to the target; commands run here. */
  client: Client;
  /** Every client of the chain, first jump first, target last: all end together. */
  clients: Client[];
  /** Host-key decisions for each hop, for the results. */
  notes: string[];
}

export interface ConnectOptions {
  ctx: ExecutorContext;
  trust: HostKeyTrust;
  keyCache: Map<string, ParsedKey>;
}

type SystemError = Error & { code?: string; level?: string };

function describeSocketError(error: SystemError, hop: HopPlan, via: HopPlan | null): string {
  const where = `${hop.hostName}:${hop.port}`;
  switch (error.code) {
    case 'ECONNREFUSED':
      return `cannot connect to ${where}: connection refused (no SSH server listening there?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host name "${hop.hostName}"${hop.alias !== hop.hostName ? ` (HostName of ${hop.alias})` : ''}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot connect to ${where}: ${error.code === 'EHOSTUNREACH' ? 'host' : 'network'} unreachable`;
    case 'ECONNRESET':
      return `the connection to ${where} was reset${via ? ` (through ${via.label})` : ''}`;
    default:
      return `SSH connection to ${hop.label} failed: ${error.message}`;
  }
}

/** Connects and authenticates one hop; `sock` is a channel forwarded by the previous hop, if any. */
export function openHop(hop: HopPlan, timeoutMs: number, options: ConnectOptions, sock?: Duplex, via: HopPlan | null = null): Promise<{ client: Client; note: string }> {
  return new Promise((resolve, reject) => {
    let known: ReturnType<typeof loadKnownHosts>;
    try {
      known = loadKnownHosts(hop.knownHostsFiles);
    } catch (error) {
      reject(error as Error);
      return;
    }
    const client: Client = new ssh2.Client();
    let settled = false;
    let hostKeyNote: string | null = null;
    let hostKeyRefusal: string | null = null;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      client.destroy();
      reject(new Error(message));
    };
    const deadline = new PausableDeadline(timeoutMs, () => fail(`timed out after ${timeoutMs} ms connecting to ${hop.label}${via ? ` through ${via.label}` : ''}`));
    const pause = <T>(work: () => Promise<T>) => deadline.pause(work);
    const authenticator = new HopAuthenticator(hop, options.ctx, options.keyCache, pause);
    const subject = {
      lookupName: hop.hostKeyName,
      display: `${hop.hostName}:${hop.port}`,
      entries: known.entries,
      files: hop.knownHostsFiles,
      pinned: hop.pinnedFingerprint,
    };

    client.on('ready', () => {
      if (settled) return;
      settled = true;
      deadline.clear();
      // Steps are short request/response exchanges (open channel, exec, exit status): with Nagle's algorithm
      // each one can wait out a delayed ACK. (A no-op for a hop carried by a forwarded channel.)
      client.setNoDelay(true);
      resolve({ client, note: hostKeyNote ?? `connected to ${hop.label}` });
    });
    client.on('error', (error: SystemError) => {
      if (error.level === 'agent') {
        authenticator.agentFailed(error);
        return;
      }
      if (hostKeyRefusal) fail(hostKeyRefusal);
      else if (error.level === 'client-authentication') fail(`authentication failed for ${hop.label} (tried: ${authenticator.describeAttempts()})`);
      else if (error.level === 'client-socket' || error.code) fail(describeSocketError(error, hop, via));
      else fail(`SSH connection to ${hop.label} failed: ${error.message}`);
    });
    client.on('close', () => fail(hostKeyRefusal ?? `the SSH server at ${hop.hostName}:${hop.port} closed the connection during the handshake`));

    const algorithms = hostKeyAlgorithms(entriesForHost(known.entries, hop.hostKeyName).filter((e) => e.marker === null).map((e) => e.keyType));
    client.connect({
      ...(sock ? { sock } : { host: hop.hostName, port: hop.port }),
      username: hop.user,
      // Our own deadline (pausable while the operator answers) replaces ssh2's fixed one.
      readyTimeout: 0,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      ...(algorithms ? { algorithms: { serverHostKey: algorithms as never } } : {}),
      authHandler: authenticator.handler,
      // The callback form: ssh2 waits for verify(), so the check may ask the operator.
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        options.trust.decide(key, subject, options.ctx.confirm, pause).then(
          (decision) => {
            if (decision.accepted) hostKeyNote = decision.note;
            else hostKeyRefusal = decision.error;
            verify(decision.accepted);
          },
          (error: Error) => {
            hostKeyRefusal = `cannot check the host key of ${subject.display}: ${error.message}`;
            verify(false);
          },
        );
      },
    });
  });
}

function forward(jump: Client, jumpHop: HopPlan, hop: HopPlan): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, hop.hostName, hop.port, (error, stream) => {
      if (error) reject(new Error(`jump host ${jumpHop.label} could not open a channel to ${hop.hostName}:${hop.port}: ${error.message}`));
      else resolve(stream);
    });
  });
}

export async function openConnection(plan: ConnectionPlan, options: ConnectOptions): Promise<SshConnection> {
  const clients: Client[] = [];
  const notes: string[] = [];
  try {
    let previous: { client: Client; hop: HopPlan } | null = null;
    for (const hop of [...plan.jumps, plan.target]) {
      const sock = previous ? await forward(previous.client, previous.hop, hop) : undefined;
      const opened = await openHop(hop, plan.connectTimeoutMs, options, sock, previous?.hop ?? null);
      clients.push(opened.client);
      notes.push(opened.note);
      previous = { client: opened.client, hop };
    }
  } catch (error) {
    for (const client of clients.reverse()) client.end();
    throw error;
  }
  const client = clients[clients.length - 1]!;
  // The jump connections exist only to carry the target's: they end when it ends, however it ends.
  client.once('close', () => {
    for (const jump of clients.slice(0, -1).reverse()) jump.end();
  });
  return { client, clients, notes };
}
