// Types for large-run.mjs (plain JavaScript so the benchmark can run it without a build).

/** The modules the run is written with: src/ in tests, dist/ in the benchmark. */
export interface LargeRunLib {
  JournalWriter: typeof import('../../src/main/audit/journal-writer.js').JournalWriter;
  MerkleTree: typeof import('../../src/main/audit/merkle.js').MerkleTree;
  formatCheckpoint: typeof import('../../src/main/audit/checkpoint.js').formatCheckpoint;
  checkpointOrigin: typeof import('../../src/main/audit/seal.js').checkpointOrigin;
  CHECKPOINT_NAMESPACE: string;
  signSshsig: typeof import('../../src/main/audit/sshsig.js').signSshsig;
  loadInstallation: typeof import('../../src/main/audit/installation.js').loadInstallation;
}

export interface LargeRunOptions {
  /** Exactly this many journal records (at least 4). */
  records: number;
  /** Holds installation_ed25519 (made when missing). */
  keyDir: string;
  /** Records between periodic checkpoints; default 256, as RunJournal seals. */
  sealEvery?: number;
  /** Roughly the length of each step record's line; default 1000. */
  recordBytes?: number;
  runId?: string;
  /** Write mac-key.txt (the verification key) into the run directory, as a bundle carries it. */
  macKeyFile?: boolean;
}

export interface LargeRun {
  dir: string;
  runId: string;
  records: number;
  steps: number;
  checkpoints: number;
  /** K_0, the MAC verification key. */
  macKey: Buffer;
  installationId: string;
}

export declare function writeLargeRun(lib: LargeRunLib, dir: string, options: LargeRunOptions): Promise<LargeRun>;

/** A run.started record's data for a benchmark run; the runbook's text is kept as its blob in `dir`. */
export declare function benchRunStarted(dir: string, runbook: { path: string; title: string; text: string }, macKeyCommitment: string, installation: { id: string; key: { publicKeyLine: string } }): Record<string, unknown>;
