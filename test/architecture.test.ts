// The layering rules of ARCHITECTURE.md, checked on the source: only src/main/electron and src/preload import
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

// Every module a file reaches: `import … from`, `export … from` (a re-export is an import too) and `import(…)`.
const importsIn = (text: string) =>
  [...text.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => (m[1] ?? m[2] ?? m[3]) as string);
const imports = (file: string) => importsIn(readFileSync(file, 'utf8'));
const rel = (f: string) => path.relative(REPO_ROOT, f);

describe('architecture', () => {
  it('reads every way a file reaches a module: imports, re-exports, side-effect and dynamic imports', () => {
    const text = [
      "import { a } from './a.js';",
      'import type {',
      '  B,',
      "} from '../b.js';",
      "export { c } from '../session/c.js';",
      "export * from './d.js';",
      "import './e.js';",
      "const f = await import('../runs/f.js');",
      "export const g = 'from';",
    ].join('\n');
    expect(importsIn(text)).toEqual(['./a.js', '../b.js', '../session/c.js', './d.js', './e.js', '../runs/f.js']);
  });

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

// ARCHITECTURE.md's table: which folders of src/main each folder may import.
const MAIN_LAYERS: Record<string, readonly string[]> = {
  util: [],
  runbook: ['util'],
  audit: ['util'],
  settings: ['util'],
  secrets: ['util', 'audit'],
  targets: ['util', 'runbook'],
  store: ['util', 'audit', 'targets'],
  session: ['util', 'runbook', 'targets', 'audit', 'settings', 'store'],
  runs: ['util', 'runbook', 'targets', 'audit', 'settings', 'session', 'store'],
  api: ['util', 'runbook', 'targets', 'audit', 'settings', 'secrets', 'session', 'runs', 'desktop', 'store'],
  serve: ['util', 'api'],
  desktop: ['util', 'api', 'settings'],
};

describe('layers inside src/main (ARCHITECTURE.md)', () => {
  const main = path.join(REPO_ROOT, 'src/main');
  it('every folder of src/main is in the table (or is electron/)', () => {
    const folders = readdirSync(main).filter((n) => statSync(path.join(main, n)).isDirectory());
    expect(folders.filter((f) => f !== 'electron' && !(f in MAIN_LAYERS))).toEqual([]);
  });

  it('each folder imports only the folders below it', () => {
    const offenders: string[] = [];
    for (const [layer, allowed] of Object.entries(MAIN_LAYERS)) {
      for (const f of sources(path.join(main, layer))) {
        for (const spec of imports(f)) {
          if (!spec.startsWith('.')) continue;
          const target = path.relative(main, path.resolve(path.dirname(f), spec));
          if (target.startsWith('..')) continue; // src/shared, checked above
          const folder = target.split(path.sep)[0] as string;
          if (folder !== layer && !allowed.includes(folder)) offenders.push(`${rel(f)} → ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the CLI never reaches the Electron main process', () => {
    for (const f of sources(path.join(REPO_ROOT, 'src/cli'))) {
      for (const spec of imports(f)) expect(`${rel(f)} → ${spec}`).not.toMatch(/main\/electron\//);
    }
  });

  it('only session/assemble.ts builds a run session or starts a run journal: one engine for every host', () => {
    const offenders = [...sources(path.join(REPO_ROOT, 'src'))]
      .filter((f) => rel(f) !== path.join('src', 'main', 'session', 'assemble.ts'))
      .filter((f) => /new RunSession\(|RunJournal\.start\(/.test(readFileSync(f, 'utf8')));
    expect(offenders.map(rel)).toEqual([]);
  });
});
