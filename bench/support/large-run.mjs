// A valid, sealed run directory of any number of records, written quickly: for the verify benchmark and
// for the tests that show verification is linear. Plain JavaScript so bench/verify.mjs (plain node, over
// dist/) and the tests (vitest, over src/, typed through large-run.d.mts) share it; the modules it writes
// with are passed in, so the journal is made by the real JournalWriter, checkpoint format and SSHSIG signer.
//
// What makes it fast where a real run is slow: no fsync (the writer's io is replaced), the MAC keys are
// kept in memory, and the periodic seals take their roots and consistency proofs from a MerkleTree that
// grows with the journal instead of rehashing every line at every seal.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/** MAC keys in memory: the run's K_0 and current key, as FileMacKeyStore keeps them on disk. */
export class MemoryKeys {
  keys = new Map();
  create(id) {
    const key = createHash('sha256').update(`k0 ${id}`).digest();
    this.keys.set(`${id}.v`, Buffer.from(key));
    this.keys.set(id, { index: 0, key });
    return key;
  }
  loadCurrent(id) {
    return this.keys.get(id) ?? null;
  }
  saveCurrent(id, current) {
    this.keys.set(id, { index: current.index, key: Buffer.from(current.key) });
  }
  verificationKey(id) {
    return this.keys.get(`${id}.v`) ?? null;
  }
  close() {}
}

const noSync = { writeSync: (fd, b, o, l) => writeSync(fd, b, o, l), fsyncSync: () => undefined };
const sha256 = (data) => createHash('sha256').update(data).digest('hex');
/** What the envelope around `data` adds to a line (seq, run, type, times, boot id, prev, mac), roughly. */
const ENVELOPE_BYTES = 390;

/**
 * Writes a run of exactly `options.records` records into `dir` (which must not exist yet): run.started,
 * step.started / step.finished pairs of about `recordBytes` each, a periodic checkpoint every `sealEvery`
 * records as RunJournal makes them, run.finished and the final seal, with checkpoint.txt and .sig beside.
 */
/** A run.started record's data for a benchmark run; the runbook's text is kept as its blob in `dir`. */
export function benchRunStarted(dir, runbook, macKeyCommitment, installation) {
  const runbookSha = sha256(runbook.text);
  mkdirSync(path.join(dir, 'blobs'), { recursive: true });
  writeFileSync(path.join(dir, 'blobs', runbookSha), runbook.text);
  return {
    format: 'runbook-console-journal/2', // records/format.ts JOURNAL_FORMAT: the format writers write
    runbook: { path: runbook.path, sha256: runbookSha, title: runbook.title, blob: `blobs/${runbookSha}`, bytes: Buffer.byteLength(runbook.text) },
    profile: 'standard',
    operator: { name: 'bench', os_user: 'bench', hostname: 'bench-host' },
    tool: { name: 'runbook-console', version: '0.0.0-bench' },
    host: { platform: process.platform, arch: process.arch, node: process.version },
    installation: { id: installation.id, public_key: installation.key.publicKeyLine },
    retention_days: null,
    mac_key_sha256: macKeyCommitment,
    options: { host: 'console', approvers_file: null },
    variables: [],
  };
}

