// Random values (full unicode, quotes, $, backslashes, newlines, backticks, NUL …) pushed through every
// context on local bash: the value arrives literally or the step is refused — nothing else ever runs.
// The same for kubectl lines: one argv word holding the value, or a refusal.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareArgv, prepareShell } from '../../src/main/session/shell-values.js';
import { parseKubectlLines } from '../../src/main/targets/kubernetes/kubectl-lines.js';
import { createLocalExecutor } from '../../src/main/targets/local/executor.js';
import { CONTEXTS, flagRefused, valueArbitrary } from './shell-values.contexts.js';

const dir = mkdtempSync(path.join(tmpdir(), 'shell-values-prop-'));
const CANARY = path.join(dir, 'CANARY');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const local = createLocalExecutor('local', { kind: 'local', cwd: dir }, {
  baseDir: dir,
  env: {},
  ask: async () => null,
  confirm: async () => false,
  stepEnv: () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' }),
});

async function run(code: string, env: Record<string, string>): Promise<string> {
  let stdout = '';
  await local.start({ blockId: 'b', action: 'shell', code, env, onOutput: (c) => void (c.stream === 'stdout' && (stdout += c.data)) }).result;
  return stdout;
}

describe('prepareShell on local bash, random values', () => {
  it('every context: the value arrives literally or the step is refused; the canary never exists', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CONTEXTS), valueArbitrary(CANARY), async (context, value) => {
        const prepared = await prepareShell(context.code, new Map([['X', value]]));
        if (prepared.problems.length > 0) {
          expect(prepared.problems.every((p) => p.variable === 'X')).toBe(true);
          // Refused only where the context is refused, or where the value cannot travel at all.
          const codes = prepared.problems.map((p) => p.code);
          if (!flagRefused(value, codes)) expect(context.refused ? codes.includes(context.refused) : codes.every((c) => c === 'unrepresentable')).toBe(true);
        } else {
          expect(await run(prepared.code, prepared.env)).toBe(context.prints?.(value));
        }
        expect(existsSync(CANARY)).toBe(false);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('an integer always passes through arithmetic', async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), async (n) => {
        const prepared = await prepareShell('echo $(( <N> )) $(( N ))', new Map([['N', String(n)]]));
        expect(prepared.problems).toEqual([]);
        expect(await run(prepared.code, prepared.env)).toBe(`${n} ${n}\n`);
      }),
      { numRuns: 30 },
    );
  });
});

describe('prepareArgv, random values', () => {
  it('a value is one kubectl argv word byte for byte, or refused as a flag (or unrepresentable)', async () => {
    await fc.assert(
      fc.asyncProperty(valueArbitrary(CANARY), async (value) => {
        const prepared = await prepareArgv('kubectl get pod <X> -n "<X>" --selector=app=<X>', new Map([['X', value]]));
        expect(prepared.env).toEqual({});
        if (prepared.problems.length > 0) {
          const codes = new Set(prepared.problems.map((p) => p.code));
          expect(value.startsWith('-') ? codes.has('flag') : codes.has('unrepresentable')).toBe(true);
          return;
        }
        const parsed = parseKubectlLines(prepared.code);
        expect(parsed.ok && parsed.lines.map((l) => l.args)).toEqual([['get', 'pod', value, '-n', value, `--selector=app=${value}`]]);
      }),
      { numRuns: 300 },
    );
  });
});
