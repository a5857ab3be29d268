// Shipping a run's records to the team store. The local journal stays the primary copy: a record is shipped
// only once it is durable there, in order, and a store that is away costs nothing but lag — the run goes
// on and the backlog follows when the store is back. `pushRun` ships a run made offline (or the tail a
// run could not ship) from its journal file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { JOURNAL_FILE, wholeLines } from '../audit/record.js';
import { BlobMissing, blobsNamed, shipBlob } from './blobs.js';
import { cutConnection as cut } from './connect.js';
import { BATCH_RECORDS, type LocalRecord, StoreRefusal, firstDifference, insertRecords, storedRecords } from './records.js';

export class StoreDiverged extends Error {
  constructor(
    readonly seq: number,
    message: string,
  ) {
    super(message);
  }
}

/** The records of the journal in `dir`, one line each (record.ts wholeLines: a torn tail is left out). */
export function journalLines(dir: string): string[] {
  return wholeLines(readFileSync(path.join(dir, JOURNAL_FILE)));
}

function runIdOf(lines: readonly string[], dir: string): string {
  const first = lines[0];
  if (first === undefined) throw new Error(`${dir}: the journal has no records`);
  let run: unknown;
  try {
    run = (JSON.parse(first) as { run?: unknown }).run;
  } catch (error) {
    throw new Error(`${dir}: the journal's first record is not JSON (${(error as Error).message})`);
  }
  if (typeof run !== 'string') throw new Error(`${dir}: the journal's first record names no run`);
  return run;
}

/**
 * Checks that what the store holds of the run is the start of `local`; throws StoreDiverged naming the first
 * record that differs. Returns how many records the store holds.
 */
export async function checkStoredPrefix(client: pg.Client, runId: string, local: readonly string[]): Promise<number> {
  const stored = await storedRecords(client, runId);
  const at = firstDifference(stored, local);
  if (at !== null) throw new StoreDiverged(at, `the store's record ${at} of run ${runId} differs from the local journal's: one of the two was rewritten`);
  if (stored.length > local.length) {
    throw new StoreDiverged(local.length, `the store holds ${stored.length} records of run ${runId}, the local journal ${local.length}: the local journal lost its tail, or is another copy`);
  }
  return stored.length;
}

export interface PushResult {
  runId: string;
  /** Records the store held before. */
  already: number;
  shipped: number;
  total: number;
  /** Blobs (files the records name) the store now holds whole. */
  blobs: number;
}

/** Ships the records of the run in `dir` that the store does not hold yet, after checking those it does. */
export async function pushRun(client: pg.Client, dir: string): Promise<PushResult> {
  const lines = journalLines(dir);
  const runId = runIdOf(lines, dir);
  const already = await checkStoredPrefix(client, runId, lines);
  for (let from = already; from < lines.length; from += BATCH_RECORDS) {
    const batch = lines.slice(from, from + BATCH_RECORDS).map((line, i) => ({ seq: from + i, line }));
    await insertRecords(client, runId, batch);
  }
  // Then the files the records name, each checked for what the store already holds of it.
  const blobs = new Set(lines.flatMap(blobsNamed).map((b) => b.sha256));
  for (const sha of blobs) while (!(await shipBlob(client, runId, dir, sha, 16))) {}
  return { runId, already, shipped: lines.length - already, total: lines.length, blobs: blobs.size };
}

export interface ShipperStatus {
  /** Records durable in the local journal. */
  local: number;
  /** Records the store acknowledged. */
  shipped: number;
  /** local − shipped. */
  lag: number;
  /** Blobs (files the shipped records name) not yet whole in the store. */
  blobs: number;
  /** Why the last attempt failed (the store unreachable, a login refused…), or null. */
  problem: string | null;
  /** Shipping stopped for good, and why: the store and the journal disagree, or the store will not take the run. */
  diverged: string | null;
}

export interface ShipperOptions {
  connect: () => Promise<pg.Client>;
  /** Waits between attempts while the store cannot be reached (ms), the last repeated. */
  retryMs?: readonly number[];
  /** Told when shipping moves on (a batch stored), starts failing, recovers, or stops for good. */
  onChange?: (status: ShipperStatus) => void;
  /** EXCHANGE_DEADLINE_MS, for tests. */
  deadlineMs?: number;
}

const DEFAULT_RETRY_MS = [500, 1000, 2000, 5000, 10_000, 30_000];
/**
 * How long one exchange with the store may take before its connection is cut and tried again: a store that
 * stops answering without closing (a network that drops packets, a lock held by someone else) must not hold
 * a run, or the command at its end, for the OS's keepalive hours.
 */
