import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prepareShell } from '../../src/main/session/shell-values.js';
import * as substitute from '../../src/main/session/substitute.js';
import { substituteSql, substituteText } from '../../src/main/session/substitute.js';

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

describe('SQL substitution', () => {
  it('turns variables standing as values into bind parameters, reusing the number for a repeat', () => {
    expect(substituteSql('SELECT * FROM t WHERE a = $NAME AND b = <NODE> OR c = ${NAME}', values)).toEqual({
      code: 'SELECT * FROM t WHERE a = $1 AND b = $2 OR c = $1',
      params: [hostile, hostile],
    });
  });

  it('writes values inside string literals as text with quotes doubled', () => {
    const { code, params } = substituteSql("SELECT 'tag <TAG> of $NAME'", values);
    expect(params).toEqual([]);
    expect(code).toBe(`SELECT 'tag v1.2 of ${hostile.replace(/'/g, "''")}'`);
  });

  it('leaves dollar quoting, comments, bind parameters and unknown names alone', () => {
    const sql = 'DO $$BEGIN PERFORM $NAME; END$$; -- $NAME\nSELECT $1, $UNKNOWN';
    expect(substituteSql(sql, values)).toEqual({ code: sql, params: [] });
  });
});

describe('text substitution', () => {
  it('replaces names in manifests and queries', () => {
    expect(substituteText('image: app:${TAG}\nnode: <NODE>', new Map([['TAG', 'v2'], ['NODE', 'n1']]))).toBe('image: app:v2\nnode: n1');
  });
});
