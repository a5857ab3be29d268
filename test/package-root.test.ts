// The package's own directory is the nearest package.json above the code, and it must be this package's:
// a package.json someone put in a directory further up (named like ours or not) is never reached.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, findPackageRoot } from '../src/main/util/package-root.js';
import { REPO_ROOT } from './support/shared.js';

const root = mkdtempSync(path.join(tmpdir(), 'package-root-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the package directory', () => {
  it('is the repository here (the code runs from src/)', () => {
    expect(PACKAGE_ROOT).toBe(REPO_ROOT);
  });

  it('stops at the nearest package.json: one that is not ours is refused, not walked past to one that claims to be', () => {
    // Attack: a directory the attacker controls above an install whose own package.json is another package's.
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'runbook-console' }));
    const install = path.join(root, 'lib', 'renamed');
    mkdirSync(path.join(install, 'dist', 'bin', 'chunks'), { recursive: true });
    writeFileSync(path.join(install, 'package.json'), JSON.stringify({ name: '@someone/runbook-console-fork' }));
    expect(() => findPackageRoot(path.join(install, 'dist', 'bin', 'chunks'))).toThrow(/names "@someone\/runbook-console-fork", not runbook-console/);
    // Control: our own package.json, nearest, is found.
    const ours = path.join(root, 'lib', 'ours');
    mkdirSync(path.join(ours, 'dist', 'bin', 'chunks'), { recursive: true });
    writeFileSync(path.join(ours, 'package.json'), JSON.stringify({ name: 'runbook-console' }));
    expect(findPackageRoot(path.join(ours, 'dist', 'bin', 'chunks'))).toBe(ours);
  });
});
