// The keys the operator controls in a run, which can never approve its steps: the installation key that
// seals it, the key the operator signs the export with (when named in advance), and what the operator's
// ssh-agent holds. Gathered when the run starts (and recorded), and the agent asked again at each approval.
import { existsSync, readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { type OperatorKey, type OperatorKeySource, operatorKey } from './approval.js';
import { agentPublicKeys } from './ssh-signers.js';

/** How long an ssh-agent may take to list its keys before it is taken to hold none. */
const AGENT_TIMEOUT_MS = 3000;

/** The public keys of the ssh-agent at `socket` (none when there is no socket or no answer in time). */
export async function agentKeys(socket: string | undefined, timeoutMs = AGENT_TIMEOUT_MS): Promise<OperatorKey[]> {
  if (!socket) return [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  try {
    const keys = await Promise.race([agentPublicKeys(socket).catch(() => []), timeout]);
    return keys.flatMap(({ blob }) => {
      try {
        return [operatorKey('ssh-agent', blob)];
      } catch {
        return []; // a key type this tool cannot read cannot sign an approval it accepts either
      }
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The public half of a key file: `FILE.pub` beside a private key, the file itself when it is a public key,
 * or read from an unencrypted private key. Null when none can be had without a passphrase.
 */
export function publicKeyOfFile(file: string): string | null {
  for (const candidate of [`${file}.pub`, file]) {
    if (!existsSync(candidate)) continue;
    let text: Buffer;
    try {
      text = readFileSync(candidate);
    } catch {
      continue;
    }
    const parsed = ssh2.utils.parseKey(text);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (key && !(key instanceof Error)) return `${key.type} ${key.getPublicSSH().toString('base64')}`;
  }
  return null;
}

/** Keys by `type base64`, first source wins (the installation key before the same key found in the agent). */
export function uniqueKeys(keys: readonly OperatorKey[]): OperatorKey[] {
  const seen = new Map<string, OperatorKey>();
  for (const k of keys) if (!seen.has(k.key)) seen.set(k.key, k);
  return [...seen.values()];
}

export function keyFrom(source: OperatorKeySource, publicKeyLine: string): OperatorKey | null {
  try {
    return operatorKey(source, publicKeyLine);
  } catch {
    return null;
  }
}
