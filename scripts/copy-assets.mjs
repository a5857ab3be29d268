// Copies the non-TypeScript files the Node code ships with into dist/ (tsc copies only what it compiles).
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const ASSETS = ['main/audit/bundle/verify.py'];

for (const asset of ASSETS) {
  const target = path.join('dist', asset);
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(path.join('src', asset), target);
}
