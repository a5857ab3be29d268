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
