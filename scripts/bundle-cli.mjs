// Bundles the `runbook` command (dist/cli/index.js, as tsc built it) into dist/bin/: the entry and a chunk per
// lazily loaded part, so a start reads a few dozen files instead of about 460 modules (zod alone is 95, the
// markdown parser over 150). Each command and each target kind stays its own chunk, loaded when used.
//
// Left outside, resolved from node_modules at run time: packages with native or optional parts or files
// they read beside themselves (ssh2, pg, libpg-query's WebAssembly, ws, mvdan-sh), the Kubernetes client
// (its own module, loaded on the first Kubernetes step only: test/cli/lazy-imports.test.ts), and the
// desktop-only ones. The auditor's verifier (*.py) is copied beside the chunks: export.ts finds it next to
// itself.
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { rolldown } from 'rolldown';

const OUT = 'dist/bin';
const EXTERNAL = ['@kubernetes/client-node', 'ssh2', 'pg', 'libpg-query', 'mvdan-sh', 'ws', 'electron', 'electron-store', 'conf', 'env-paths'];

const isExternal = (id) => id.startsWith('node:') || builtinModules.includes(id) || EXTERNAL.some((name) => id === name || id.startsWith(`${name}/`));

rmSync(OUT, { recursive: true, force: true });
const bundle = await rolldown({ input: { runbook: 'dist/cli/index.js' }, platform: 'node', external: isExternal, logLevel: 'warn' });
// A chunk loaded by import() is named after the module it starts from (main.targets.local.executor-HASH.js),
// so what a run loaded can be told from outside (test/cli/lazy-imports.test.ts); shared chunks keep their name.
const chunkName = (chunk) => {
  const from = chunk.facadeModuleId && path.relative(path.resolve('dist'), chunk.facadeModuleId);
  return from && !from.startsWith('..') ? `chunks/${from.replace(/\.js$/, '').split(path.sep).join('.')}-[hash].js` : 'chunks/[name]-[hash].js';
};
const { output } = await bundle.write({ dir: OUT, format: 'esm', entryFileNames: '[name].js', chunkFileNames: chunkName });
await bundle.close();
// The entry runs as a command (its first line is #!/usr/bin/env node).
chmodSync(path.join(OUT, 'runbook.js'), 0o755);

// Which modules each file holds (paths from the package's directory): what a run loaded, module by module.
const root = path.resolve('.');
const manifest = Object.fromEntries(output.filter((o) => o.type === 'chunk').map((c) => [c.fileName, c.moduleIds.filter((id) => path.isAbsolute(id)).map((id) => path.relative(root, id).split(path.sep).join('/'))]));
writeFileSync(path.join(OUT, 'modules.json'), `${JSON.stringify(manifest, null, 1)}\n`);

const verifier = 'src/main/audit/bundle';
mkdirSync(path.join(OUT, 'chunks', 'bundle'), { recursive: true });
for (const file of readdirSync(verifier).filter((f) => f.endsWith('.py'))) copyFileSync(path.join(verifier, file), path.join(OUT, 'chunks', 'bundle', file));
