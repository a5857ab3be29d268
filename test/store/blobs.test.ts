// Which files a journal line names (for shipping, store verify and store export): only the fields that name
// files, as the verifier reads them — a string that merely looks like a blob path (an approver's name, a note,
// put there by another writer) names nothing. And closing a shipper does not wait out a retry.
import { describe, expect, it } from 'vitest';
import { blobsNamed, uniqueBlobs } from '../../src/main/store/blobs.js';
import { StoreShipper } from '../../src/main/store/ship.js';

const hex = (c: string) => c.repeat(64);
const line = (type: string, data: unknown) => JSON.stringify({ type, data });

describe('the files a record names', () => {
  it('takes the runbook copy, an output, its index and result sets, and orphaned outputs, with their sizes', () => {
    expect(blobsNamed(line('run.started', { runbook: { blob: `blobs/${hex('a')}`, bytes: 120 } }))).toEqual([{ sha256: hex('a'), maxBytes: 120 }]);
    expect(blobsNamed(line('step.finished', { output: { blob: `blobs/${hex('b')}`, bytes: 5, index_blob: `blobs/${hex('c')}` }, outcome: { results_blob: `blobs/${hex('d')}` } })).map((b) => b.sha256)).toEqual([hex('b'), hex('c'), hex('d')]);
    expect(blobsNamed(line('run.finished', { orphaned_outputs: [{ blob: `blobs/${hex('e')}`, bytes: 9 }] }))).toEqual([{ sha256: hex('e'), maxBytes: 9 }]);
  });

  it('an attacker: a blob path as an approver\'s name, a note, or a field of another record names nothing', () => {
    expect(blobsNamed(line('approval', { approver: `blobs/${hex('f')}`, reason: `blobs/${hex('f')}` }))).toEqual([]);
    expect(blobsNamed(line('step.note', { text: `blobs/${hex('f')}` }))).toEqual([]);
    expect(blobsNamed(line('step.finished', { output: { blob: `blobs/${hex('F')}` }, outcome: { note: `blobs/${hex('f')}` } }))).toEqual([]);
    expect(blobsNamed('not json')).toEqual([]);
  });

  it('a file named twice keeps the smaller size any record allows', () => {
    expect(uniqueBlobs([{ sha256: hex('a'), maxBytes: null }, { sha256: hex('a'), maxBytes: 7 }, { sha256: hex('a'), maxBytes: 9 }])).toEqual([{ sha256: hex('a'), maxBytes: 7 }]);
  });
});

describe('closing a shipper', () => {
  it('does not wait out a retry while the store is away (nor a connection being made)', async () => {
    const away = new StoreShipper('run-away-00000001', '/nonexistent', { connect: () => Promise.reject(new Error('ECONNREFUSED')), retryMs: [60_000] });
    away.durable([{ seq: 0, line: '{}' }]);
    await away.flush(50);
    const hanging = new StoreShipper('run-hang-00000001', '/nonexistent', { connect: () => new Promise(() => undefined), retryMs: [60_000] });
    hanging.durable([{ seq: 0, line: '{}' }]);
    const closed = Promise.all([away.close(100), hanging.close(100)]).then(() => 'closed');
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise((resolve) => (timer = setTimeout(() => resolve('still waiting'), 20_000)));
    expect(await Promise.race([closed, stuck])).toBe('closed');
    clearTimeout(timer);
  }, 30_000);
});
