// Types for sshd.mjs (plain JavaScript so the benchmark can run it without a build).

export declare const SSHD: string;

export interface KeyFiles {
  /** The private key file (its public key is beside it as PATH.pub). */
  path: string;
  /** The OpenSSH public key line: "ssh-ed25519 AAAA… comment". */
  publicKey: string;
  /** As `ssh-keygen -l -E sha256` prints it: SHA256:… without padding. */
  fingerprint: string;
}

export interface SshdHandle {
  /** The temp directory holding keys, config, logs; removed by stop(). */
  dir: string;
  host: '127.0.0.1';
  port: number;
  /** The user tests log in as: root when run as root, otherwise the current user. */
  user: string;
  hostKey: KeyFiles;
  /** A key the server does not have: its line in known_hosts makes the real one a "changed" key. */
  otherHostKey: KeyFiles;
  /** Authorized; used as an identityFile. */
  userKey: KeyFiles;
  /** Authorized; held only by the agent. */
  agentKey: KeyFiles;
  /** Authorized; encrypted with `passphrase`. */
  encryptedKey: KeyFiles & { passphrase: string };
  /** Not authorized. */
  strangerKey: KeyFiles;
  /** A known_hosts file with the server's key for [127.0.0.1]:port. */
  knownHosts: string;
  /** An empty ssh_config, so the operator's ~/.ssh/config does not leak into tests. */
  emptySshConfig: string;
  /** The agent's socket, or null when started with agent: false. */
  agentSocket: string | null;
  logFile: string;
  /** sshd's log so far (it logs "Accepted publickey for …" per connection). */
  log(): string;
  pids: { sshd: number | null; agent: number | null };
  /** Ends the processes this handle started (and sshd's per-connection children) and removes `dir`. */
  stop(): Promise<void>;
}

/** Why sshd cannot be started here, or null when it can. */
export declare function sshdUnavailableReason(): string | null;

export declare function startSshd(options?: { agent?: boolean }): Promise<SshdHandle>;
