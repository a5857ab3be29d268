// Keeps the memory of a large parse near what it holds (issue 12: peak RSS at most 4 × the file + 200 MB).
//
// What a parse holds is small: the text, its line offsets and the model (kept compact by compact.ts). What
// made a 20 MB runbook peak at 550 MB (bench/parse.mjs, before this) was garbage. micromark allocates
// about 2 KB for every character it reads, and its objects live until the chunk they belong to is parsed;
// V8 sees them survive a scavenge, promotes them and, from the allocation sites whose objects survive
// ("pretenuring"), allocates every later one in the old generation directly: gigabytes of old-space garbage
// over one parse. With old space filling that fast, V8 lets the heap grow to up to four times what is live
// before it collects.
//
// So, while a large text is parsed (HeapBudget.start … release):
//   - allocation-site pretenuring is off (--no-allocation-site-pretenuring): micromark's objects die young,
//     in the young generation, as they were meant to;
//   - after each chunk, when the heap in use has grown past a budget (what was live besides the text when the
//     parse began, 4 bytes a character of the text, the text itself among them, and 40 MiB), a full
//     collection runs (about 10–20 of them for 20 MB, a few seconds in all). When what is live is itself
//     near the budget, the next one waits until the heap is half as large again, so collections stay few
//     whatever the text (the goal is then missed, and the benchmark says so).
// Both go through V8's flags (v8.setFlagsFromString; `gc` is taken from a fresh context, with --expose-gc on
// only for that moment), which node reads as the program runs. Electron's main process is left alone
// (whether its V8 takes flags after start is not something to find out there), and so are texts under
// 1 MiB: their garbage never comes near what the goal allows.
import v8 from 'node:v8';
import vm from 'node:vm';

/** Texts shorter than this are parsed without a budget. */
export const BUDGET_MIN_CHARS = 1024 * 1024;
const MiB = 1024 * 1024;
const PER_CHAR = 4;
const EXTRA = 40 * MiB;

type Collect = () => void;

let collectFn: Collect | null | undefined;
let pretenuringOff = 0;
/** Whether pretenuring was off when the process started: then it is never turned on here. */
const pretenuringOffAtStart = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => /^--no[-_]allocation[-_]site[-_]pretenuring$/.test(a));

function flagsUsable(): boolean {
  return process.versions.electron === undefined;
}

/** A function that runs a full collection: node's `gc` when exposed, else one taken from a fresh context. */
function collector(): Collect | null {
  if (collectFn !== undefined) return collectFn;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return (collectFn = exposed as Collect);
  collectFn = null;
  if (!flagsUsable()) return collectFn;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn: unknown = vm.runInNewContext('gc');
    if (typeof fn === 'function') collectFn = fn as Collect;
  } catch {
    collectFn = null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return collectFn;
}

/** What the text takes on the heap: one byte a character, two when one character is past Latin-1. */
function textHeapBytes(text: string): number {
  const oneByte = (v8 as { isStringOneByteRepresentation?: (s: string) => boolean }).isStringOneByteRepresentation;
  return text.length * ((oneByte ? oneByte(text) : !/[^\u0000-\u00ff]/.test(text)) ? 1 : 2);
}

function heapUsed(): number {
  return v8.getHeapStatistics().used_heap_size;
}

export class HeapBudget {
  private limit: number;
  private released = false;
  /** Full collections `check` has run so far (the tests read it). */
  collections = 0;

  private constructor(
    private readonly budget: number,
    private readonly collect: Collect,
  ) {
    this.limit = budget;
    if (pretenuringOff++ === 0 && !pretenuringOffAtStart) v8.setFlagsFromString('--no-allocation-site-pretenuring');
  }

  /** A budget for parsing `text`, or null when the text is small or the process is not one to tune. */
  static start(text: string): HeapBudget | null {
    if (text.length < BUDGET_MIN_CHARS || !flagsUsable()) return null;
    const collect = collector();
    if (!collect) return null;
    // What is live besides the text, measured once; the text counts in the bytes a character is allowed.
    collect();
    const before = Math.max(0, heapUsed() - textHeapBytes(text));
    return new HeapBudget(before + PER_CHAR * text.length + EXTRA, collect);
  }

  /** Collects when the heap in use is past the limit (call between chunks: nothing of a chunk is held then). */
  check(): void {
    if (this.released || heapUsed() <= this.limit) return;
    this.collect();
    this.collections++;
    const live = heapUsed();
    this.limit = Math.max(this.budget, live + Math.max(32 * MiB, live / 2));
  }

  /** Ends the budget: pretenuring is back on once no parse holds a budget. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (--pretenuringOff === 0 && !pretenuringOffAtStart) v8.setFlagsFromString('--allocation-site-pretenuring');
  }
}
