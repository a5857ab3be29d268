// Values are data over SSH too: prepareShell's output run by the real ssh executor against a real sshd
// (test/infra/sshd.ts), which ships the environment as `export NAME='value'` lines on stdin. Every
// context with hostile values, then random ones: the value arrives literally or the step is refused,
// and the canary file (the "remote" host is this machine) never exists.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareShell } from '../../../src/main/session/shell-values.js';
import { createSshExecutor } from '../../../src/main/targets/ssh/executor.js';
import type { Executor } from '../../../src/main/targets/types.js';
import { type SshdHandle, sshdAvailable, startSshd } from '../../infra/sshd.js';
import { CONTEXTS, flagRefused, hostileValues, valueArbitrary } from '../../session/shell-values.contexts.js';

const available = sshdAvailable('the shell-values ssh tests');

describe.skipIf(!available)('prepareShell over a real sshd', () => {
  let sshd: SshdHandle;
  let ssh: Executor;
  let canary: string;

  beforeAll(async () => {
    sshd = await startSshd();
    canary = path.join(sshd.dir, 'CANARY');
    // One executor, and so one connection, for every block.
    ssh = createSshExecutor(
      'web',
      { kind: 'ssh', host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.userKey.path, knownHosts: sshd.knownHosts, sshConfig: sshd.emptySshConfig, agent: false },
      { baseDir: sshd.dir, env: {}, ask: async () => null, confirm: async () => false },
      { homeDir: path.join(sshd.dir, 'no-home') },
    );
  }, 20_000);
  afterAll(async () => {
    await ssh?.close();
    await sshd?.stop();
  });

  async function run(code: string, env: Record<string, string>): Promise<{ stdout: string; status: string }> {
    let stdout = '';
    const result = await ssh.start({ blockId: 'b', action: 'shell', code, env, onOutput: (c) => void (c.stream === 'stdout' && (stdout += c.data)) }).result;
    return { stdout, status: result.status };
  }

  /** Runs one context with one value; returns what happened, for the caller to judge. */
  async function attempt(code: string, value: string): Promise<{ refused: string[] } | { output: { stdout: string; status: string } }> {
    const prepared = await prepareShell(code, new Map([['X', value]]));
    if (prepared.problems.length > 0) {
      expect(new Set(prepared.problems.map((p) => p.variable))).toEqual(new Set(['X']));
      return { refused: prepared.problems.map((p) => p.code) };
    }
    return { output: await run(prepared.code, prepared.env) };
  }

  // A refused block runs nothing and is refused the same for every target (shell-values.test.ts covers
  // that). The accepted contexts are run as one block per value — one SSH round trip — each context's
  // output followed by a separator line.
  const SEPARATOR = '\n=====\n';
  const accepted = CONTEXTS.filter((c) => c.prints);
  const combined = accepted.map((c) => `${c.code}\nprintf '${SEPARATOR.replace(/\n/g, '\\n')}'`).join('\n');

  async function everyContext(value: string): Promise<void> {
    const got = await attempt(combined, value);
    if ('refused' in got) {
      expect(got.refused.every((c) => c === 'unrepresentable') || flagRefused(value, got.refused), JSON.stringify(value)).toBe(true);
      return;
    }
    expect(got.output.stdout, JSON.stringify(value)).toBe(accepted.map((c) => `${c.prints?.(value)}${SEPARATOR}`).join(''));
  }

  it('every accepted context, every hostile value', async () => {
    for (const value of hostileValues(canary)) {
      await everyContext(value);
      expect(existsSync(canary), `${JSON.stringify(value)} ran code`).toBe(false);
    }
  }, 60_000);

  it('random values through every accepted context', async () => {
    await fc.assert(
      fc.asyncProperty(valueArbitrary(canary), async (value) => {
        await everyContext(value);
        expect(existsSync(canary)).toBe(false);
      }),
      { numRuns: 50 },
    );
  }, 60_000);

  it('random values in refused contexts are refused before anything runs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CONTEXTS.filter((c) => c.refused)), valueArbitrary(canary), async (context, value) => {
        const got = await attempt(context.code, value);
        if (!('refused' in got)) {
          // Only an integer gets through arithmetic, and then it is printed as the number it is.
          expect(context.refused).toBe('arithmetic-not-number');
          expect(value).toMatch(/^-?(0|[1-9][0-9]*)$/);
        } else expect(got.refused.includes(context.refused as string) || got.refused.every((c) => c === 'unrepresentable') || flagRefused(value, got.refused)).toBe(true);
        expect(existsSync(canary)).toBe(false);
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('a benign value reaches the remote literally, trailing newline and all', async () => {
    const value = 'line one\n"two" $HOME `x`\n';
    const prepared = await prepareShell(`printf '%s' <X> "<X>" "$(printf '%s.' <X>)"\ncat <<EOF\n<X>\nEOF`, new Map([['X', value]]));
    expect(prepared.problems).toEqual([]);
    expect((await run(prepared.code, prepared.env)).stdout).toBe(`${value}${value}${value}.${value}\n`);
    rmSync(canary, { force: true });
  });
});
