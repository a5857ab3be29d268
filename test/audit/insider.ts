// An insider holding the run's MAC verification key and the installation key: rewrites records, re-chains,
// re-MACs and re-seals them. Plain verification cannot tell; only a commitment held elsewhere (--prior) can.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalize } from '../../src/main/audit/canonical.js';
import { formatCheckpoint } from '../../src/main/audit/checkpoint.js';
import { loadInstallation } from '../../src/main/audit/installation.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { evolveKey, recordMac } from '../../src/main/audit/mac-chain.js';
import { rootHash } from '../../src/main/audit/merkle.js';
import { CHECKPOINT_FILE, GENESIS_PREV, JOURNAL_FILE, type JournalRecord, sha256Hex } from '../../src/main/audit/record.js';
import { CHECKPOINT_NAMESPACE } from '../../src/main/audit/seal.js';
import { signSshsig } from '../../src/main/audit/sshsig.js';

type Signer = Parameters<typeof signSshsig>[2];

/** `keyDir` is the RUNBOOK_CONSOLE_KEY_DIR the run was made with. */
export async function insiderRewrite(
  keyDir: string,
  dir: string,
  edit: (records: JournalRecord[]) => JournalRecord[],
  sign?: (text: string, signer: Signer) => Promise<string>,
): Promise<void> {
  const keys = new FileMacKeyStore(path.join(keyDir, 'mac'));
  const installation = await loadInstallation(path.join(keyDir, 'installation_ed25519'));
  const original = readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as JournalRecord);
  const records = edit(original);
  let key: Buffer = Buffer.from(keys.verificationKey(records[0]?.run as string) as Buffer);
  let prev = GENESIS_PREV;
  const lines: string[] = [];
  for (const [i, r] of records.entries()) {
    const { mac: _m, ...rest } = r;
    const unsigned = { ...rest, seq: i, prev };
    if (unsigned.type === 'checkpoint') {
      const root = rootHash(lines);
      const text = formatCheckpoint({ origin: String(unsigned.data.origin), size: i, rootHash: root, extensions: [] });
      const signature = await (sign ?? ((t, k) => signSshsig(Buffer.from(t), CHECKPOINT_NAMESPACE, k)))(text, installation.key.signer);
      unsigned.data = { ...unsigned.data, size: i, root: root.toString('base64'), text, signature };
      writeFileSync(path.join(dir, CHECKPOINT_FILE), text);
      writeFileSync(path.join(dir, `${CHECKPOINT_FILE}.sig`), signature);
    }
    const line = canonicalize({ ...unsigned, mac: recordMac(key, canonicalize(unsigned)) });
    key = evolveKey(key);
    prev = sha256Hex(line);
    lines.push(line);
  }
  writeFileSync(path.join(dir, JOURNAL_FILE), `${lines.join('\n')}\n`);
}
