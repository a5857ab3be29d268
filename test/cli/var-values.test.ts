import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVarOptions } from '../../src/cli/var-values.js';

const dir = mkdtempSync(path.join(tmpdir(), 'var-values-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** Real file reads; stdin is a given text, and how often it was read is counted. */
function io(stdin = '') {
  const calls = { stdin: 0 };
  return {
    calls,
    io: {
      readFile: (p: string) => readFile(p, 'utf8'),
      readStdin: async () => {
        calls.stdin++;
        return stdin;
      },
    },
  };
}

describe('--var values', () => {
  it('reads NAME=VALUE as given, the value possibly holding "=" and spaces', async () => {
    const { values, warnings } = await readVarOptions(['WHO=world', 'Q=a=b c', 'EMPTY='], io().io);
    expect(values).toEqual(new Map([['WHO', 'world'], ['Q', 'a=b c'], ['EMPTY', '']]));
    expect(warnings).toEqual([]);
  });

  it('warns when a secret-looking variable is given as a plain value, without repeating the value', async () => {
    const { values, warnings } = await readVarOptions(['DB_PASSWORD=x-canary-value', 'API_TOKEN=t', 'WHO=world'], io().io);
    expect(values.get('DB_PASSWORD')).toBe('x-canary-value');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/--var DB_PASSWORD: .*DB_PASSWORD=@FILE or DB_PASSWORD=-/);
    expect(warnings[1]).toMatch(/--var API_TOKEN/);
    expect(warnings.join('\n')).not.toContain('x-canary-value');
  });

  it('reads NAME=@FILE from the file, one trailing newline stripped, without a warning', async () => {
    const secret = file('pw', 'file-canary\n');
    const crlf = file('pw-crlf', 'crlf-canary\r\n');
    const two = file('two', 'kept\n\n');
    const { values, warnings } = await readVarOptions([`DB_PASSWORD=@${secret}`, `OTHER_PASSWORD=@${crlf}`, `NOTE=@${two}`], io().io);
    expect(values).toEqual(new Map([['DB_PASSWORD', 'file-canary'], ['OTHER_PASSWORD', 'crlf-canary'], ['NOTE', 'kept\n']]));
    expect(warnings).toEqual([]);
  });

  it('reads NAME=- from standard input, once, without a warning', async () => {
    const { io: withStdin, calls } = io('stdin-canary\n');
    const { values, warnings } = await readVarOptions(['DB_PASSWORD=-', 'WHO=world'], withStdin);
    expect(values.get('DB_PASSWORD')).toBe('stdin-canary');
    expect(warnings).toEqual([]);
    expect(calls.stdin).toBe(1);
  });

  it('refuses a second NAME=- (standard input is read once)', async () => {
    const { io: withStdin, calls } = io('x');
    await expect(readVarOptions(['A_PASSWORD=-', 'B_PASSWORD=-'], withStdin)).rejects.toThrow(/--var B_PASSWORD=-: standard input is already read for A_PASSWORD/);
    expect(calls.stdin).toBe(1);
  });

  it('takes NAME=@@TEXT as the literal value "@TEXT"', async () => {
    const { values } = await readVarOptions(['HANDLE=@@ops-team'], io().io);
    expect(values.get('HANDLE')).toBe('@ops-team');
  });

  it('names the file it cannot read, never its contents', async () => {
    await expect(readVarOptions([`DB_PASSWORD=@${path.join(dir, 'missing')}`], io().io)).rejects.toThrow(`--var DB_PASSWORD=@${path.join(dir, 'missing')}: no such file`);
    await expect(readVarOptions([`DB_PASSWORD=@${dir}`], io().io)).rejects.toThrow(/is a directory/);
    await expect(readVarOptions(['DB_PASSWORD=@'], io().io)).rejects.toThrow(/name the file/);
  });

  it('refuses malformed options and a name given twice, without echoing a value', async () => {
    await expect(readVarOptions(['NOVALUE'], io().io)).rejects.toThrow(/--var NOVALUE: expected NAME=VALUE/);
    await expect(readVarOptions(['=x'], io().io)).rejects.toThrow(/expected NAME=VALUE/);
    await expect(readVarOptions(['1X=secret-canary'], io().io)).rejects.toThrow(/--var 1X=…: expected/);
    await expect(readVarOptions(['1X=secret-canary'], io().io)).rejects.not.toThrow(/secret-canary/);
    await expect(readVarOptions(['A=1', 'A=2'], io().io)).rejects.toThrow(/--var A: given more than once/);
  });

  it('uses the caller\'s notion of secret when given (a runbook declaring `secret: true`)', async () => {
    const { warnings } = await readVarOptions(['CHANGE_TICKET=CHG-1', 'RELEASE=r1'], io().io, { isSecret: (name) => name === 'RELEASE' });
    expect(warnings).toEqual([expect.stringMatching(/--var RELEASE/)]);
  });
});
