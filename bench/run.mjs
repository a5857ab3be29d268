// Runs the benchmarks and prints what they measured. `npm run bench` builds dist/ first.
//
//   node bench/run.mjs                 every benchmark
//   node bench/run.mjs parse           only the named ones
//   node bench/run.mjs --runs 31       more timed runs (odd numbers give a true median)
//   node bench/run.mjs --json          the result objects as JSON, for tooling
//   node bench/run.mjs --quick         every benchmark at smaller sizes and fewer runs (under two minutes)
//
// Benchmarks never fail on a time: the numbers depend on the machine. The exit code is 1 only when a
// benchmark throws (a build is missing, the parser crashes), 2 for a bad command line.
import { performance } from 'node:perf_hooks';
import { journalBench, printJournal } from './journal.mjs';
import { localBench, printLocal } from './local.mjs';
import { parseBench, printParse } from './parse.mjs';
import { printRenderer, rendererBench } from './renderer.mjs';
import { printSql, sqlBench } from './sql.mjs';
import { printSsh, sshBench } from './ssh.mjs';
import { printStore, storeBench } from './store.mjs';
import { printVerify, verifyBench } from './verify.mjs';

/** Each benchmark: a function that returns a result object, and how to print that result. */
const BENCHES = {
  parse: { run: parseBench, print: printParse },
  local: { run: localBench, print: printLocal },
  ssh: { run: sshBench, print: printSsh },
  sql: { run: sqlBench, print: printSql },
  journal: { run: journalBench, print: printJournal },
  store: { run: storeBench, print: printStore },
  verify: { run: verifyBench, print: printVerify },
  renderer: { run: rendererBench, print: printRenderer },
};

/**
 * --quick: the same measurements at smaller sizes and fewer runs, so a change can be checked in under two
 * minutes. Ratios are noisier and the size-dependent ones (parse's 20 MB, verify's 200,000 records, 200 MiB of
 * output) are measured smaller: the README's figures come from a full run.
 */
const QUICK = {
  parse: { runs: 5, warmup: 1, sizeRuns: 1, largeBytes: 5_000_000 },
  local: { runs: 5, outputRuns: 3, outputMiB: 50 },
  ssh: { runs: 5, outputRuns: 3, outputMiB: 50, manyRuns: 1 },
  sql: { runs: 5, manyRuns: 3 },
  journal: { records: 300, verifyRecords: 20_000, runs: 3 },
  store: { records: 2000, runs: 1, fileBytes: 4 * 1024 * 1024 },
  verify: { records: 50_000, runs: 1 },
  renderer: { runs: 3, inputSamples: 20 },
};

function usage(message) {
  if (message) process.stderr.write(`bench: ${message}\n`);
  process.stderr.write(`usage: node bench/run.mjs [--quick] [--runs N] [--json] [${Object.keys(BENCHES).join('|')} ...]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { names: [], runs: undefined, json: false, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--runs') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) usage(`--runs wants a positive whole number, not "${argv[i]}"`);
      options.runs = n;
    } else if (arg === '-h' || arg === '--help') usage();
    else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else if (!(arg in BENCHES)) usage(`no benchmark named "${arg}"`);
    else options.names.push(arg);
  }
  if (options.names.length === 0) options.names = Object.keys(BENCHES);
  return options;
}

/** The goals the benchmarks that name them report (result.goals), side by side: ratio, goal, verdict. */
function printGoals(results) {
  const rows = results.flatMap((r) => r.goals ?? []);
  if (rows.length === 0) return;
  const cells = rows.map((g) => [
    g.what,
    g.baseline,
    `${g.ratio.toFixed(2)}×`,
    g.goal,
    g.within ? 'within goal' : 'ABOVE GOAL',
    g.peakRssMiB === undefined ? '' : g.peakRssMiB === null ? 'n/a' : `${g.peakRssMiB.toFixed(0)} MiB${g.rssGoal ? ` (${g.rssGoal}: ${g.rssWithin ? 'within' : 'ABOVE'})` : ''}`,
  ]);
  const head = ['goal', 'against', 'ratio', 'goal', '', 'peak RSS'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => `  ${c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd()}`;
  console.log('\ngoals (each a ratio against its baseline, measured in the same run):');
  console.log(line(head));
  for (const c of cells) console.log(line(c));
}

const options = parseArgs(process.argv.slice(2));
const results = [];
if (options.quick && !options.json) console.log('quick: smaller sizes and fewer runs (bench/run.mjs QUICK); the README quotes a full run\n');
for (const name of options.names) {
  const bench = BENCHES[name];
  let result;
  const began = performance.now();
  try {
    result = await bench.run({ ...(options.quick ? QUICK[name] : {}), ...(options.runs === undefined ? {} : { runs: options.runs }) });
  } catch (error) {
    process.stderr.write(`bench ${name}: ${error instanceof Error ? (process.env.BENCH_DEBUG ? error.stack : error.message) : String(error)}\n`);
    process.exit(1);
  }
  results.push(result);
  if (!options.json) {
    bench.print(result);
    console.log(`  (${name}: ${((performance.now() - began) / 1000).toFixed(0)} s)`);
  }
}
if (options.json) console.log(JSON.stringify(results, null, 2));
else printGoals(results);
