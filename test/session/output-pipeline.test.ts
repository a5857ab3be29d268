// A block's output from the process to the record and the listeners, through the session with the real
// local executor: written in chunks (never a write per line), paused while a listener is behind (the
// process waits instead of the output piling up), and kept byte for byte — NUL, CR, invalid UTF-8, a
// character cut between two reads, a last line without a newline — under the hash the record names.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { blockVerdicts } from '../../src/main/session/assemble.js';
import { targetSet } from '../../src/main/session/binding.js';
import { ExecutorPool } from '../../src/main/session/executor-pool.js';
import type { OutputIo } from '../../src/main/session/output.js';
import { planRun } from '../../src/main/session/plan.js';
import { type BlockOutcome, type RunEvent, RunSession } from '../../src/main/session/runner.js';
import { createLocalExecutor } from '../../src/main/targets/local/executor.js';
import type { Binding } from '../../src/main/session/binding.js';
import type { ExecutionRequest, Executor } from '../../src/main/targets/types.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

interface Ran {
  outcome: BlockOutcome;
  events: Extract<RunEvent, { type: 'output' }>[];
  /** Bytes each stream's chunks carried from the executor into the session, in order. */
  fromExecutor: { stdout: Buffer[]; stderr: Buffer[] };
}

/**
 * Runs one bash block through a RunSession. `io` counts the recorder's writes; `onOutput` is the listener
 * (it may answer with a promise: backpressure); `tap` sees each chunk as the executor hands it over.
 */
async function runBlock(code: string, options: { io?: OutputIo; onOutput?: (event: Extract<RunEvent, { type: 'output' }>) => void | Promise<void>; tap?: (chunk: { stream: string; bytes: number }) => void } = {}): Promise<Ran> {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'output-pipeline-'));
  const text = `- [ ] Output\n  \`\`\`bash\n${code.split('\n').map((l) => `  ${l}`).join('\n')}\n  \`\`\`\n`;
  const runbook = parseRunbook(text, { file: 'out.md' });
  const plan = planRun(runbook, targetSet(runbook, null), { profile: 'restricted' });
  const ctx = { baseDir: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, ask: async () => null, confirm: async () => false };
  const fromExecutor = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const events: Ran['events'] = [];
  // The local executor, with each chunk it reports seen on its way into the session.
  const executors = {
    pool: new ExecutorPool(ctx, (name, target) => createLocalExecutor(name, target as never, ctx)),
    executorFor(binding: Binding): Executor {
      const real = this.pool.executorFor(binding);
      return {
        ...real,
        kind: real.kind,
        name: real.name,
        start: (request: ExecutionRequest) =>
          real.start({
            ...request,
            onOutput: (chunk) => {
              const bytes = Buffer.from(chunk.bytes ?? Buffer.from(chunk.data));
              if (chunk.stream !== 'info') fromExecutor[chunk.stream].push(bytes);
              options.tap?.({ stream: chunk.stream, bytes: bytes.length });
              return request.onOutput(chunk);
            },
          }),
      };
    },
  };
  const session = new RunSession({
    runbook,
    profile: 'standard',
    verdicts: await blockVerdicts(runbook, plan),
    plan,
    variables: { values: new Map(), secretValues: new Set(), sources: new Map(), missing: [] },
    executors,
    outputDir: path.join(dir, 'output'),
    ...(options.io ? { outputIo: options.io } : {}),
    keepGoing: false,
    confirmProtected: async () => false,
    onEvent: (event) => {
      if (event.type !== 'output') return;
      events.push(event);
      return options.onOutput?.(event);
    },
  });
  const summary = await session.run();
  const outcome = summary.steps[0]?.blocks[0];
  if (!outcome) throw new Error(`the block did not run: ${JSON.stringify(summary)}`);
  return { outcome, events, fromExecutor };
}

/** node:fs, counting the writes to each file the recorder opens. */
function countingIo(): OutputIo & { writes: Map<string, number> } {
  const files = new Map<number, string>();
  const writes = new Map<string, number>();
  return {
    writes,
    openSync: (file, flags, mode) => {
      const fd = fs.openSync(file, flags, mode);
      files.set(fd, path.basename(file));
      return fd;
    },
    writeSync: (fd, buffer, offset, length) => {
      const name = files.get(fd) ?? String(fd);
      writes.set(name, (writes.get(name) ?? 0) + 1);
      return fs.writeSync(fd, buffer, offset, length);
    },
    fsyncSync: (fd) => fs.fsyncSync(fd),
  };
}

