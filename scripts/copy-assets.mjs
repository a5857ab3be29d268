// Copies the non-TypeScript files the Node code ships with into dist/ (tsc copies only what it compiles).
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

// The auditor's verifier (export.ts VERIFIER_FILES): verify.py imports verify_report.py from its own directory.
const ASSETS = ['main/audit/bundle/verify.py', 'main/audit/bundle/verify_report.py'];

for (const asset of ASSETS) {
  const target = path.join('dist', asset);
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(path.join('src', asset), target);
}
