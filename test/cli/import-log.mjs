// Loaded with `node --import` by test/cli/lazy-imports.test.ts: appends every module URL the process
// resolves (ESM imports, dynamic imports and require alike) to the file named by $IMPORT_LOG, one per
// line, as it happens (so a process that exits early has still logged what it loaded). Plain JavaScript:
// node loads it before anything is compiled.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const log = process.env.IMPORT_LOG;
if (log) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      appendFileSync(log, `${resolved.url}\n`);
      return resolved;
    },
  });
}
