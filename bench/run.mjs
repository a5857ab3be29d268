// Runs the benchmarks and prints what they measured. `npm run bench` builds dist/ first.
//
//   node bench/run.mjs                 every benchmark
//   node bench/run.mjs parse           only the named ones
//   node bench/run.mjs --runs 31       more timed runs (odd numbers give a true median)
//   node bench/run.mjs --json          the result objects as JSON, for tooling
//
// Benchmarks never fail on a time: the numbers depend on the machine. The exit code is 1 only when a
// benchmark throws (a build is missing, the parser crashes), 2 for a bad command line.
import { journalBench, printJournal } from './journal.mjs';
import { localBench, printLocal } from './local.mjs';
import { OVERHEAD_TARGET, parseBench } from './parse.mjs';
import { printRenderer, rendererBench } from './renderer.mjs';
import { printSql, sqlBench } from './sql.mjs';
import { printSsh, sshBench } from './ssh.mjs';
import { printVerify, verifyBench } from './verify.mjs';

/** Each benchmark: a function that returns a result object, and how to print that result. */
const BENCHES = {
  parse: { run: parseBench, print: printParse },
  local: { run: localBench, print: printLocal },
  ssh: { run: sshBench, print: printSsh },
  sql: { run: sqlBench, print: printSql },
  journal: { run: journalBench, print: printJournal },
  verify: { run: verifyBench, print: printVerify },
  renderer: { run: rendererBench, print: printRenderer },
};

function usage(message) {
  if (message) process.stderr.write(`bench: ${message}\n`);
  process.stderr.write(`usage: node bench/run.mjs [--runs N] [--json] [${Object.keys(BENCHES).join('|')} ...]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { names: [], runs: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') options.json = true;
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

const ms = (v) => `${v.toFixed(1)} ms`;
const pct = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(Math.round(v * 100))}%`;

function printParse(r) {
  printParseCorpus(r.corpus);
  printParseSize(r.size);
}

function printParseCorpus(r) {
  if (r.skipped) {
    console.log(`parse (corpus): skipped: ${r.reason}`);
    return;
  }
  const kb = (r.input.bytes / 1024).toFixed(0);
  console.log(`parse (corpus): ${kb} KiB of markdown (${r.input.files} files × ${r.input.copies.toFixed(2)}, ${r.input.lines} lines, ${r.input.mdastNodes} mdast nodes)`);
  console.log(`  ${r.runs} timed runs after ${r.warmup} warm-up runs, order alternated${r.gc ? ', GC between runs' : ''}`);
  console.log(`  markdown in chunks  median ${ms(r.markdown.median)}  (min ${ms(r.markdown.min)}, max ${ms(r.markdown.max)})`);
  console.log(`  parseRunbook        median ${ms(r.model.median)}  (min ${ms(r.model.min)}, max ${ms(r.model.max)})`);
  console.log(`  model: ${r.counts.steps} steps, ${r.counts.blocks} blocks, ${r.counts.sections} sections, ${r.counts.warnings} warnings`);
  console.log(`  model overhead: ${pct(r.overhead)} over the markdown parse (target: at most +${Math.round(OVERHEAD_TARGET * 100)}%)`);
  if (!r.withinTarget) console.log('  (above target: see bench/README.md for how to profile it)');
}

const sec = (v) => `${v.toFixed(2)} s`;
const mb = (bytes) => `${(bytes / (1024 * 1024)).toFixed(0)} MiB`;
const verdict = (ok) => (ok ? 'within goal' : 'ABOVE GOAL');

function printParseSize(r) {
  if (r.skipped) {
    console.log(`parse (size): skipped: ${r.reason}`);
    return;
  }
  const { small, children, goals } = r;
  console.log(`parse (size): list-heavy runbook written by bench/support/list-heavy.mjs, CPU seconds`);
  console.log(`  1 MB (${small.steps} steps), median of ${r.runs}: remark-parse + remark-gfm over the whole file ${sec(small.remark.median)}, parseRunbook ${sec(small.model.median)}`);
  console.log(`    parseRunbook / bare remark: ${small.versusRemark.toFixed(2)}× (goal: at most ${goals.versusRemark}×) ${verdict(small.withinGoal)}`);
  console.log(`  loadRunbook in a fresh process: ${mb(children.small.bytes)} ${sec(children.small.cpuSeconds)}, ${mb(children.large.bytes)} ${sec(children.large.cpuSeconds)} (${children.large.steps} steps)`);
  console.log(`    ${r.bytesRatio.toFixed(0)}× the text takes ${r.growth.toFixed(1)}× the time (goal: at most ${goals.growth}×) ${verdict(r.growthWithinGoal)}`);
  console.log(`    peak RSS for ${mb(children.large.bytes)}: ${mb(children.large.maxRssBytes)} (goal: at most ${goals.rssFactor} × file + ${mb(goals.rssExtraBytes)} = ${mb(r.rssGoalBytes)}) ${verdict(r.rssWithinGoal)}`);
}

const options = parseArgs(process.argv.slice(2));
const results = [];
for (const name of options.names) {
  const bench = BENCHES[name];
  let result;
  try {
    result = await bench.run({ runs: options.runs });
  } catch (error) {
    process.stderr.write(`bench ${name}: ${error instanceof Error ? (process.env.BENCH_DEBUG ? error.stack : error.message) : String(error)}\n`);
    process.exit(1);
  }
  results.push(result);
  if (!options.json) bench.print(result);
}
if (options.json) console.log(JSON.stringify(results, null, 2));