export const EXCHANGE_DEADLINE_MS = 20_000;


/**
 * Ships one live run. `durable` is called with each record once the journal has flushed it (JournalWriter's
 * onDurable); shipping happens in the background, in order, in batches. While the store cannot be reached
 * it tries again, waiting longer each time; the lag says how far behind it is.
 */
export class StoreShipper {
  private readonly pending: LocalRecord[] = [];
  private local = 0;
  /** Records the store acknowledged (-1: not asked yet). */
  private shipped = -1;
  /** The store refused something: what it holds is read again and compared before the next batch. */
  private recheck = false;
  private client: pg.Client | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private problem: string | null = null;
  private diverged: string | null = null;
  private wake: (() => void) | null = null;
  /** Waiters, each with whether it waits for the blobs too (the store gate waits for records only). */
  private readonly waiters = new Map<() => void, boolean>();
  /** Blobs named by shipped records, not yet whole in the store, in order. */
  private readonly blobQueue: string[] = [];
  private readonly blobsSeen = new Set<string>();

  constructor(
    readonly runId: string,
    private readonly dir: string,
    private readonly options: ShipperOptions,
  ) {}

  status(): ShipperStatus {
    const shipped = Math.max(0, this.shipped);
    return { local: this.local, shipped, lag: this.local - shipped, blobs: this.blobQueue.length, problem: this.problem, diverged: this.diverged };
  }

  /**
   * The journal holds `count` records already (a resumed run): those the store lacks are read from the
   * journal file and shipped like the rest.
   */
  known(count: number): void {
    if (this.stopped || count <= this.local) return;
    this.local = count;
    this.kick();
  }

  /** Records now durable in the local journal (consecutive, in order). */
  durable(records: readonly LocalRecord[]): void {
    if (records.length === 0 || this.stopped) return;
    this.pending.push(...records);
    this.local = Math.max(this.local, (records.at(-1) as LocalRecord).seq + 1);
    this.kick();
  }

