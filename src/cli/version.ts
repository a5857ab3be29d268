// The package version, read once from the package's package.json.
import { readFileSync } from 'node:fs';
import { packagePath } from '../main/util/package-root.js';

const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };
export const VERSION = pkg.version;
