// keys.info: the public side of the keys behind the evidence — this installation's seal key, where run MAC
// keys are kept, and the keys ssh-agent offers for signing exports. Private material never leaves here.
import type { KeysInfo } from '../../shared/api.js';
import { type Installation, installationKeyFacts } from '../audit/installation.js';
import { agentPublicKeys } from '../audit/ssh-signers.js';
import { fingerprint, parsePublicKeyLine } from '../audit/ssh-keys.js';

export interface KeySources {
  installation: () => Promise<Installation>;
  /** How run MAC keys are stored, in words (e.g. "OS secret store (gnome_libsecret)"). */
  macKeys: string;
  /** The ssh-agent socket; default $SSH_AUTH_SOCK. */
  agentSocket?: string | undefined;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function describeKey(line: string) {
  const key = parsePublicKeyLine(line);
  return { type: key.type, fingerprint: fingerprint(key.blob), comment: key.comment, publicKey: line };
}

export async function describeKeys(sources: KeySources): Promise<KeysInfo> {
  let installation: KeysInfo['installation'] = null;
  let installationError: string | null = null;
  try {
    const facts = installationKeyFacts(await sources.installation());
    installation = { id: facts.id, fingerprint: facts.fingerprint, publicKey: facts.publicKey, file: facts.publicKeyFile, verifyCommand: facts.verifyCommand, created: facts.created };
  } catch (error) {
    installationError = message(error);
  }
  const socket = sources.agentSocket ?? process.env.SSH_AUTH_SOCK ?? null;
  const agent: KeysInfo['agent'] = { socket, keys: [], error: null };
  if (!socket) agent.error = 'no ssh-agent: SSH_AUTH_SOCK is not set';
  else {
    try {
      agent.keys = (await agentPublicKeys(socket)).map(({ line }) => describeKey(line));
    } catch (error) {
      agent.error = message(error);
    }
  }
  return { installation, installationError, macKeys: sources.macKeys, agent };
}