  /**
   * Resolves once every record durable so far is shipped (and, with `blobs`, every file they name), shipping
   * stopped for good, or `timeoutMs` passed.
   */
  async flush(timeoutMs: number, options: { blobs?: boolean } = {}): Promise<ShipperStatus> {
    const blobs = options.blobs ?? false;
    if (this.settled(blobs)) return this.status();
    this.kick();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.set(done, blobs);
    });
    return this.status();
  }

  /** Ships what it can within `timeoutMs`, then stops for good and closes the connection (cut, if it hangs). */
  async close(timeoutMs: number): Promise<ShipperStatus> {
    const status = await this.flush(timeoutMs, { blobs: true });
    this.stopped = true;
    this.wake?.();
    const running = this.running;
    if (running) {
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([running.then(() => false, () => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 1000)))]);
      clearTimeout(timer);
      if (late) {
        cut(this.client, 'the run has ended and the store does not answer');
        // A connection still being made is not waited for either: it ends on its own, unused.
        await Promise.race([running.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      }
    }
    const client = this.client;
    this.client = null;
    if (client) await Promise.race([client.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    cut(client, 'closed');
    return status;
  }

  private settled(blobs = true): boolean {
    return this.diverged !== null || (this.status().lag === 0 && (!blobs || this.blobQueue.length === 0));
  }

  private kick(): void {
    // A new record does not cut a wait short: a store that is away is asked again on its own schedule.
    this.running ??= this.loop().finally(() => {
      this.running = null;
      this.notify();
      if (!this.stopped && !this.settled(true)) this.kick();
    });
  }

  private notify(): void {
    for (const [done, blobs] of [...this.waiters]) if (this.settled(blobs)) done();
  }

  private change(problem: string | null): void {
    if (problem === this.problem) return;
    this.problem = problem;
    this.options.onChange?.(this.status());
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    const retry = this.options.retryMs ?? DEFAULT_RETRY_MS;
    const wait = async () => {
      // Closing does not wait out a retry: it has its own time limit.
      if (this.stopped) return;
      await this.sleep(retry[Math.min(attempt, retry.length - 1)] as number);
      attempt += 1;
    };
    while (!this.stopped && this.diverged === null) {
      try {
        const client = (this.client ??= await this.connect());
        if (this.stopped) {
          // Closed while it connected: this connection is nobody's to close but ours.
          this.client = null;
          await client.end().catch(() => undefined);
          return;
        }
        const done = await this.withDeadline(client, () => this.shipSome(client));
        attempt = 0;
        this.change(null);
        this.notify();
        if (done) return;
      } catch (error) {
        if (error instanceof StoreDiverged) return this.stop(error.message);
        if (error instanceof StoreRefusal) {
          // A record the store will never take (not this login's run, not a line it can read): stop, and say so.
          if (error.code === 'not-owner' || error.code === 'invalid') return this.stop(`the store refuses this run's records: ${error.message}`);
          // Someone else shipped some of it, or this side lost count: read the store again and compare (after a wait).
          this.recheck = true;
          this.change(`the store refused a record (${error.message}); comparing with the journal`);
          await wait();
          continue;
        }
        const client = this.client;
        this.client = null;
        cut(client, 'dropped after a failed exchange');
        this.change(`the store cannot be reached: ${(error as Error).message}`);
        await wait();
      }
    }
  }

  /** One exchange: learn what the store holds (once), then send the next batch. True when nothing is left. */
  private async shipSome(client: pg.Client): Promise<boolean> {
    if (this.shipped < 0 || this.recheck) {
      const lines = journalLines(this.dir);
      this.shipped = await checkStoredPrefix(client, this.runId, lines);
      this.recheck = false;
      // Records stored before (by an earlier host of this run, or `store push`): their files may not all be there.
      this.queueBlobs(lines.slice(0, this.shipped));
    }
    while (this.pending.length > 0 && (this.pending[0] as LocalRecord).seq < this.shipped) this.pending.shift();
    if (this.pending.length === 0 && this.shipped >= this.local) return this.shipSomeBlob(client);
    if (this.pending.length === 0 || (this.pending[0] as LocalRecord).seq > this.shipped) this.refill();
    if (this.pending.length === 0) return true;
    const batch = this.pending.slice(0, BATCH_RECORDS);
    await insertRecords(client, this.runId, batch);
    this.shipped = (batch.at(-1) as LocalRecord).seq + 1;
    this.pending.splice(0, batch.length);
    this.queueBlobs(batch.map((r) => r.line));
    this.options.onChange?.(this.status());
    return this.pending.length === 0 && this.blobQueue.length === 0;
  }

  private queueBlobs(lines: readonly string[]): void {
    for (const { sha256: sha } of lines.flatMap(blobsNamed)) {
      if (this.blobsSeen.has(sha)) continue;
      this.blobsSeen.add(sha);
      this.blobQueue.push(sha);
    }
  }

  /** Ships some of the first blob waiting (records go first: this runs only once none is waiting). */
  private async shipSomeBlob(client: pg.Client): Promise<boolean> {
    const sha = this.blobQueue[0];
    if (sha === undefined) return true;
    try {
      // One part per exchange: a record that comes meanwhile goes next, ahead of the rest of the file.
      if (!(await shipBlob(client, this.runId, this.dir, sha))) return false;
    } catch (error) {
      // A file the journal names and this machine no longer has cannot be shipped by anyone: said, and passed over.
      if (!(error instanceof BlobMissing)) throw error;
      this.change(error.message);
    }
    this.blobQueue.shift();
    this.options.onChange?.(this.status());
    return this.blobQueue.length === 0;
  }

  /** `fn`'s exchange with the store, its connection cut if it takes longer than EXCHANGE_DEADLINE_MS. */
  private async withDeadline<T>(client: pg.Client, fn: () => Promise<T>): Promise<T> {
    const timer = setTimeout(() => cut(client, `no answer from the store in ${EXCHANGE_DEADLINE_MS / 1000} s`), this.options.deadlineMs ?? EXCHANGE_DEADLINE_MS);
    try {
      return await fn();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Shipping stops for good: the store and the journal disagree, or the store will not take the run. */
  private stop(why: string): void {
    this.diverged = why;
    this.options.onChange?.(this.status());
    this.notify();
  }

  /** The queue is behind what the store holds: take the missing records from the journal file. */
  private refill(): void {
    const lines = journalLines(this.dir);
    const next = this.pending.length > 0 ? (this.pending[0] as LocalRecord).seq : this.local;
    const missing = lines.slice(this.shipped, next).map((line, i) => ({ seq: this.shipped + i, line }));
    this.pending.unshift(...missing);
  }

  private async connect(): Promise<pg.Client> {
    const client = await this.options.connect();
    client.on('error', () => undefined); // a dropped connection fails the next query, which retries
    return client;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
