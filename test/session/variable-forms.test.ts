// Every POSIX ${VAR…} form the parser lists is one the engine gives a value to the same way bash would —
// through the environment, decided by the bash parser (shell-values.ts) — or refuses (issue 12, item 6).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { blockVariables } from '../../src/main/runbook/variables.js';
import { prepareShell } from '../../src/main/session/shell-values.js';

const bash = (code: string, env: Record<string, string>) => execFileSync('bash', ['-c', code], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });

describe('shell forms with a value', () => {
  const value = 'releases/app-1.2.tar.gz';
  it.each([
    ['${VAR}', value],
    ['${VAR-x}', value],
    ['${VAR:-x}', value],
    ['${VAR=x}', value],
    ['${VAR:=x}', value],
    ['${VAR+set}', 'set'],
    ['${VAR:+set}', 'set'],
    ['${VAR?}', value],
    ['${VAR:?needed}', value],
    ['${#VAR}', String(value.length)],
    ['${VAR%.tar.gz}', 'releases/app-1.2'],
    ['${VAR%%.*}', 'releases/app-1'],
    ['${VAR#*/}', 'app-1.2.tar.gz'],
    ['${VAR##*.}', 'gz'],
    ['${VAR/app/web}', 'releases/web-1.2.tar.gz'],
    ['${VAR//./_}', 'releases/app-1_2_tar_gz'],
    ['${VAR^^}', value.toUpperCase()],
  ])('"%s" is listed and gets the value through the environment, as bash reads it', async (form, printed) => {
    const code = `printf '%s\\n' "${form}"`;
    const listed = blockVariables(code, 'shell');
    expect([...listed.required, ...listed.optional]).toEqual(['VAR']);
    const prepared = await prepareShell(code, new Map([['VAR', value]]));
    expect(prepared.problems).toEqual([]);
    expect(prepared.env).toEqual({ VAR: value });
    expect(bash(prepared.code, prepared.env)).toBe(`${printed}\n`);
  });

  it('without a value, a default form runs with the code\'s default (nothing is passed)', async () => {
    const code = `printf '%s\\n' "\${VAR:-fallback}" "\${VAR+set}"`;
    const prepared = await prepareShell(code, new Map());
    expect(prepared).toEqual({ code, env: {}, problems: [] });
    expect(bash(prepared.code, prepared.env)).toBe('fallback\n\n');
  });
});

describe('shell forms that cannot take a value safely are refused', () => {
  it.each([
    ['${!VAR}', 'evaluated'],
    ['${VAR@P}', 'evaluated'],
  ])('"%s": %s', async (form, code) => {
    const prepared = await prepareShell(`printf '%s\\n' "${form}"`, new Map([['VAR', 'HOME']]));
    expect(prepared.problems.map((p) => p.code)).toContain(code);
    expect(prepared.env).toEqual({});
  });

  it('a substring offset is arithmetic: a value holding $( ) there is refused, and beside printf (which can decode) any non-integer', async () => {
    const unsafe = await prepareShell(`echo "\${VAR:0:2}"`, new Map([['VAR', 'a[$(id)]']]));
    expect(unsafe.problems.map((p) => p.code)).toContain('arithmetic-unsafe-value');
    const decoded = await prepareShell(`printf '%s\\n' "\${VAR:0:8}"`, new Map([['VAR', 'releases/app.tgz']]));
    expect(decoded.problems.map((p) => p.code)).toEqual(['arithmetic-unsafe-value']);
    // Positive control: with echo, a plain value goes in, and bash cuts it.
    const plain = await prepareShell(`echo "\${VAR:0:8}"`, new Map([['VAR', 'releases/app.tgz']]));
    expect(plain.problems).toEqual([]);
    expect(bash(plain.code, plain.env)).toBe('releases\n');
  });
});