export async function writeLargeRun(lib, dir, options) {
  const records = options.records;
  if (!Number.isInteger(records) || records < 4) throw new RangeError(`records must be an integer >= 4, not ${records}`);
  const sealEvery = options.sealEvery ?? 256;
  const recordBytes = options.recordBytes ?? 1000;
  const runId = options.runId ?? 'large-run-0000000000000001';
  const installation = await lib.loadInstallation(path.join(options.keyDir, 'installation_ed25519'));
  const keys = new MemoryKeys();
  const { writer, macKeyCommitment } = lib.JournalWriter.create(dir, runId, { keys, io: noSync });
  const tree = new lib.MerkleTree();
  const append = (type, data) => {
    const appended = writer.append(type, data);
    tree.append(appended.line);
    return appended;
  };

  append('run.started', benchRunStarted(dir, { path: 'large.md', title: 'Large run', text: `# Large run\n\nGenerated for the verify benchmark: ${records} records.\n` }, macKeyCommitment, installation));

  const origin = lib.checkpointOrigin(installation.id, runId);
  let previous = null;
  let lastSeal = 0;
  let checkpoints = 0;
  const seal = async (reason) => {
    const size = writer.count;
    const root = tree.root(size);
    const proof = previous ? tree.consistencyProof(previous.size, size).map((h) => h.toString('base64')) : [];
    const text = lib.formatCheckpoint({ origin, size, rootHash: root, extensions: [] });
    const signature = await lib.signSshsig(Buffer.from(text, 'utf8'), lib.CHECKPOINT_NAMESPACE, installation.key.signer);
    append('checkpoint', { origin, size, root: root.toString('base64'), text, signature, signer: installation.key.publicKeyLine, previous, consistency_proof: proof, reason, retention_days: null });
    previous = { size, root: root.toString('base64') };
    lastSeal = writer.count;
    checkpoints++;
    return { text, signature };
  };

  const pad = (text, length) => (length > text.length ? text + ' .'.repeat(Math.ceil((length - text.length) / 2)).slice(0, length - text.length) : text);
  const target = { name: 'local', kind: 'local', bound_by: 'built-in default', protected: false, shell: 'bash', cwd: null, host: 'bench-host' };
  let step = 0;
  // Leave room for run.finished and the final seal (and a periodic seal that may fall just before them).
  while (writer.count < records - 2) {
    step++;
    const ids = { step: { id: `section-${Math.ceil(step / 10)}/step-${step}` }, block: { id: `section-${Math.ceil(step / 10)}/step-${step}#1` } };
    const startedData = {
      step: { ...ids.step, title: `Step ${step}`, line: 10 + step, profile: null },
      block: { ...ids.block, line: 11 + step, action: 'shell', lang: 'bash' },
      target,
      command: '',
      command_sha256: '',
      env: ['PATH', 'HOME'],
      bind_params: 0,
      state_changing: true,
      verdict: { code: 'shell-command-not-allowed', detail: 'the command is not on the read-only list' },
    };
    startedData.command = pad(`echo "step ${step}" && systemctl status app-${step % 7}`, recordBytes - ENVELOPE_BYTES - JSON.stringify(startedData).length);
    startedData.command_sha256 = sha256(startedData.command);
    const started = append('step.started', startedData);
    if (writer.count >= records - 2) break;
    const at = new Date().toISOString();
    const finishedData = {
      ...ids,
      started: { seq: started.seq, sha256: started.hash },
      outcome: { status: 'succeeded', exit_code: 0, signal: null, error: null, verdict: null, reasons: [], ok: true, refusal: null, result_sets: [], results_blob: null },
      target: { name: 'local', kind: 'local', endpoint: 'local' },
      notes: [],
      started_at: at,
      ended_at: at,
      duration_ms: step % 1000,
      output: { blob: null, bytes: 0, sha256: sha256(''), index_blob: null, stdout: { bytes: 0, sha256: sha256('') }, stderr: { bytes: 0, sha256: sha256('') }, info: { bytes: 0, sha256: sha256('') } },
    };
    finishedData.notes = [pad(`step ${step} ran on bench-host`, recordBytes - ENVELOPE_BYTES - JSON.stringify(finishedData).length - 4)];
    append('step.finished', finishedData);
    if (writer.count - lastSeal >= sealEvery && writer.count < records - 2) await seal('periodic');
  }
  append('run.finished', { ok: true, counts: { succeeded: step }, steps: [] });
  const final = await seal('run-end');
  writer.close();
  writeFileSync(path.join(dir, 'checkpoint.txt'), final.text);
  writeFileSync(path.join(dir, 'checkpoint.txt.sig'), final.signature);
  const macKey = keys.verificationKey(runId);
  if (options.macKeyFile) writeFileSync(path.join(dir, 'mac-key.txt'), `${macKey.toString('hex')}\n`);
  return { dir, runId, records: writer.count, steps: step, checkpoints, macKey, installationId: installation.id };
}
