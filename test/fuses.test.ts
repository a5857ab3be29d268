// The electron-builder afterPack hook flips exactly the fuses we want, on the executable electron-builder made.
import path from 'node:path';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { describe, expect, it } from 'vitest';
import { type FusesPackContext, afterPack, applyFuses } from '../scripts/fuses.mjs';
import { REPO_ROOT } from './support/shared.js';
import { readFileSync } from 'node:fs';

const context = (electronPlatformName: string, arch = 1): FusesPackContext => ({
  appOutDir: '/out/app',
  electronPlatformName,
  arch,
  packager: { executableName: 'runbook-console', appInfo: { productFilename: 'Runbook Console' } },
});

const expectedFuses = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

async function flipped(ctx: FusesPackContext) {
  const calls: [string, Record<string, unknown>][] = [];
  await applyFuses(ctx, async (executable, config) => {
    calls.push([executable, config]);
    return 1;
  });
  return calls;
}

describe('fuses afterPack hook', () => {
  it('flips exactly the chosen fuses on the Linux executable', async () => {
    expect(await flipped(context('linux'))).toEqual([
      [path.join('/out/app', 'runbook-console'), { version: FuseVersion.V1, resetAdHocDarwinSignature: false, ...expectedFuses }],
    ]);
  });

  it('finds the Windows executable and the macOS bundle; Apple Silicon gets its ad-hoc signature redone', async () => {
    expect((await flipped(context('win32')))[0]?.[0]).toBe(path.join('/out/app', 'Runbook Console.exe'));
    const [mac] = await flipped(context('darwin', 1));
    expect(mac).toEqual([path.join('/out/app', 'Runbook Console.app'), { version: FuseVersion.V1, resetAdHocDarwinSignature: false, ...expectedFuses }]);
    expect((await flipped(context('darwin', 3)))[0]?.[1]).toMatchObject({ resetAdHocDarwinSignature: true });
    expect((await flipped(context('mas', 4)))[0]?.[1]).toMatchObject({ resetAdHocDarwinSignature: true });
  });

  it('is electron-builder’s afterPack hook, and electron-builder flips no fuses of its own', () => {
    const config = readFileSync(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8');
    expect(config).toMatch(/^afterPack: \.\/scripts\/fuses\.mjs$/m);
    expect(config).not.toMatch(/^electronFuses:/m);
    expect(afterPack).toBeTypeOf('function');
  });

  it('refuses a platform it does not know', async () => {
    await expect(flipped(context('plan9'))).rejects.toThrow('fuses: unknown platform plan9');
  });
});
