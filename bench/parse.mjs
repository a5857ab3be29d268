// Parse benchmark: how much the runbook model costs on top of the markdown parse it is built on.
//
// Builds one ~1 MB markdown text from the shared seeds and corpus, then times, in the same process,
//   (a) remark's bare parse of that text with the plugins the model uses, and
//   (b) parseRunbook() from the compiled dist/, which does (a) and then walks the tree into steps.
// The ratio (b)/(a) is what to read: it does not depend much on how fast the machine is.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

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
 * Runs the parse benchmark and returns its result; prints nothing.
 * @param {{ runs?: number, warmup?: number, targetBytes?: number, sharedRoot?: string }} [options]
 */
export async function parseBench(options = {}) {
  const runs = Math.max(1, options.runs ?? 15);
  const warmup = Math.max(0, options.warmup ?? 3);
  const targetBytes = options.targetBytes ?? 1_000_000;
  const sharedRoot = options.sharedRoot ?? SHARED_ROOT;

  if (!(await isDirectory(sharedRoot))) {
    return { name: 'parse', skipped: true, reason: `${relative(REPO_ROOT, sharedRoot) || sharedRoot} not found` };
  }
  const corpus = await buildCorpusText(sharedRoot, targetBytes);
  if (corpus.text === '') {
    return { name: 'parse', skipped: true, reason: `no *.md files in ${CORPUS_FOLDERS.map((f) => relative(REPO_ROOT, join(sharedRoot, f))).join(' or ')}` };
  }
  const { text } = corpus;

  const distParse = join(REPO_ROOT, 'dist', 'main', 'runbook', 'parse.js');
  if (!(await stat(distParse).catch(() => null))) {
    throw new Error(`${distParse} not found: build first (npx tsc -p tsconfig.node.json, or npm run bench)`);
  }
  const { parseRunbook } = await import(new URL('../dist/main/runbook/parse.js', import.meta.url).href);

  // The same processor the model builds, made here so that (a) shares none of (b)'s caches by accident.
  const markdown = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkGfm);
  const remark = () => markdown.parse(text);
  const model = () => parseRunbook(text);

  for (let i = 0; i < warmup; i++) {
    remark();
    model();
  }
  settle();

  const remarkSamples = [];
  const modelSamples = [];
  let runbook = null;
  let tree = null;
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always runs on a heap the other has just filled.
    const order = i % 2 === 0 ? ['remark', 'model'] : ['model', 'remark'];
    for (const which of order) {
      settle();
      if (which === 'remark') {
        const t = time(remark);
        remarkSamples.push(t.ms);
        tree = t.result;
      } else {
        const t = time(model);
        modelSamples.push(t.ms);
        runbook = t.result;
      }
    }
  }

  const remarkStats = summary(remarkSamples);
  const modelStats = summary(modelSamples);
  const ratio = modelStats.median / remarkStats.median;
  const blocks = runbook.steps.reduce((n, s) => n + s.blocks.length, 0);
  return {
    name: 'parse',
    skipped: false,
    input: {
      bytes: Buffer.byteLength(text, 'utf8'),
      lines: text.split('\n').length,
      files: corpus.files,
      copies: corpus.copies,
      mdastNodes: tree ? countNodes(tree) : 0,
    },
    runs,
    warmup,
    gc: typeof globalThis.gc === 'function',
    remark: remarkStats,
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

function countNodes(node) {
  let n = 1;
  if (Array.isArray(node.children)) for (const child of node.children) n += countNodes(child);
  return n;
}

function countSections(sections) {
  return sections.reduce((n, s) => n + 1 + countSections(s.sections), 0);
}
