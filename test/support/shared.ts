// Access to ../shared (others' runbooks and vectors). Tests that need it skip with a message where it is absent.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DIR = path.resolve(REPO_ROOT, '../shared');

export function sharedDir(sub: string): string | null {
  const dir = path.join(SHARED_DIR, sub);
  if (!existsSync(dir)) {
    console.warn(`skipped: ${dir} is absent (the shared seeds/corpus are not on this machine)`);
    return null;
  }
  return dir;
}

export function markdownFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'SOURCES.md')
    .sort()
    .map((f) => path.join(dir, f));
}
