// What an apply would change: the live object against the server's dry-run result, both as YAML with
// sorted keys and without the fields the server rewrites on every write (managedFields, resourceVersion,
// generation, uid, creationTimestamp), as a unified diff with three lines of context.
import { stringify } from 'yaml';
import type { KubeObject } from './command-env.js';

const VOLATILE_METADATA = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp'];

export function normalizeForDiff(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  if (copy.metadata) for (const field of VOLATILE_METADATA) delete copy.metadata[field];
  return copy;
}

export function diffText(obj: KubeObject | null): string {
  return obj ? stringify(normalizeForDiff(obj), { sortMapEntries: true, indentSeq: false, lineWidth: 0 }) : '';
}

type Op = { kind: ' ' | '-' | '+'; text: string };

/** Beyond this many differing lines Myers' trace gets large; such diffs are shown as a full replacement. */
const MAX_EDIT_DISTANCE = 2000;

/** Myers' O((N+M)D) shortest edit script. */
function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number)) ? (v[offset + k + 1] as number) : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    v = next;
  }
  if (found < 0) return [...a.map((text) => ({ kind: '-' as const, text })), ...b.map((text) => ({ kind: '+' as const, text }))];
  // Walk the trace back from (n, m) to (0, 0).
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (prev[offset + k - 1] as number) < (prev[offset + k + 1] as number));
    const prevK = down ? k + 1 : k - 1;
    const prevX = prev[offset + prevK] as number;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', text: a[--x] as string });
      y--;
    }
    if (down) ops.push({ kind: '+', text: b[--y] as string });
    else ops.push({ kind: '-', text: a[--x] as string });
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: ' ', text: a[--x] as string });
    y--;
  }
  return ops.reverse();
}

function lines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

export interface Diff {
  text: string;
  added: number;
  removed: number;
}

/** A unified diff of two texts; empty text when they are equal. */
export function unifiedDiff(oldText: string, newText: string, oldLabel: string, newLabel: string, context = 3): Diff {
  const a = lines(oldText);
  const b = lines(newText);
  const ops = editScript(a, b);
  const added = ops.filter((o) => o.kind === '+').length;
  const removed = ops.filter((o) => o.kind === '-').length;
  if (added === 0 && removed === 0) return { text: '', added, removed };
  const out = [`--- ${oldLabel}`, `+++ ${newLabel}`];
  // Positions (in ops) of changes; hunks are changes plus context, merged when their context overlaps.
  const changed = ops.map((o, i) => (o.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  let i = 0;
  while (i < changed.length) {
    const start = Math.max(0, (changed[i] as number) - context);
    let end = (changed[i] as number) + context;
    while (i + 1 < changed.length && (changed[i + 1] as number) - context <= end + 1) end = (changed[++i] as number) + context;
    end = Math.min(ops.length - 1, end);
    i++;
    let oldStart = 1;
    let newStart = 1;
    for (let j = 0; j < start; j++) {
      if ((ops[j] as Op).kind !== '+') oldStart++;
      if ((ops[j] as Op).kind !== '-') newStart++;
    }
    const hunk = ops.slice(start, end + 1);
    const oldCount = hunk.filter((o) => o.kind !== '+').length;
    const newCount = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.text}`);
  }
  return { text: `${out.join('\n')}\n`, added, removed };
}
