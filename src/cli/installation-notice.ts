// The installation key, as the CLI's commands load it: the command whose call makes the key prints its
// fingerprint once, on stderr (stdout stays the command's own output), for the operator's change ticket.
import { type Installation, defaultInstallationKeyFile, loadInstallation, newKeyNotice } from '../main/audit/installation.js';
import { forTerminal } from './terminal-output.js';

export async function loadInstallationForCli(file: string = defaultInstallationKeyFile()): Promise<Installation> {
  const installation = await loadInstallation(file);
  announceNewKey(installation);
  return installation;
}

/** Prints the new key's notice when `installation` was made by this call; nothing otherwise. */
export function announceNewKey(installation: Installation, write: (text: string) => void = (text) => process.stderr.write(text)): void {
  if (installation.created) write(forTerminal(newKeyNotice(installation)));
}
