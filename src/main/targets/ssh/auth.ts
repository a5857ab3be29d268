// User authentication for one hop, in OpenSSH's order: the agent's keys, then each identity file. Keys are
// read and decrypted only when their turn comes, so a passphrase is asked for only if the agent did not
// already get us in. The passphrase itself goes straight into the key parser and is dropped: only the
// decrypted key is kept in memory, so a reconnect later in the run does not ask again. Every passphrase
// tried (from the environment, typed, or an earlier answer the host remembered) is first reported to the
// run engine (ctx.secretInUse), which masks it wherever a step prints it.
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import type { ExecutorContext } from '../types.js';
import type { HopPlan } from './plan.js';

/** How many times an operator may retype a wrong passphrase, as ssh does. */
const PASSPHRASE_TRIES = 3;

interface Attempt {
  label: string;
  problem?: string;
}

type Step = () => Promise<AnyAuthMethod | null>;

export type Pause = <T>(work: () => Promise<T>) => Promise<T>;

export class HopAuthenticator {
  private readonly attempts: Attempt[] = [];
  private readonly steps: Step[] = [];
  private agentAttempt: Attempt | null = null;

  constructor(
    private readonly hop: HopPlan,
    private readonly ctx: ExecutorContext,
    /** Decrypted keys by path, shared by every connection of the executor. */
    private readonly keyCache: Map<string, ParsedKey>,
    private readonly pause: Pause,
  ) {
    if (hop.agentSocket) {
      const socket = hop.agentSocket;
      this.steps.push(async () => {
        this.agentAttempt = { label: `agent ${socket}` };
        this.attempts.push(this.agentAttempt);
        return { type: 'agent', username: hop.user, agent: socket };
      });
    }
    for (const file of hop.identityFiles) this.steps.push(() => this.keyFileMethod(file));
  }

  /** For ssh2's authHandler: each call offers the next method, `false` when none is left. */
  readonly handler: AuthHandlerMiddleware = (_methodsLeft, _partialSuccess, next) => {
    const take = async (): Promise<AnyAuthMethod | false> => {
      for (let step = this.steps.shift(); step; step = this.steps.shift()) {
        const method = await step();
        if (method) return method;
      }
      return false;
    };
    // ssh2 takes `false` for "no more methods" although its types leave it out.
    const offer = next as (method: AnyAuthMethod | false) => void;
    take().then(offer, () => offer(false));
  };

  /** ssh2 reports agent trouble (no socket, agent died) as an 'error' event and moves on to the next method. */
  agentFailed(error: Error): void {
    if (this.agentAttempt) this.agentAttempt.problem = `unusable: ${error.message}`;
  }

  /** "agent /path, key /path (encrypted; no passphrase given)" — what the failure message lists. */
  describeAttempts(): string {
    if (this.attempts.length === 0) {
      const keys = this.hop.defaultIdentities ? `none of ${this.hop.identityFiles.join(', ')} exists` : 'no identity file';
      return `nothing: no ssh-agent (none configured and SSH_AUTH_SOCK not set) and ${keys}`;
    }
    return this.attempts.map((a) => (a.problem ? `${a.label} (${a.problem})` : a.label)).join(', ');
  }

  private async keyFileMethod(file: string): Promise<AnyAuthMethod | null> {
    let key = this.keyCache.get(file);
    if (!key) {
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // OpenSSH's default key names are tried only where they exist.
        if (this.hop.defaultIdentities && code === 'ENOENT') return null;
        this.attempts.push({ label: `key ${file}`, problem: `unreadable: ${code ?? (error as Error).message}` });
        return null;
      }
      const attempt: Attempt = { label: `key ${file}` };
      this.attempts.push(attempt);
      const parsed = await this.parse(data, file, attempt);
      if (!parsed) return null;
      key = parsed;
      this.keyCache.set(file, key);
    } else {
      this.attempts.push({ label: `key ${file}` });
    }
    return { type: 'publickey', username: this.hop.user, key };
  }

  private async parse(data: Buffer, file: string, attempt: Attempt): Promise<ParsedKey | null> {
    let parsed: ParsedKey | Error | null = first(ssh2.utils.parseKey(data));
    if (parsed instanceof Error && /no passphrase given/i.test(parsed.message)) parsed = await this.decrypt(data, file, attempt);
    if (parsed === null) return null;
    if (parsed instanceof Error) {
      attempt.problem = `not a private key this client can read: ${parsed.message}`;
      return null;
    }
    if (!parsed.isPrivateKey()) {
      attempt.problem = 'a public key, not a private one';
      return null;
    }
    return parsed;
  }

  private async decrypt(data: Buffer, file: string, attempt: Attempt): Promise<ParsedKey | Error | null> {
    const envName = this.hop.passphraseEnv;
    const fromEnv = envName ? this.ctx.env[envName] : undefined;
    if (envName && fromEnv !== undefined) {
      this.ctx.secretInUse?.(fromEnv);
      const parsed = first(ssh2.utils.parseKey(data, fromEnv));
      if (parsed instanceof Error) {
        attempt.problem = `encrypted; the passphrase in $${envName} does not decrypt it`;
        return null;
      }
      return parsed;
    }
    for (let tries = 0; tries < PASSPHRASE_TRIES; tries++) {
      const question = tries === 0 ? `Passphrase for SSH key ${file}:` : `Wrong passphrase. Passphrase for SSH key ${file}:`;
      const passphrase = await this.pause(() => this.ctx.ask(question, { secret: true }));
      if (passphrase === null) {
        attempt.problem = `encrypted; no passphrase given${envName ? ` ($${envName} is not set)` : ''}`;
        return null;
      }
      // Also a wrong one: it may be a near miss, or another key's passphrase.
      this.ctx.secretInUse?.(passphrase);
      const parsed = first(ssh2.utils.parseKey(data, passphrase));
      if (!(parsed instanceof Error)) return parsed;
    }
    attempt.problem = `encrypted; wrong passphrase ${PASSPHRASE_TRIES} times`;
    return null;
  }
}

/** parseKey returns an array for files holding several keys; the first is the one OpenSSH would use. */
function first(parsed: ParsedKey | ParsedKey[] | Error): ParsedKey | Error {
  return Array.isArray(parsed) ? (parsed[0] ?? new Error('no key in the file')) : parsed;
}
