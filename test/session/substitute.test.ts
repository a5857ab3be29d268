import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prepareShell } from '../../src/main/session/shell-values.js';
import * as substitute from '../../src/main/session/substitute.js';
import { substituteText } from '../../src/main/session/substitute.js';

const hostile = `a'b "c" $(touch /tmp/pwned) \`id\` ; rm -rf / \\ $HOME`;
const values = new Map([['NAME', hostile], ['<NODE>', hostile], ['TAG', 'v1.2']]);

function bash(code: string, env: Record<string, string> = {}): string {
  return execFileSync('bash', ['-c', code], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
}

describe('shell blocks', () => {
  it('are no longer substituted here: values never get pasted into shell code (see shell-values.test.ts)', async () => {
    expect(Object.keys(substitute)).not.toContain('substituteShell');
    // The former way's own example, now through prepareShell: the value only in the environment.
    for (const template of ['printf %s <NODE>', 'printf %s "<NODE>"', 'printf %s "$NAME"']) {
      const { code, env, problems } = await prepareShell(template, values);
      expect(problems).toEqual([]);
      expect(code).not.toContain('pwned');
      expect(bash(code, env)).toBe(hostile);
    }
    expect((await prepareShell("printf %s '<NODE>'", values)).problems.map((p) => p.code)).toEqual(['single-quoted']);
  });
});

describe('SQL blocks', () => {
  it('are not substituted here either: PostgreSQL\'s grammar decides (see sql-values.test.ts)', () => {
    expect(Object.keys(substitute)).not.toContain('substituteSql');
  });
});

describe('text substitution', () => {
  it('replaces names in manifests and queries', () => {
    expect(substituteText('image: app:${TAG}\nnode: <NODE>', new Map([['TAG', 'v2'], ['NODE', 'n1']]))).toBe('image: app:v2\nnode: n1');
  });
});
