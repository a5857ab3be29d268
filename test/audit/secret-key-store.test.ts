// The app's MAC key store over an OS secret store, with a test double for Electron's safeStorage:
// keys never reach the disk in plain text, RESTRICTED refuses a plain-text backend, reopening works.
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeSafeStorage } from '../support/fake-safe-storage.js';
import { describeAppMacKeys, openAppMacKeyStore } from '../../src/main/audit/app-mac-keys.js';
import { JournalWriter } from '../../src/main/audit/journal-writer.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { SecretMacKeyStore } from '../../src/main/audit/secret-key-store.js';
import { checkJournal } from '../../src/main/audit/verify-journal.js';
import { noteData, runStartedData } from './record-fixtures.js';

/** Encrypts with AES-GCM under a key held in memory, as an OS keyring would hold it. */
describe('secret-store MAC keys', () => {
  it('keeps keys encrypted on disk and lets a reopened journal continue its MAC chain', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'secret-keys-'));
    const storage = fakeSafeStorage();
    const keys = await SecretMacKeyStore.open(path.join(root, 'keys'), storage, { restricted: true });
    const { writer, macKeyCommitment } = JournalWriter.create(path.join(root, 'run'), 'run-secret-0001', { keys });
    writer.append('run.started', runStartedData(path.join(root, 'run'), macKeyCommitment));
    writer.append('step.note', noteData('one'));
    writer.close();
    await keys.flush();
    const k0 = keys.verificationKey('run-secret-0001') as Buffer;
    for (const file of readdirSync(path.join(root, 'keys'))) {
      const bytes = readFileSync(path.join(root, 'keys', file));
      expect(bytes.includes(Buffer.from(k0.toString('hex')))).toBe(false);
      expect(bytes.includes(k0)).toBe(false);
    }
    // A new process: the store is read back through the secret store and the chain goes on.
    const again = await SecretMacKeyStore.open(path.join(root, 'keys'), storage, { restricted: true });
    await again.preload('run-secret-0001');
    const { writer: reopened } = JournalWriter.reopen(path.join(root, 'run'), { keys: again });
    reopened.append('step.note', noteData('two'));
    reopened.close();
    const journal = readFileSync(path.join(root, 'run', 'journal.jsonl'));
    expect(checkJournal(journal, { name: 'j', macKey: again.verificationKey('run-secret-0001') }).records).toHaveLength(3);
  });

  it('RESTRICTED refuses a secret store that falls back to plain text; other profiles accept it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'secret-keys-'));
    await expect(SecretMacKeyStore.open(dir, fakeSafeStorage('basic_text'), { restricted: true })).rejects.toThrow(/falls back to plain text/);
    await expect(SecretMacKeyStore.open(dir, fakeSafeStorage('basic_text'), { restricted: false })).resolves.toBeInstanceOf(SecretMacKeyStore);
  });

  it('the desktop app never uses the plain-text fallback: RESTRICTED is refused, other runs use 0600 key files', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'app-keys-'));
    const places = { secretDir: path.join(root, 'secret'), fileDir: path.join(root, 'files'), platform: 'linux' as const };
    await expect(openAppMacKeyStore(fakeSafeStorage('basic_text'), places, { restricted: true })).rejects.toThrow(/no OS keyring.*RESTRICTED runs need one/);
    const fallback = await openAppMacKeyStore(fakeSafeStorage('basic_text'), places, { restricted: false });
    expect(fallback).toBeInstanceOf(FileMacKeyStore);
    fallback.create('run-file-0001');
    expect(statSync(path.join(places.fileDir)).isDirectory()).toBe(true);
    expect(describeAppMacKeys(fakeSafeStorage('basic_text'), places)).toMatch(/^key files \(0600\) in .*files: this machine has no OS keyring/);
    await expect(openAppMacKeyStore(fakeSafeStorage('gnome_libsecret'), places, { restricted: true })).resolves.toBeInstanceOf(SecretMacKeyStore);
    expect(describeAppMacKeys(fakeSafeStorage('gnome_libsecret'), places)).toBe('OS secret store through safeStorage (gnome_libsecret)');
  });
});

