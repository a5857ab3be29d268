// Shows an SSH target's host key before anything runs, so the operator decides about trust in settings
// (and pins the fingerprint) rather than in the middle of a change. The connection is dropped at the key
// exchange: nothing is authenticated, nothing runs.
import { homedir, userInfo } from 'node:os';
import ssh2 from 'ssh2';
import type { SshTarget } from '../../../shared/targets.js';
import type { ExecutorContext } from '../types.js';
import { judgeHostKey } from './host-key-policy.js';
import { fingerprintSha256, keyTypeOf, loadKnownHosts } from './host-keys.js';
import { planConnection } from './plan.js';

export interface HostKeyProbe {
  endpoint: string;
  fingerprint: string;
  keyType: string;
  /** known: matches known_hosts or the pin; unknown: the operator has to decide; refused: changed or revoked. */
  status: 'known' | 'unknown' | 'refused';
  detail: string;
}

export async function probeHostKey(config: SshTarget, ctx: ExecutorContext, timeoutMs = 10_000): Promise<HostKeyProbe> {
  const plan = planConnection(config, ctx, { homeDir: homedir(), localUser: userInfo().username });
  if (plan.jumps.length > 0) throw new Error(`${plan.endpoint}: host keys behind a jump host are shown when the run connects`);
  const hop = plan.target;
  const known = loadKnownHosts(hop.knownHostsFiles);
  const key = await new Promise<Buffer>((resolve, reject) => {
    const client = new ssh2.Client();
    let presented: Buffer | null = null;
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${hop.label}'s host key`)), timeoutMs);
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.destroy();
      if (presented) resolve(presented);
      else reject(error ?? new Error(`${hop.label} presented no host key`));
    };
    client.on('error', (error) => finish(error));
    client.on('close', () => finish(null));
    client.connect({
      host: hop.hostName,
      port: hop.port,
      username: hop.user,
      readyTimeout: timeoutMs,
      hostVerifier: (k: Buffer) => {
        presented = Buffer.from(k);
        return false; // stop here: the key is all we came for
      },
    });
  });
  const verdict = judgeHostKey(key, { lookupName: hop.hostKeyName, display: `${hop.hostName}:${hop.port}`, entries: known.entries, files: hop.knownHostsFiles, pinned: hop.pinnedFingerprint });
  const base = { endpoint: plan.endpoint, fingerprint: fingerprintSha256(key), keyType: keyTypeOf(key) ?? 'unknown type' };
  if (verdict.kind === 'known') return { ...base, status: 'known', detail: verdict.note };
  if (verdict.kind === 'refused') return { ...base, status: 'refused', detail: verdict.error };
  return { ...base, status: 'unknown', detail: `not in ${hop.knownHostsFiles.join(', ') || 'any known_hosts file'} and not pinned: compare ${base.fingerprint} with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on it) before trusting it` };
}
