// Recovery must not become a way to launder a run: it never rewrites checkpoint.txt to hide records cut
// from the end, never seals a journal that does not verify (a torn tail no longer hides an edit behind
// it), and only moves the files beside the journal forward to a checkpoint the journal itself holds (the
// state a seal cut short by the earlier code left). The seal itself re-signs when a record arrives while
// it signs (a signal's run.interrupted), instead of sealing the wrong size.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInstallation, type Installation } from '../../src/main/audit/installation.js';
import { JournalWriter } from '../../src/main/audit/journal-writer.js';
import { VerifyFailure } from '../../src/main/audit/reasons.js';
import { CHECKPOINT_FILE, JOURNAL_FILE } from '../../src/main/audit/record.js';
import { recoverRun } from '../../src/main/audit/recovery.js';
import { acquireRunLock } from '../../src/main/audit/run-lock.js';
import { seal } from '../../src/main/audit/seal.js';
import { verifyRun } from '../../src/main/audit/verify.js';
import { tempRun } from './journal-support.js';
import { noteData, runFinishedData, runStartedData } from './record-fixtures.js';

const RUN_ID = 'run-crash-recovery-01';

/** A journal sealed at `seals` (sizes after which a checkpoint is made), left open or finished. */
async function sealedJournal(seals: number[], total: number, finish: boolean) {
  const { dir, keys } = tempRun();
  const installation = await loadInstallation(path.join(path.dirname(dir), 'keys', 'installation_ed25519'));
  const { writer, macKeyCommitment } = JournalWriter.create(dir, RUN_ID, { keys });
  writer.append('run.started', runStartedData(dir, macKeyCommitment, { installationKey: installation.key.publicKeyLine }));
  for (let i = 1; i < total; i++) {
    writer.append('step.note', noteData(`note ${i}`));
    if (seals.includes(writer.count)) await seal(writer, installation, { reason: 'periodic', retentionDays: null });
  }
  if (finish) {
    writer.append('run.finished', runFinishedData());
    await seal(writer, installation, { reason: 'run-end', retentionDays: null });
  }
  writer.close();
  return { dir, keys, installation };
}

async function recover(dir: string, keys: Parameters<typeof recoverRun>[1]['keys'], installation: Installation) {
  const { lock } = acquireRunLock(dir, { purpose: 'recover', takeStale: true });
  try {
    return await recoverRun(dir, { keys, installation, lock, closedBy: 'recover' });
  } finally {
    lock.release();
  }
}

const lines = (dir: string) => readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').trimEnd().split('\n');

describe('recovery does not launder a run', () => {
  it('records cut from the end of a sealed run: checkpoint.txt is left as evidence, nothing is appended or sealed', async () => {
    const { dir, keys, installation } = await sealedJournal([4], 8, true);
    const cut = lines(dir).slice(0, 6);
    writeFileSync(path.join(dir, JOURNAL_FILE), `${cut.join('\n')}\n`);
    const checkpoint = readFileSync(path.join(dir, CHECKPOINT_FILE), 'utf8');
    await expect(recover(dir, keys, installation)).rejects.toSatisfy((e: unknown) => e instanceof VerifyFailure && e.finding.code === 'E_SEAL_SIZE');
    expect(readFileSync(path.join(dir, CHECKPOINT_FILE), 'utf8')).toBe(checkpoint);
    expect(lines(dir)).toEqual(cut);
  });

  it('an edited record behind a torn tail: the tail is set aside, the edit found, and the run is not sealed over it', async () => {
    const { dir, keys, installation } = await sealedJournal([], 5, false);
    const edited = lines(dir).map((l, i) => (i === 2 ? l.replace('"text":"note 2"', '"text":"note 9"') : l));
    writeFileSync(path.join(dir, JOURNAL_FILE), `${edited.join('\n')}\n`);
    appendFileSync(path.join(dir, JOURNAL_FILE), '{"data":{"i":5');
    // Before recovery, the torn tail is all verify reports.
    expect(await verifyRun(dir, { keys, allowUnsealed: true })).toMatchObject({ ok: false, failure: { code: 'E_TORN_TAIL' } });
    await expect(recover(dir, keys, installation)).rejects.toSatisfy((e: unknown) => e instanceof VerifyFailure && e.finding.code === 'E_RECORD_CHANGED');
    expect(lines(dir)).toEqual(edited);
    expect(lines(dir).some((l) => l.includes('"type":"checkpoint"'))).toBe(false);
  });

  it('a seal cut short by the earlier order (record appended, files still the previous seal) is completed: files moved forward, run closed', async () => {
    const { dir, keys, installation } = await sealedJournal([3], 6, false);
    const before = { text: readFileSync(path.join(dir, CHECKPOINT_FILE), 'utf8'), sig: readFileSync(path.join(dir, `${CHECKPOINT_FILE}.sig`), 'utf8') };
    // A second periodic seal whose files were never written.
    const { writer } = JournalWriter.reopen(dir, { keys });
    await seal(writer, installation, { reason: 'periodic', retentionDays: null });
    writer.close();
    writeFileSync(path.join(dir, CHECKPOINT_FILE), before.text);
    writeFileSync(path.join(dir, `${CHECKPOINT_FILE}.sig`), before.sig);
    expect(await verifyRun(dir, { keys, allowUnsealed: true })).toMatchObject({ ok: false, failure: { code: 'E_SEAL_SIZE' } });
    const recovered = await recover(dir, keys, installation);
    expect(recovered).toMatchObject({ checkpointFilesRewritten: true, closed: true });
    expect(await verifyRun(dir, { keys })).toMatchObject({ ok: true });
  });

  it('a record arriving while the seal is being signed: the seal signs again over the records as they are', async () => {
    const { dir, keys } = tempRun();
    const installation = await loadInstallation(path.join(path.dirname(dir), 'keys', 'installation_ed25519'));
    const { writer, macKeyCommitment } = JournalWriter.create(dir, RUN_ID, { keys });
    writer.append('run.started', runStartedData(dir, macKeyCommitment, { installationKey: installation.key.publicKeyLine }));
    writer.append('run.finished', runFinishedData());
    let signed = 0;
    const signer = installation.key.signer;
    const racing: Installation = {
      ...installation,
      key: {
        ...installation.key,
        signer: {
          type: signer.type,
          publicKeyLine: signer.publicKeyLine,
          publicKey: signer.publicKey,
          sign: async (data: Buffer) => {
            // The first signing is overtaken: SIGTERM arrives and the run's end is written again after it.
            if (signed++ === 0) writer.append('run.finished', { ok: false, counts: {}, steps: [], interrupted: 'SIGTERM' });
            return signer.sign(data);
          },
        },
      },
    };
    const result = await seal(writer, racing, { reason: 'run-end', retentionDays: null });
    writer.close();
    expect(signed).toBe(2);
    expect(result.size).toBe(3);
    expect(await verifyRun(dir, { keys })).toMatchObject({ ok: true, sealedSize: 3 });
  });
});
