// Where the Electron binary is, if it is installed: ELECTRON_OVERRIDE_DIST_PATH, or the electron package's
// dist/ (filled by its lazy download on first start). Null when there is none, which is normal offline.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export function electronPackageDir() {
  try {
    return path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

export function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const name = process.platform === 'win32' ? 'electron.exe' : 'electron';
    const candidate = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, name);
    return existsSync(candidate) ? candidate : null;
  }
  const dir = electronPackageDir();
  if (!dir) return null;
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}
