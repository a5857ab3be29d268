// Settings show an SSH target's host key before any run: against a real sshd, known, unknown, changed
// and pinned keys are told apart, through the console API.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/main/api/dispatch.js';
import { testHandlers } from '../../support/handlers.js';
import { type SshdHandle, sshdAvailable, startSshd } from '../../infra/sshd.js';

describe.skipIf(!sshdAvailable('host key probe'))('targets.hostKey', () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    sshd = await startSshd({ agent: false });
  }, 30_000);
  afterAll(() => sshd?.stop());

  it('tells known, unknown, changed and pinned keys apart without logging in', async () => {
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const changed = path.join(root, 'changed_known_hosts');
    writeFileSync(changed, `[127.0.0.1]:${sshd.port} ${sshd.otherHostKey.publicKey}\n`);
    const empty = path.join(root, 'empty_known_hosts');
    writeFileSync(empty, '');
    const base = { kind: 'ssh', host: '127.0.0.1', port: sshd.port, user: sshd.user, sshConfig: sshd.emptySshConfig } as const;
    await dispatch(handlers, 'targets.save', {
      targets: {
        targets: {
          known: { ...base, knownHosts: sshd.knownHosts },
          unknown: { ...base, knownHosts: empty },
          changed: { ...base, knownHosts: changed },
          pinned: { ...base, knownHosts: empty, fingerprint: sshd.hostKey.fingerprint },
          db: { kind: 'postgres', host: 'h', database: 'd', user: 'u' },
        },
      },
    });
    const logins = () => sshd.log().match(/Accepted publickey/g)?.length ?? 0;
    const before = logins();
    const probe = (name: string) => dispatch(handlers, 'targets.hostKey', { name }) as Promise<{ status: string; fingerprint: string; detail: string }>;
    expect(await probe('known')).toMatchObject({ status: 'known', fingerprint: sshd.hostKey.fingerprint });
    expect(await probe('unknown')).toMatchObject({ status: 'unknown', fingerprint: sshd.hostKey.fingerprint, detail: expect.stringMatching(/compare SHA256:/) });
    expect(await probe('changed')).toMatchObject({ status: 'refused' });
    expect(await probe('pinned')).toMatchObject({ status: 'known' });
    await expect(probe('db')).rejects.toThrow(/only ssh targets have host keys/);
    await expect(probe('nope')).rejects.toThrow(/no target named "nope"/);
    expect(logins()).toBe(before);
  });
});
