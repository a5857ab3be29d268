// The layering rules of DEVELOPERS.md, checked on the source: only src/main/electron and src/preload import
// electron; shared code imports no Node or Electron; the renderer reaches nothing but the typed API.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/shared.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return /\.(ts|tsx)$/.test(name) ? [full] : [];
  });
}

const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);
const rel = (f: string) => path.relative(REPO_ROOT, f);

describe('architecture', () => {
  it('only src/main/electron and src/preload import electron (or electron-store, which needs it at runtime)', () => {
    const offenders = sources(path.join(REPO_ROOT, 'src'))
      .filter((f) => !rel(f).startsWith('src/main/electron/') && !rel(f).startsWith('src/preload/'))
      .filter((f) => imports(f).some((spec) => spec === 'electron' || spec === 'electron-store'));
    expect(offenders.map(rel)).toEqual([]);
  });

  it('src/shared imports neither Node, Electron nor main code', () => {
    for (const f of sources(path.join(REPO_ROOT, 'src/shared'))) {
      for (const spec of imports(f)) expect(`${rel(f)} → ${spec}`).not.toMatch(/→ (node:|electron$|\.\.\/main|fs$|path$)/);
    }
  });

  // yaml is pure JavaScript (no Node built-ins): the targets editor shows and reads the targets-file format.
  it('the renderer imports only React, xterm.js, yaml, its own files and src/shared', () => {
    const renderer = path.join(REPO_ROOT, 'src/renderer');
    const shared = path.join(REPO_ROOT, 'src/shared');
    for (const f of sources(renderer)) {
      for (const spec of imports(f)) {
        const target = spec.startsWith('.') ? path.resolve(path.dirname(f), spec) : null;
        const ok = target ? target.startsWith(renderer + path.sep) || target.startsWith(shared + path.sep) : /^(react|react-dom|yaml)(\/|$)|^@xterm\//.test(spec);
        expect(ok, `${rel(f)} imports ${spec}`).toBe(true);
      }
    }
  });
});