describe('block output through the session', () => {
  it('is written in chunks: a few writes for 200,000 lines, not one per line', async () => {
    const io = countingIo();
    const ran = await runBlock('seq 1 200000', { io });
    const expected = Buffer.from(`${Array.from({ length: 200_000 }, (_, i) => i + 1).join('\n')}\n`);
    expect(ran.outcome.result.status).toBe('succeeded');
    expect(fs.readFileSync(ran.outcome.output.file)).toEqual(expected);
    const dataWrites = io.writes.get(path.basename(ran.outcome.output.file)) ?? 0;
    // One write per chunk the pipe delivered; the chunks hold thousands of lines each.
    expect(dataWrites).toBeGreaterThan(0);
    expect(dataWrites).toBeLessThanOrEqual(ran.fromExecutor.stdout.length);
    expect(dataWrites).toBeLessThan(200_000 / 100);
    // The index has one line per chunk, written with it.
    expect(io.writes.get(path.basename(ran.outcome.output.indexFile))).toBe(dataWrites);
  });

  it('keeps the exact bytes: NUL, CR, invalid UTF-8, a character cut between reads, no newline at the end', async () => {
    // printf's octal escapes: the bytes are exactly these, whatever the locale.
    const stdout = Buffer.concat([
      Buffer.from('plain line\ncarriage\rreturn\r\nnul\0byte\n'),
      Buffer.from([0xff, 0xfe, 0x41, 0xc3, 0x28, 0x0a]), // invalid UTF-8
      Buffer.from('€ split: '),
      Buffer.from([0xe2, 0x82]),
      Buffer.from([0xac]),
      Buffer.from('\nlast line without newline'),
    ]);
    const stderr = Buffer.from([0x65, 0x72, 0x72, 0x00, 0xff, 0x0d]);
    const octal = (b: Buffer) => [...b].map((x) => `\\${x.toString(8).padStart(3, '0')}`).join('');
    // The character is cut between two writes (and so two reads): the first half, a pause, the rest.
    const cut = stdout.indexOf(Buffer.from([0xe2, 0x82]));
    const code = [`printf '${octal(stdout.subarray(0, cut + 2))}'`, 'sleep 0.2', `printf '${octal(stdout.subarray(cut + 2))}'`, `printf '${octal(stderr)}' >&2`].join('\n');
    const ran = await runBlock(code);
    expect(ran.outcome.result.status).toBe('succeeded');
    const kept = fs.readFileSync(ran.outcome.output.file);
    expect(kept.length).toBe(stdout.length + stderr.length);
    expect(ran.outcome.output.bytes).toBe(kept.length);
    expect(ran.outcome.output.sha256).toBe(sha256(kept));
    expect(ran.outcome.output.streams.stdout).toEqual({ bytes: stdout.length, sha256: sha256(stdout) });
    expect(ran.outcome.output.streams.stderr).toEqual({ bytes: stderr.length, sha256: sha256(stderr) });
    // The listeners got the same bytes, and their text as UTF-8 reads them.
    const heard = (stream: string) => Buffer.concat(ran.events.filter((e) => e.chunk.stream === stream).map((e) => Buffer.from(e.chunk.bytes)));
    expect(heard('stdout')).toEqual(stdout);
    expect(heard('stderr')).toEqual(stderr);
    const shown = ran.events.filter((e) => e.chunk.stream === 'stdout').map((e) => e.chunk.data).join('');
    expect(shown).toBe(new TextDecoder().decode(stdout));
    expect(shown).toContain('€ split: €\n');
  });

  it('one stream only: its hash is the whole output\'s; two streams: each its own', async () => {
    const one = await runBlock('echo only stdout');
    expect(one.outcome.output.streams.stdout.sha256).toBe(one.outcome.output.sha256);
    expect(one.outcome.output.streams.stderr).toEqual({ bytes: 0, sha256: sha256(Buffer.alloc(0)) });
    const two = await runBlock('echo out; echo err >&2; echo out2');
    const kept = fs.readFileSync(two.outcome.output.file);
    expect(two.outcome.output.sha256).toBe(sha256(kept));
    expect(two.outcome.output.streams.stdout).toEqual({ bytes: 9, sha256: sha256(Buffer.from('out\nout2\n')) });
    expect(two.outcome.output.streams.stderr).toEqual({ bytes: 4, sha256: sha256(Buffer.from('err\n')) });
  });

  it('pauses the process while a listener is behind, and loses nothing', async () => {
    const bytes = 16 * 1024 * 1024;
    let consumed = 0;
    let pending = 0;
    let mostPending = 0;
    let biggest = 0;
    const ran = await runBlock(`head -c ${bytes} /dev/zero | tr '\\0' x`, {
      tap: ({ bytes: n }) => {
        biggest = Math.max(biggest, n);
        mostPending = Math.max(mostPending, ++pending);
      },
      // A slow terminal: each chunk takes a timer's turn (meanwhile the event loop would read on).
      onOutput: (event) =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            consumed += event.chunk.bytes.length;
            pending--;
            resolve();
          }, 5),
        ),
    });
    // Never a chunk handed over while the listener still had one: the pipe was not read meanwhile (without
    // backpressure dozens arrive while the first is pending). A chunk is what the stream held when it was
    // read: at most its buffer (64 KiB) and one read of the pipe (64 KiB).
    expect(mostPending).toBe(1);
    expect(biggest).toBeLessThanOrEqual(128 * 1024);
    expect(ran.outcome.result.status).toBe('succeeded');
    expect(ran.outcome.output.bytes).toBe(bytes);
    expect(ran.outcome.output.sha256).toBe(sha256(Buffer.alloc(bytes, 'x')));
    // The block ended only once the listener had taken the last chunk.
    expect(consumed).toBe(bytes);
  });
});
