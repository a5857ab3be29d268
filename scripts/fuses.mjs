// electron-builder `afterPack` hook: flips the Electron fuses of the packaged binary before it is signed.
// Fuses are bits compiled into the Electron binary that turn features off for good, whatever the
// environment or command line says:
//   RunAsNode off                              ELECTRON_RUN_AS_NODE cannot turn the app into a Node runtime
//   EnableNodeOptionsEnvironmentVariable off   NODE_OPTIONS is ignored
//   EnableNodeCliInspectArguments off          --inspect and friends are ignored (no debugger attach)
//   EnableEmbeddedAsarIntegrityValidation on   app.asar is checked against the hash electron-builder embeds
//   OnlyLoadAppFromAsar on                     the app is loaded from app.asar only, never a loose folder
//   EnableCookieEncryption on                  the cookie store is encrypted with the OS key store
//   GrantFileProtocolExtraPrivileges off       file:// gets no extra powers (the app uses app://)
// Read them back from a package with: npx @electron/fuses read --app <path to the executable>
import path from 'node:path';
import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses';

/** The fuse settings, by FuseV1Options name. */
export const FUSES = Object.freeze({
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  EnableCookieEncryption: true,
  GrantFileProtocolExtraPrivileges: false,
});

// electron-builder's Arch enum (builder-util): ia32 0, x64 1, armv7l 2, arm64 3, universal 4.
const ARM64 = 3;
const UNIVERSAL = 4;

/** The executable electron-builder produced in appOutDir (the same rule it uses for its own fuse step). */
export function packagedExecutable(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'linux':
      return path.join(appOutDir, packager.executableName);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    default:
      throw new Error(`fuses: unknown platform ${electronPlatformName}`);
  }
}

/** The configuration handed to flipFuses. Apple Silicon builds need their ad-hoc signature redone after the flip. */
export function fuseConfig(context) {
  const mac = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  const config = { version: FuseVersion.V1, resetAdHocDarwinSignature: mac && (context.arch === ARM64 || context.arch === UNIVERSAL) };
  for (const [name, value] of Object.entries(FUSES)) {
    if (!(name in FuseV1Options)) throw new Error(`fuses: @electron/fuses does not know ${name}`);
    config[FuseV1Options[name]] = value;
  }
  return config;
}

/** Flips the fuses of the executable packed in `context`; `flip` is @electron/fuses' flipFuses unless a test passes another. */
export async function applyFuses(context, flip = flipFuses) {
  await flip(packagedExecutable(context), fuseConfig(context));
}

export async function afterPack(context) {
  console.log(`  • flipping Electron fuses  executable=${packagedExecutable(context)}`);
  await applyFuses(context);
}

export default afterPack;
