import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_STDOUT_CHARS, DISPLAY_TAIL_CHARS, OutputRecorder } from '../../src/main/session/output.js';

describe('output recorder', () => {
  it('keeps the complete output on disk with a chunk index, and only bounded tails in memory', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'output-'));
    const recorder = new OutputRecorder(dir, 'step/one#1');
    const chunk = `${'y'.repeat(1023)}\n`;
    const hash = createHash('sha256');
    const n = 6 * 1024; // 6 MiB of stdout, more than the check window
    for (let i = 0; i < n; i++) {
      recorder.write({ stream: i % 1000 === 0 ? 'stderr' : 'stdout', data: chunk, at: new Date(1_700_000_000_000 + i).toISOString() });
      hash.update(chunk);
    }
    const out = recorder.close();
    expect(out.bytes).toBe(n * 1024);
    expect(statSync(out.file).size).toBe(n * 1024);
    expect(out.sha256).toBe(hash.digest('hex'));
    expect(out.tail.length).toBe(DISPLAY_TAIL_CHARS);
    expect(out.stdout.length).toBe(CHECK_STDOUT_CHARS);
    expect(out.stdoutTruncated).toBe(true);
    const index = readFileSync(out.indexFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(index).toHaveLength(n);
    expect(index[1]).toEqual({ at: '2023-11-14T22:13:20.001Z', stream: 'stdout', offset: 1024, bytes: 1024 });
    expect(index[0].stream).toBe('stderr');
    expect(path.basename(out.file)).toBe('step_one_1.out');
  });
});

describe('output recorder: tails and hashes', () => {
  const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

  it('keeps exactly the last characters of ASCII output, whatever the chunk sizes (chunks copied, not kept)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'output-'));
    const recorder = new OutputRecorder(dir, 'tails');
    let total = 0;
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    // Sizes around and above the windows: small, a few KiB, one of more than the whole stdout window.
    for (const size of [1, 10, 65_535, 65_537, 3, 5 * 1024 * 1024, 7, ...Array.from({ length: 40 }, () => next() % 300_000)]) {
      const chunk = Buffer.alloc(size);
      for (let i = 0; i < size; i++) chunk[i] = 0x20 + ((i + size) % 90);
      recorder.write({ stream: 'stdout', at: new Date().toISOString(), bytes: chunk });
      total += size;
      chunk.fill(0); // the recorder must not be holding on to it
    }
    const out = recorder.close();
    expect(out.bytes).toBe(total);
    expect(out.stdout.length).toBe(CHECK_STDOUT_CHARS);
    expect(out.tail.length).toBe(DISPLAY_TAIL_CHARS);
    expect(out.stdoutTruncated).toBe(true);
    expect(readFileSync(out.file).subarray(-CHECK_STDOUT_CHARS).toString('latin1')).toBe(out.stdout);
    expect(out.stdout.endsWith(out.tail)).toBe(true);
  });

  it('starts a cut tail on a whole character; a short output is kept whole', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'output-'));
    const recorder = new OutputRecorder(dir, 'utf8');
    const euros = Buffer.from('€'.repeat(DISPLAY_TAIL_CHARS));
    recorder.write({ stream: 'stdout', at: new Date().toISOString(), bytes: euros });
    const out = recorder.close();
    expect(out.tail).toBe('€'.repeat(Math.floor(DISPLAY_TAIL_CHARS / 3)));
    const small = new OutputRecorder(dir, 'small');
    small.write({ stream: 'stdout', at: new Date().toISOString(), data: 'héllo\n' });
    expect(small.close()).toMatchObject({ stdout: 'héllo\n', tail: 'héllo\n', stdoutTruncated: false });
  });

  it('hashes each stream on its own and the whole file, when one stream writes and when several interleave', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'output-'));
    const at = new Date().toISOString();
    const one = new OutputRecorder(dir, 'one');
    one.write({ stream: 'stderr', at, bytes: Buffer.from('only stderr\n') });
    const a = one.close();
    expect(a.streams.stderr).toEqual({ bytes: 12, sha256: sha256(Buffer.from('only stderr\n')) });
    expect(a.sha256).toBe(a.streams.stderr.sha256);
    expect(a.streams.stdout).toEqual({ bytes: 0, sha256: sha256(new Uint8Array(0)) });
    const mixed = new OutputRecorder(dir, 'mixed');
    for (const [stream, text] of [['stdout', 'o1 '], ['stdout', 'o2 '], ['stderr', 'e1 '], ['info', 'i1 '], ['stdout', 'o3 ']] as const) mixed.write({ stream, at, bytes: Buffer.from(text) });
    const b = mixed.close();
    expect(b.sha256).toBe(sha256(Buffer.from('o1 o2 e1 i1 o3 ')));
    expect(b.streams.stdout.sha256).toBe(sha256(Buffer.from('o1 o2 o3 ')));
    expect(b.streams.stderr.sha256).toBe(sha256(Buffer.from('e1 ')));
    expect(b.streams.info.sha256).toBe(sha256(Buffer.from('i1 ')));
  });
});
