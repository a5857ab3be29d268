// Loads one runbook with the built loadRunbook (dist/) and prints, as one JSON line, the CPU seconds the
// load took and the process's peak resident memory: run as a child so that each size gets a fresh process.
//   node bench/support/parse-child.mjs FILE
import { loadRunbook } from '../../dist/main/runbook/index.js';

const file = process.argv[2];
if (!file) throw new Error('usage: parse-child.mjs FILE');
const before = process.cpuUsage();
const runbook = await loadRunbook(file);
const used = process.cpuUsage(before);
process.stdout.write(
  `${JSON.stringify({
    cpuSeconds: (used.user + used.system) / 1e6,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    steps: runbook.steps.length,
    blocks: runbook.steps.reduce((n, s) => n + s.blocks.length, 0),
  })}\n`,
);
