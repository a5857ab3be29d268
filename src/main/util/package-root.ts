// The installed package's own directory (the one holding its package.json), found from wherever this module
// is: src/main (tests), dist/main (the desktop app, packaged or not) or the bundled CLI's dist/bin/chunks. So
// the files shipped beside dist/ — package.json, runbooks/, dist/renderer/ — are found by one rule, not by a
// relative path that holds only at one depth.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'runbook-console';

/**
 * The nearest package.json above `from`, which must be this package's: the search never goes past it, so a
 * package.json someone else put in a directory further up is never taken for ours.
 */
export function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      let name: unknown;
      try {
        name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
      } catch (error) {
        throw new Error(`${manifest}: not readable as this package's package.json: ${(error as Error).message}`);
      }
      if (name !== NAME) throw new Error(`${manifest} names ${JSON.stringify(name)}, not ${NAME}: this copy of ${NAME} is not installed as built`);
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}: this copy of ${NAME} is not installed as built`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside the package's directory. */
export const packagePath = (...parts: string[]): string => path.join(PACKAGE_ROOT, ...parts);
