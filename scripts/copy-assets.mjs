// Copies the non-TypeScript files the Node code ships with into dist/ (tsc copies only what it compiles).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

// The auditor's verifier (verify-instructions.ts VERIFIER_FILES, held to this folder by test/packaging.test.ts):
// verify.py and every part it imports from its own directory.
const BUNDLE = 'main/audit/bundle';
const ASSETS = readdirSync(path.join('src', BUNDLE))
  .filter((f) => f.endsWith('.py'))
  .map((f) => `${BUNDLE}/${f}`);

for (const asset of ASSETS) {
  const target = path.join('dist', asset);
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(path.join('src', asset), target);
}
