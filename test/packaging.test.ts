// The desktop package (electron-builder.yml) keeps the WebAssembly its dependencies read at run time inside
// app.asar, under the asar integrity check: libpg-query's Emscripten loader reads wasm/libpg-query.wasm
// with fs.readFileSync, which Electron serves from the archive. And it ships the auditor's verifier
// (verify.py and the parts it imports from its own directory), which every export copies into its bundle.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { VERIFIER_FILES } from '../src/main/audit/export.js';
import { REPO_ROOT } from './support/shared.js';

interface BuilderConfig {
  asar?: boolean;
  asarUnpack?: string | string[];
  files?: string[];
}

const config = parse(readFileSync(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const unpacked = config.asarUnpack === undefined ? [] : [config.asarUnpack].flat();
/** Whether electron-builder unpacks `file` (a path relative to the app directory, / separated). */
const isUnpacked = (file: string) => unpacked.some((pattern) => path.matchesGlob(file, pattern));
/** Whether `files` packs `file`: the last pattern that matches it decides, a `!` pattern leaving it out. */
const isPacked = (file: string) => (config.files ?? []).reduce((packed, p) => (p.startsWith('!') ? packed && !path.matchesGlob(file, p.slice(1)) : packed || path.matchesGlob(file, p)), false);

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };

/** Where Node finds package `name` from a package at `from` (its own node_modules, then each parent's). */
function resolvePackage(name: string, from: string): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === REPO_ROOT || path.dirname(dir) === dir) return null;
  }
}

/** The package directories of the app's production dependencies, transitively (what electron-builder packs). */
function productionPackages(): string[] {
  const seen = new Set<string>();
  const visit = (from: string, manifest: ReturnType<typeof readJson>) => {
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      const dir = resolvePackage(name, from);
      if (!dir || seen.has(dir)) continue;
      seen.add(dir);
      visit(dir, readJson(path.join(dir, 'package.json')));
    }
  };
  visit(REPO_ROOT, readJson(path.join(REPO_ROOT, 'package.json')));
  return [...seen];
}

/** The .wasm files of one package, not those of packages nested in it (visited on their own). */
function wasmFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : wasmFiles(full);
    return entry.isFile() && entry.name.endsWith('.wasm') ? [full] : [];
  });
}

const relative = (file: string) => path.relative(REPO_ROOT, file).split(path.sep).join('/');

/** Loaders known to read their .wasm through fs (which Electron serves from app.asar), by package-relative path. */
const FS_LOADERS: Record<string, { loader: string; reads: string }> = {
  'node_modules/libpg-query/wasm/libpg-query.wasm': { loader: 'node_modules/libpg-query/wasm/libpg-query.js', reads: 'readFileSync' },
};

describe('packaging: WebAssembly stays inside the integrity-checked app.asar', () => {
  it("keeps libpg-query's parser in the archive, read by its loader through fs", () => {
    expect(config.asar).toBe(true);
    expect(isUnpacked('node_modules/libpg-query/wasm/libpg-query.wasm')).toBe(false);
    const loader = readFileSync(path.join(REPO_ROOT, 'node_modules/libpg-query/wasm/libpg-query.js'), 'utf8');
    expect(loader).toContain('locateFile("libpg-query.wasm")');
    expect(loader).toContain('readFileSync');
  });

  it('every .wasm file of a production dependency is one whose loader reads it through fs, and none is unpacked', () => {
    const files = productionPackages().flatMap(wasmFiles).map(relative);
    expect(files).toContain('node_modules/libpg-query/wasm/libpg-query.wasm');
    for (const file of files) {
      const known = FS_LOADERS[file];
      expect(known, `${file}: how does its loader read it inside app.asar?`).toBeDefined();
      if (known) expect(readFileSync(path.join(REPO_ROOT, known.loader), 'utf8')).toContain(known.reads);
      expect(isUnpacked(file)).toBe(false);
    }
  });

  it('unpacks no code: built code and JavaScript stay inside the checked archive', () => {
    for (const file of ['dist/main/electron/main.js', 'node_modules/libpg-query/wasm/libpg-query.js', 'node_modules/mvdan-sh/index.js', 'package.json']) expect(isUnpacked(file)).toBe(false);
  });
});

describe("packaging: the auditor's verifier ships with the app and in every bundle", () => {
  const sources = readdirSync(path.join(REPO_ROOT, 'src/main/audit/bundle')).filter((f) => f.endsWith('.py'));

  it('export copies every file of src/main/audit/bundle into the bundle (verify.py imports each of the others from its own directory)', () => {
    expect([...VERIFIER_FILES].sort()).toEqual(sources.sort());
    expect(sources).toEqual(expect.arrayContaining(['verify.py', 'verify_json.py', 'verify_records.py', 'verify_keys.py', 'verify_seal.py', 'verify_signatures.py', 'verify_report.py']));
    // verify.py checks that each part is there (exit 2 without it) and imports it: the parts it names are the files shipped.
    const main = readFileSync(path.join(REPO_ROOT, 'src/main/audit/bundle/verify.py'), 'utf8');
    const named = [...(/^PARTS = \{([^}]*)\}/m.exec(main)?.[1] ?? '').matchAll(/"(verify_\w+)":/g)].map((m) => `${m[1]}.py`);
    expect(named.sort()).toEqual(VERIFIER_FILES.filter((f) => f !== 'verify.py').sort());
    for (const part of named) expect(main).toMatch(new RegExp(`^ +from ${part.slice(0, -3)} import `, 'm'));
  });

  it('build:node copies each to dist unchanged (scripts/copy-assets.mjs), and the desktop package keeps it', () => {
    for (const file of sources) {
      const built = path.join(REPO_ROOT, 'dist/main/audit/bundle', file);
      expect(existsSync(built), `${built} is missing: run \`npm run build:node\``).toBe(true);
      expect(readFileSync(built, 'utf8'), `${built} differs from src: run \`npm run build:node\``).toBe(readFileSync(path.join(REPO_ROOT, 'src/main/audit/bundle', file), 'utf8'));
      expect(isPacked(`dist/main/audit/bundle/${file}`), file).toBe(true);
    }
    // The pattern check itself can fail: TypeScript sources and source maps are left out.
    expect(isPacked('dist/main/audit/export.js.map')).toBe(false);
    expect(isPacked('src/main/audit/export.ts')).toBe(false);
  });
});
