// Parse benchmarks, in two parts.
//
// corpus — how much the runbook model costs on top of the markdown parse it is built on: one ~1 MB text
//   from the shared seeds and corpus, timed in the same process as (a) the markdown parse in chunks that
//   parseRunbook() runs (markdown-chunks.ts) and (b) parseRunbook() itself. The ratio (b)/(a) is what to
//   read: it does not depend much on how fast the machine is. Skipped when ../shared is absent.
//
// size — whether parsing stays linear with bounded memory (issue 12), on a list-heavy runbook this module
//   writes itself (bench/support/list-heavy.mjs), in CPU seconds (process.cpuUsage):
//   - 1 MB: parseRunbook() against a bare remark-parse + remark-gfm parse of the whole file (which is
//     itself superlinear on such files); goal at most 0.5×;
//   - 20 MB against 1 MB, each loaded (loadRunbook) in a fresh child process; goal at most 25×;
//   - each child's peak resident memory (the process's, node itself included); goal at most 4 × the file
//     size + 200 MB (MB = 10^6 bytes, as the issue writes it). Also measured on the corpus text of the first
//     part grown to 20 MB (real runbooks: prose, tables, transcripts, non-ASCII text) when ../shared exists.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { listHeavyRunbook } from './support/list-heavy.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..');
export const SHARED_ROOT = resolve(REPO_ROOT, '..', 'shared');
const CORPUS_FOLDERS = ['seeds', 'corpus'];

/** The overhead the model may add to remark's parse before it is worth a look (a target, never an assertion). */
export const OVERHEAD_TARGET = 0.3;

async function isDirectory(path) {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Every *.md file of the corpus folders, sorted by path so that the text is the same on every run. */
async function corpusFiles(sharedRoot) {
  const files = [];
  for (const folder of CORPUS_FOLDERS) {
    const dir = join(sharedRoot, folder);
    if (!(await isDirectory(dir))) continue;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) files.push(join(dir, entry.name));
    }
  }
  return files.sort();
}

/**
 * The benchmark text: the files separated by blank lines, cycled file by file until the text reaches
 * `targetBytes` (whole files only, so that no code fence is cut in half).
 */
