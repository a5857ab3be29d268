// The installed package's own directory (the one holding its package.json), found from wherever this module
// is: src/main (tests), dist/main (the desktop app, packaged or not) or the bundled CLI's dist/bin/chunks. So
// the files shipped beside dist/ — package.json, runbooks/, dist/renderer/ — are found by one rule, not by a
// relative path that holds only at one depth.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'runbook-console';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === NAME) return dir;
      } catch {
        // not ours: look further up
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json of ${NAME} above ${from}`);
  }
}

export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside the package's directory. */
export const packagePath = (...parts: string[]): string => path.join(PACKAGE_ROOT, ...parts);
