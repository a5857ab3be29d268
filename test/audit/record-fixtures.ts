// Record data for tests that write journals by hand: the smallest data of each type the journal format takes
// (src/main/audit/records), so a hand-made journal is one a writer could have made and verifies as one.
import path from 'node:path';
import { writeSmallBlob } from '../../src/main/audit/blobs.js';
import { installationId } from '../../src/main/audit/installation.js';
import type { STEP_STATUSES } from '../../src/main/audit/records/codes.js';
import { JOURNAL_FORMAT, type RecordData } from '../../src/main/audit/records/index.js';

/** An installation key for journals no checkpoint is made in (a seal needs the real key: give `installation`). */
export const TEST_INSTALLATION_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHj2b4cmzn+i4BDpPPdRGa0uFhJmEe8JPAojS5fyc8hg test-installation';

export const RUNBOOK_TEXT = '# A test runbook\n';

/** run.started's data for a run in `dir`; its runbook's copy is written to dir/blobs (verify checks it). */
export function runStartedData(dir: string, macKeyCommitment: string, over: Partial<RecordData<'run.started'>> & { installationKey?: string } = {}): RecordData<'run.started'> {
  const { installationKey = TEST_INSTALLATION_KEY, ...rest } = over;
  const blob = writeSmallBlob(dir, path.join(dir, '.runbook.tmp'), RUNBOOK_TEXT);
  return {
    format: JOURNAL_FORMAT,
    runbook: { path: '/runbooks/test.md', sha256: blob.sha256, title: 'A test runbook', blob: blob.path, bytes: blob.bytes },
    profile: 'standard',
    operator: { name: 'alice', os_user: 'alice', hostname: 'ops' },
    tool: { name: 'runbook-console', version: 'test' },
    host: { platform: 'linux', arch: 'x64', node: 'v22.0.0' },
    installation: { id: installationId(installationKey), public_key: installationKey },
    retention_days: null,
    mac_key_sha256: macKeyCommitment,
    options: { host: 'console', approvers_file: null },
    variables: [],
    ...rest,
  };
}

/** An operator's note on step `step`. */
export const noteData = (text: string, step = 'steps/one'): RecordData<'step.note'> => ({ step: { id: step }, text, by: 'alice' });

/** The run's end: every step (id, status) with no reason, counted. */
export function runFinishedData(steps: [string, (typeof STEP_STATUSES)[number]][] = [], extra: { interrupted?: 'SIGTERM' } = {}): RecordData<'run.finished'> {
  const counts: Record<string, number> = {};
  for (const [, status] of steps) counts[status] = (counts[status] ?? 0) + 1;
  return { ok: steps.every(([, s]) => s === 'succeeded'), counts, steps: steps.map(([id, status]) => ({ id, status, reason: null })), ...extra };
}

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A block that starts: a local shell command. */
export function stepStartedData(step: { id: string; title: string; line: number; profile?: 'standard' | 'regulated' | 'restricted' | null }, block: { id: string; line: number }, command: string, sha256: string, stateChanging: boolean): RecordData<'step.started'> {
  return {
    step: { profile: null, ...step },
    block: { ...block, action: 'shell', lang: 'bash' },
    target: { name: 'local', kind: 'local', bound_by: 'built-in default', protected: false, shell: 'bash', cwd: null, host: 'ops' },
    command,
    command_sha256: sha256,
    env: [],
    bind_params: 0,
    state_changing: stateChanging,
    verdict: stateChanging ? { code: 'shell-command-not-allowed', detail: 'line 1: it writes files' } : { code: 'shell-read-only', detail: 'runs only read-only commands' },
  };
}

/** The block's end: it succeeded with no output (no blob is named, so none need exist). */
export function stepFinishedData(step: string, block: string, started: { seq: number; sha256: string } | null): RecordData<'step.finished'> {
  const none = { bytes: 0, sha256: EMPTY };
  return {
    step: { id: step },
    block: { id: block },
    started,
    outcome: { status: 'succeeded', exit_code: 0, signal: null, error: null, verdict: null, reasons: [], ok: true, refusal: null, result_sets: [], results_blob: null },
    target: { name: 'local', kind: 'local', endpoint: 'ops' },
    notes: [],
    started_at: '2026-01-02T03:04:05.000Z',
    ended_at: '2026-01-02T03:04:05.012Z',
    duration_ms: 12,
    output: { blob: null, bytes: 0, sha256: EMPTY, index_blob: null, stdout: none, stderr: none, info: none },
  };
}
