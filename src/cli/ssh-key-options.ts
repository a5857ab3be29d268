// The SSH key a command signs with: --key FILE (a private key file; asked for its passphrase on a terminal
// when it is encrypted, or $RUNBOOK_KEY_PASSPHRASE) or --agent [--agent-key KEY] (ssh-agent). FIDO (sk-) keys
// sign through ssh-keygen, which talks to the authenticator.
import { readFileSync } from 'node:fs';
import type { OperatorSigner } from '../main/audit/export.js';
import { agentSigner, keyFileSigner, sshKeygenSigner } from '../main/audit/ssh-signers.js';
import { CliExit } from './cli-exit.js';
import { ask, isInteractive } from './prompt.js';

export interface SshKeyOptions {
  key?: string;
  agent?: boolean;
  agentKey?: string;
}

/** The signer --key FILE or --agent [--agent-key KEY] name, or null when neither is given. */
export async function signerFromOptions(options: SshKeyOptions): Promise<OperatorSigner | null> {
  if (options.key && options.agent) throw new CliExit(2, 'give --key or --agent, not both');
  try {
    if (options.agent) {
      const signer = await agentSigner(options.agentKey ? { publicKey: options.agentKey } : {});
      return { signer, publicKeyLine: signer.publicKeyLine };
    }
    if (options.key) {
      // FIDO (sk-) keys sign only through ssh-keygen, which talks to the authenticator.
      const publicLine = readPublicKey(options.key);
      if (publicLine?.startsWith('sk-')) return { signer: sshKeygenSigner({ keyFile: options.key }), publicKeyLine: publicLine };
      let signer;
      try {
        signer = await keyFileSigner(options.key, process.env.RUNBOOK_KEY_PASSPHRASE);
      } catch (error) {
        // An encrypted key: ask for its passphrase on the terminal (never stored).
        if (!isInteractive() || !/passphrase|encrypted/i.test((error as Error).message)) throw error;
        signer = await keyFileSigner(options.key, await ask(`Passphrase for ${options.key}: `, { secret: true }));
      }
      return { signer, publicKeyLine: signer.publicKeyLine };
    }
  } catch (error) {
    if (error instanceof CliExit) throw error;
    throw new CliExit(1, `${options.key ?? 'ssh-agent'}: ${(error as Error).message}`);
  }
  return null;
}

function readPublicKey(keyFile: string): string | null {
  try {
    return readFileSync(`${keyFile}.pub`, 'utf8').trim();
  } catch {
    return null;
  }
}
