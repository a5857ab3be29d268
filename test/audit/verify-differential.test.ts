// verify.py and `runbook verify` read record data alike (the record-data check, records/*.ts): the tamper suite's
// untouched journal, its record data mutated at random (types, keys, values; a fixed seed), re-chained, re-MACed,
// re-sealed and its approvals and sign-offs signed again (forge), verified as a run directory by both: the same exit
// status and reason code on every mutation. The mix must hold both verdicts (misfits and journals that verify), or the
// mutations have stopped testing anything.
import { cpSync, existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/main/audit/record.js';
import { HAVE_SSH_KEYGEN } from './ssh-tools.js';
import { type Base, CLI, HAVE_PYTHON, VERIFY_PY, type VerifierOutcome, forge, linesOf, makeBase, pool, runVerifier, verdictOf } from './tamper-suite.js';

const RUNS = 200;
const SEED = 0x5eed_2026;

/** mulberry32: a small PRNG, so that every run of the test makes the same mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const VALUES: Json[] = [null, true, false, 0, 1, -1, 3.5, 2 ** 53, 1e21, '', 'x', '\u0663', 'a'.repeat(64), [], ['x'], {}, { x: 1 }];
const TYPES = ['run.started', 'run.interrupted', 'run.finished', 'run.ended-early', 'step.started', 'step.finished', 'step.skipped', 'step.note', 'fillin', 'decision', 'trust', 'approval', 'signoff', 'checkpoint', 'log.recovered', 'error', 'export', 'verify', 'run.paused'];
const KEYS = ['extra', 'approved_by', 'interrupted', 'recorded_again', 'details', 'failure', 'step', 'change', '__proto__'];

/** Every place in `value` (paths of keys and indexes), the value itself first. */
function places(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const here = [at];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => places(v, [...at, i]))];
  if (value && typeof value === 'object') return [...here, ...Object.keys(value).flatMap((k) => places(value[k] as Json, [...at, k]))];
  return here;
}

const setOwn = (o: Record<string, Json>, k: string, v: Json) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/** One random change at a random place of `data` (a deep copy); what it did, in words. */
function mutate(data: Json, rnd: () => number): { data: Json; what: string } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const root = structuredClone(data);
  const at = pick(places(root));
  if (at.length === 0) return { data: pick(VALUES), what: 'data replaced' };
  const parent = at.slice(0, -1).reduce<any>((v, k) => v[k], root);
  const key = at[at.length - 1] as string | number;
  const old = parent[key] as Json;
  const where = at.join('.');
  const roll = rnd();
  if (roll < 0.35) parent[key] = pick(VALUES.filter((v) => JSON.stringify(v) !== JSON.stringify(old)));
  else if (roll < 0.5 && !Array.isArray(parent)) delete parent[key];
  else if (roll < 0.65 && old && typeof old === 'object' && !Array.isArray(old)) {
    // "__proto__" too, under a z.record as anywhere else (records/fields.ts protoChecked).
    setOwn(old as Record<string, Json>, pick(KEYS), pick(VALUES));
  } else if (roll < 0.8 && typeof old === 'string') parent[key] = pick([`${old}x`, old.toUpperCase(), old.replace(/[0-9]/, '\u0663'), old.slice(1), '']);
  else if (roll < 0.9 && typeof old === 'number') parent[key] = pick([old + 1, -old - 1, old + 0.5, 2 ** 53 - 1, 2 ** 53]);
  else if (Array.isArray(old)) old.push(old.length > 0 ? structuredClone(old[0] as Json) : pick(VALUES));
  else parent[key] = pick(VALUES);
  return { data: root, what: `${where} (${roll.toFixed(2)})` };
}

describe.skipIf(!HAVE_PYTHON || !HAVE_SSH_KEYGEN)(`random record data: verify.py and runbook verify agree (${RUNS} mutations, seed ${SEED})`, () => {
  let root: string;
  const cases: { name: string; py: VerifierOutcome; ts: VerifierOutcome }[] = [];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:node\` first`);
    root = mkdtempSync(path.join(tmpdir(), 'verify-differential-'));
    const base: Base = await makeBase(root);
    const env = { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'no-keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(root, 'no-runs') };
    mkdirSync(env.RUNBOOK_CONSOLE_KEY_DIR);
    const rnd = prng(SEED);
    const total = linesOf(base.bundle).length;
    const jobs: (() => Promise<void>)[] = [];
    for (let n = 0; n < RUNS; n++) {
      const dir = path.join(root, 'mutations', String(n));
      cpSync(base.bundle, dir, { recursive: true });
      // A run directory (no SHA256SUMS): the journal decides, not a report made before the mutation.
      rmSync(path.join(dir, 'SHA256SUMS'));
      rmSync(path.join(dir, 'SHA256SUMS.sig'));
      const said: string[] = [];
      const count = 1 + Math.floor(rnd() * 2);
      const targets = new Map<number, number>();
      for (let m = 0; m < count; m++) {
        const i = Math.floor(rnd() * total);
        targets.set(i, (targets.get(i) ?? 0) + 1);
      }
      const retype = rnd() < 0.08 ? Math.floor(rnd() * total) : -1;
      const newType = TYPES[Math.floor(rnd() * TYPES.length)] as JournalRecord['type'];
      forge(base, dir, {
        resign: (b) => ({ approver: b.keys.bob, signer: b.keys.carol }),
        edit: (records) => records.map((r, i) => (i === retype ? (said.push(`record ${i} type → ${newType}`), { ...r, type: newType }) : r)),
        data: (record, hashes) => {
          const i = hashes.length;
          let data = record.data as Json;
          for (let k = 0; k < (targets.get(i) ?? 0); k++) {
            const m = mutate(data, rnd);
            data = m.data;
            said.push(`record ${i} (${record.type}): ${m.what}`);
          }
          return data as Record<string, unknown>;
        },
      });
      const name = `#${n}: ${said.join('; ')}`;
      jobs.push(async () => {
        const py = await runVerifier('python3', [VERIFY_PY, dir], env);
        const ts = await runVerifier(process.execPath, [CLI, 'verify', dir], env);
        cases.push({ name, py, ts });
      });
    }
    await pool(jobs, Math.max(2, Math.min(8, cpus().length)));
  }, 600_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const out = (o: VerifierOutcome) => o.stdout + o.stderr;

  it('both give the same exit status and reason code on every mutation', () => {
    expect(cases).toHaveLength(RUNS);
    const differ = cases.filter((c) => verdictOf(c.py) !== verdictOf(c.ts)).map((c) => `${c.name}\n  verify.py: ${out(c.py).trim().split('\n').at(-1)}\n  runbook verify: ${out(c.ts).trim().split('\n').at(-1)}`);
    expect(differ, differ.join('\n')).toEqual([]);
    for (const c of cases) expect(out(c.py), c.name).not.toMatch(/Traceback|^\s+File "/m);
  });

  it('the mutations reach both verdicts: records that do not fit, and journals that still verify', () => {
    const verdicts = new Map<string | number | null, number>();
    for (const c of cases) verdicts.set(verdictOf(c.ts), (verdicts.get(verdictOf(c.ts)) ?? 0) + 1);
    expect(verdicts.get('E_RECORD_DATA') ?? 0, JSON.stringify([...verdicts])).toBeGreaterThanOrEqual(RUNS / 4);
    expect(verdicts.get(3) ?? 0, JSON.stringify([...verdicts])).toBeGreaterThanOrEqual(5);
  });
});
