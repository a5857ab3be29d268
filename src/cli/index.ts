#!/usr/bin/env node
// The `runbook` command's entry: as little as possible before the command's own modules load. V8's compile
// cache is turned on first (src/cli/compile-cache.ts), then the program (commander and the command table)
// loads, and each command loads only what it uses (program.ts).
import { enableCliCompileCache } from './compile-cache.js';

enableCliCompileCache();
await import('./program.js');