export async function buildCorpusText(sharedRoot, targetBytes) {
  const files = await corpusFiles(sharedRoot);
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
  const usable = texts.map((t) => t.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').trim()).filter(Boolean);
  if (usable.length === 0) return { text: '', files: files.length, copies: 0 };
  const parts = [];
  let bytes = 0;
  let i = 0;
  while (bytes < targetBytes) {
    const part = usable[i % usable.length];
    parts.push(part);
    bytes += Buffer.byteLength(part, 'utf8') + 2;
    i++;
  }
  return { text: `${parts.join('\n\n')}\n`, files: usable.length, copies: i / usable.length };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summary(samples) {
  return {
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    samples,
  };
}

function time(fn) {
  const start = performance.now();
  const result = fn();
  return { ms: performance.now() - start, result };
}

/** Collects garbage between runs when node runs with --expose-gc, so one run does not pay for the last. */
function settle() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

/**
 * Runs both parts of the parse benchmark and returns their results; prints nothing.
 * @param {{ runs?: number, warmup?: number, targetBytes?: number, sharedRoot?: string, size?: boolean, sizeRuns?: number, largeBytes?: number }} [options]
 */
export async function parseBench(options = {}) {
  const distParse = join(REPO_ROOT, 'dist', 'main', 'runbook', 'parse.js');
  if (!(await stat(distParse).catch(() => null))) {
    throw new Error(`${distParse} not found: build first (npx tsc -p tsconfig.node.json, or npm run bench)`);
  }
  const corpus = await corpusBench(options);
  const size = options.size === false ? { skipped: true, reason: 'not asked for' } : await sizeBench(options);
  const goals = [];
  if (!corpus.skipped) goals.push({ what: 'parse: the model over the markdown parse', baseline: 'markdown in chunks', ratio: corpus.ratio, goal: `≤ ${(1 + OVERHEAD_TARGET).toFixed(1)}×`, within: corpus.withinTarget });
  if (!size.skipped) {
    const large = size.rss.at(-1);
    goals.push({ what: 'parse: 1 MB list-heavy runbook', baseline: 'remark, whole file', ratio: size.small.versusRemark, goal: `≤ ${SIZE_GOALS.versusRemark}×`, within: size.small.withinGoal });
    goals.push({ what: `parse: ${(size.children.large.bytes / 1e6).toFixed(0)} MB runbook (time)`, baseline: '1 MB runbook', ratio: size.growth, goal: `≤ ${SIZE_GOALS.growth}×`, within: size.growthWithinGoal, peakRssMiB: large.maxRssBytes / 2 ** 20, rssGoal: `≤ ${(large.goalBytes / 2 ** 20).toFixed(0)} MiB`, rssWithin: large.withinGoal });
  }
  return { name: 'parse', corpus, size, goals };
}

/** The model's cost over the markdown parse in chunks, on the shared corpus. */
async function corpusBench(options) {
  const runs = Math.max(1, options.runs ?? 15);
  const warmup = Math.max(0, options.warmup ?? 3);
  const targetBytes = options.targetBytes ?? 1_000_000;
  const sharedRoot = options.sharedRoot ?? SHARED_ROOT;

  if (!(await isDirectory(sharedRoot))) {
    return { skipped: true, reason: `${relative(REPO_ROOT, sharedRoot) || sharedRoot} not found` };
  }
  const corpus = await buildCorpusText(sharedRoot, targetBytes);
  if (corpus.text === '') {
    return { skipped: true, reason: `no *.md files in ${CORPUS_FOLDERS.map((f) => relative(REPO_ROOT, join(sharedRoot, f))).join(' or ')}` };
  }
  const { text } = corpus;
  const { parseRunbook } = await import(new URL('../dist/main/runbook/parse.js', import.meta.url).href);
  const { MarkdownChunks } = await import(new URL('../dist/main/runbook/markdown-chunks.js', import.meta.url).href);

  // The markdown parse parseRunbook runs: every top-level node of the text, chunk by chunk.
  const markdown = () => {
    const nodes = [];
    const chunks = new MarkdownChunks(text);
    for (let batch = chunks.next(); batch !== null; batch = chunks.next()) nodes.push(...batch);
    return nodes;
  };
  const model = () => parseRunbook(text);

  for (let i = 0; i < warmup; i++) {
    markdown();
    model();
  }
  settle();

  const markdownSamples = [];
  const modelSamples = [];
  let runbook = null;
  let nodes = null;
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always runs on a heap the other has just filled.
    const order = i % 2 === 0 ? ['markdown', 'model'] : ['model', 'markdown'];
    for (const which of order) {
      settle();
      if (which === 'markdown') {
        const t = time(markdown);
        markdownSamples.push(t.ms);
        nodes = t.result;
      } else {
        const t = time(model);
        modelSamples.push(t.ms);
        runbook = t.result;
      }
    }
  }

  const markdownStats = summary(markdownSamples);
  const modelStats = summary(modelSamples);
  const ratio = modelStats.median / markdownStats.median;
  const blocks = runbook.steps.reduce((n, s) => n + s.blocks.length, 0);
  return {
    skipped: false,
    input: {
      bytes: Buffer.byteLength(text, 'utf8'),
      lines: text.split('\n').length,
      files: corpus.files,
      copies: corpus.copies,
      mdastNodes: nodes ? nodes.reduce((n, node) => n + countNodes(node), 0) : 0,
    },
    runs,
    warmup,
    gc: typeof globalThis.gc === 'function',
    markdown: markdownStats,
    model: modelStats,
    ratio,
    overhead: ratio - 1,
    target: OVERHEAD_TARGET,
    withinTarget: ratio - 1 <= OVERHEAD_TARGET,
    counts: {
      steps: runbook.steps.length,
      blocks,
      sections: countSections(runbook.sections),
      warnings: runbook.warnings.length,
    },
  };
}

/** Goals of the size part (issue 12); targets to read, never assertions. 200 MB is 200 × 10^6 bytes. */
export const SIZE_GOALS = { versusRemark: 0.5, growth: 25, rssFactor: 4, rssExtraBytes: 200_000_000 };

/** One child's peak RSS against the goal for a file of `bytes`. */
function rssLine(shape, bytes, maxRssBytes) {
  const goalBytes = SIZE_GOALS.rssFactor * bytes + SIZE_GOALS.rssExtraBytes;
  return { shape, bytes, maxRssBytes, goalBytes, withinGoal: maxRssBytes <= goalBytes };
}

function cpuSeconds(fn) {
  const before = process.cpuUsage();
  const result = fn();
  const used = process.cpuUsage(before);
  return { seconds: (used.user + used.system) / 1e6, result };
}

const execFileAsync = promisify(execFile);

/** Loads FILE in a fresh `node` running bench/support/parse-child.mjs; its CPU seconds and peak RSS. */
async function childLoad(file) {
  const child = join(REPO_ROOT, 'bench', 'support', 'parse-child.mjs');
  const { stdout } = await execFileAsync(process.execPath, [child, file], { maxBuffer: 1024 * 1024, timeout: 30 * 60 * 1000 });
  return JSON.parse(stdout.trim().split('\n').pop());
}

/** Linear time and bounded memory on a list-heavy runbook: 1 MB against remark, 20 MB against 1 MB; peak RSS of each. */
async function sizeBench(options) {
  const runs = Math.max(1, options.sizeRuns ?? 3);
  const smallBytes = 1_000_000;
  const largeBytes = options.largeBytes ?? 20_000_000;
  const sharedRoot = options.sharedRoot ?? SHARED_ROOT;
  const { parseRunbook } = await import(new URL('../dist/main/runbook/index.js', import.meta.url).href);
  const small = listHeavyRunbook(smallBytes);

  // The bare parse the issue compares with: remark-parse + remark-gfm over the whole file at once.
  const bare = unified().use(remarkParse).use(remarkGfm);
  const remarkSeconds = [];
  const modelSeconds = [];
  let runbook = null;
  for (let i = 0; i < runs; i++) {
    for (const which of i % 2 === 0 ? ['remark', 'model'] : ['model', 'remark']) {
      settle();
      if (which === 'remark') remarkSeconds.push(cpuSeconds(() => bare.parse(small)).seconds);
      else {
        const t = cpuSeconds(() => parseRunbook(small));
        modelSeconds.push(t.seconds);
        runbook = t.result;
      }
    }
  }

  const dir = await mkdtemp(join(tmpdir(), 'runbook-bench-parse-'));
  try {
    const smallFile = join(dir, 'list-heavy-1mb.md');
    const largeFile = join(dir, 'list-heavy-large.md');
    await writeFile(smallFile, small);
    await writeFile(largeFile, listHeavyRunbook(largeBytes));
    const smallChild = await childLoad(smallFile);
    const largeChild = await childLoad(largeFile);
    const smallSize = (await stat(smallFile)).size;
    const largeSize = (await stat(largeFile)).size;
    await rm(largeFile);
    const rss = [rssLine('list-heavy', smallSize, smallChild.maxRssBytes), rssLine('list-heavy', largeSize, largeChild.maxRssBytes)];
    // Real runbooks at the same size: the corpus text of the first part, cycled to `largeBytes`.
    let corpusChild = null;
    if (await isDirectory(sharedRoot)) {
      const corpus = await buildCorpusText(sharedRoot, largeBytes);
      if (corpus.text !== '') {
        const corpusFile = join(dir, 'corpus-large.md');
        await writeFile(corpusFile, corpus.text);
        corpusChild = { bytes: (await stat(corpusFile)).size, ...(await childLoad(corpusFile)) };
        rss.push(rssLine('corpus', corpusChild.bytes, corpusChild.maxRssBytes));
      }
    }
    const versusRemark = median(modelSeconds) / median(remarkSeconds);
    const growth = largeChild.cpuSeconds / smallChild.cpuSeconds;
    return {
      skipped: false,
      runs,
      small: { bytes: Buffer.byteLength(small), steps: runbook.steps.length, remark: summary(remarkSeconds), model: summary(modelSeconds), versusRemark, withinGoal: versusRemark <= SIZE_GOALS.versusRemark },
      children: { small: { bytes: smallSize, ...smallChild }, large: { bytes: largeSize, ...largeChild }, corpus: corpusChild },
      growth,
      growthWithinGoal: growth <= SIZE_GOALS.growth,
      bytesRatio: largeSize / smallSize,
      rss,
      rssWithinGoal: rss.every((r) => r.withinGoal),
      goals: SIZE_GOALS,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function countNodes(node) {
  let n = 1;
  if (Array.isArray(node.children)) for (const child of node.children) n += countNodes(child);
  return n;
}

function countSections(sections) {
  return sections.reduce((n, s) => n + 1 + countSections(s.sections), 0);
}

const ms = (v) => `${v.toFixed(1)} ms`;
const pct = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(Math.round(v * 100))}%`;
const sec = (v) => `${v.toFixed(2)} s`;
/** Bytes in MB of 10^6 (the unit of the goals), with MiB beside for what `ps` and `top` show. */
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const mbWithMib = (bytes) => `${mb(bytes)} (${(bytes / (1024 * 1024)).toFixed(0)} MiB)`;
const verdict = (ok) => (ok ? 'within goal' : 'ABOVE GOAL');

/** Prints what parseBench returned (bench/run.mjs). */
export function printParse(r) {
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
  if (children.corpus) console.log(`  corpus text grown to ${mb(children.corpus.bytes)}: ${sec(children.corpus.cpuSeconds)} (${children.corpus.steps} steps)`);
  console.log(`  peak RSS of each process (node included; goal: at most ${goals.rssFactor} × the file + ${mb(goals.rssExtraBytes)}):`);
  for (const line of r.rss) {
    console.log(`    ${line.shape.padEnd(10)} ${mb(line.bytes).padStart(8)}: ${mbWithMib(line.maxRssBytes)} (goal: at most ${mb(line.goalBytes)}) ${verdict(line.withinGoal)}`);
  }
  if (!children.corpus) console.log('    corpus: not measured (../shared not found)');
}
