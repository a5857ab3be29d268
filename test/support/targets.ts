// Target configurations for the real test servers (test/infra): one place for how a test reaches them.
import type { PostgresTarget, SshTarget } from '../../src/shared/targets.js';
import type { PostgresHandle } from '../infra/postgres.js';
import type { SshdHandle } from '../infra/sshd.js';

/** The test sshd with key-file auth, its known_hosts and an empty ssh_config, no agent; unless overridden. */
export function sshdTarget(sshd: SshdHandle, overrides: Partial<SshTarget> = {}): SshTarget {
  return {
    kind: 'ssh',
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    identityFile: sshd.userKey.path,
    knownHosts: sshd.knownHosts,
    sshConfig: sshd.emptySshConfig,
    agent: false,
    ...overrides,
  };
}

/** The test PostgreSQL over verified TLS, the password read from $passwordEnv; unless overridden. */
export function postgresTarget(server: PostgresHandle, passwordEnv: string, overrides: Partial<PostgresTarget> = {}): PostgresTarget {
  return {
    kind: 'postgres',
    host: server.host,
    port: server.port,
    database: server.database,
    user: server.user,
    passwordEnv,
    sslmode: 'verify-full',
    sslrootcert: server.caFile,
    ...overrides,
  };
}
