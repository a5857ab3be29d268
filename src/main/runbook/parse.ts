// Markdown text → runbook model: normalise, repair mojibake, set aside front matter that is almost front
// matter, parse the markdown chunk by chunk (markdown-chunks.ts), and build the model section by section
// (outline.ts): each section's steps are collected when it closes, and its syntax tree is dropped. Each
// step is finished at once — its blocks read (classify.ts readBlock: transcripts, queries, optional
// variables), a note's code shown and not run (asides.ts) — and kept compact (compact.ts); a large text
// is parsed under a heap budget (heap-budget.ts).
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RootContent } from 'mdast';
import type {
  Block,
  FrontMatter,
  Profile,
  Runbook,
  Step,
} from '../../shared/runbook-model.js';
import { parseFenceInfo } from './attributes.js';
import { asideBlock } from './asides.js';
import { readBlock } from './classify.js';
import { ModelCompactor } from './compact.js';
import { DeferredSectionLinker } from './deferred-links.js';
import { Diagnostics, placeOf } from './diagnostics.js';
import { RunbookError } from './errors.js';
import { expectedInProse } from './expected.js';
import { scanFrontMatterNearMiss } from './front-matter-scan.js';
import { parseFrontMatter } from './frontmatter.js';
import { HeapBudget } from './heap-budget.js';
import { BlockIds, IdSpace, PREAMBLE_ID } from './ids.js';
import { type Definitions, type MarkdownNodes, MarkdownChunks, wholeDocumentNodes } from './markdown-chunks.js';
import { profileIn } from './markers.js';
import { repairMojibake } from './mojibake.js';
import { checkNesting } from './nesting.js';
import { Outline, type SectionNode } from './outline.js';
import { Source, endLine, startLine } from './source.js';
import { SectionStepCollector, type StepDraft } from './steps.js';
import { timingIn } from './timing.js';

export interface ParseOptions {
  /** Names the source in errors and in the model; defaults to "<input>". */
  file?: string;
  /** The SHA-256 (hex) of the bytes the text was decoded from; defaults to that of the text's UTF-8 bytes. */
  sha256?: string;
  /** Called after each chunk of markdown is read: for a progress bar while a large runbook loads. */
  onProgress?: (progress: ParseProgress) => void;
  /**
   * Parse the markdown in one piece, as remark alone would: the reference the chunked parse is tested
   * against. Slow (quadratic) on large list-heavy runbooks; never for real use.
   */
  wholeDocument?: boolean;
  /** How large chunks aim to be, in characters (tests use tiny ones to cut everywhere). */
  chunkChars?: number;
}

/** A block as the parser makes it: every field the block reader (classify.ts readBlock) sets is there. */
export type ParsedBlock = Block & Required<Pick<Block, 'source' | 'reading' | 'expectedOutput' | 'queries' | 'optionalVariables'>>;
export type ParsedStep = Omit<Step, 'blocks'> & { blocks: ParsedBlock[] };
/** The runbook model as parsed: a Runbook whose blocks have all been read. */
export type ParsedRunbook = Omit<Runbook, 'steps'> & { steps: ParsedStep[] };

export interface ParseProgress {
  /**
   * Characters of the (normalised) text read so far, and in all. In the rare second reading (a label the
   * first took for defined was not), `done` starts again from 0.
   */
  done: number;
  total: number;
  /** Steps found so far. */
  steps: number;
}

/** How long the asynchronous parse works before it lets other work run (ms). */
const SLICE_MS = 15;

/** Normalises line endings so that node values and line numbers agree with what editors show. */
function normaliseNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** Markdown text → the runbook model. Throws RunbookError for what it refuses to read. */
export function parseRunbook(input: string, options: ParseOptions = {}): ParsedRunbook {
  const run = buildRunbook(input, options);
  for (let r = run.next(); ; r = run.next()) if (r.done) return r.value;
}

/**
 * The same, letting other work run between chunks (a server stays responsive while a large runbook loads;
 * `onProgress` reports how far it is).
 */
export async function parseRunbookAsync(input: string, options: ParseOptions = {}): Promise<ParsedRunbook> {
  const run = buildRunbook(input, options);
  let since = performance.now();
  for (let r = run.next(); ; r = run.next()) {
    if (r.done) return r.value;
    if (performance.now() - since >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}

/** Yields after each chunk; returns the model. */
function* buildRunbook(input: string, options: ParseOptions): Generator<void, ParsedRunbook, void> {
  const file = options.file ?? '<input>';
  const sha256 = options.sha256 ?? createHash('sha256').update(input, 'utf8').digest('hex');
  const early = new Diagnostics(file);
  const repaired = repairMojibake(normaliseNewlines(input.replace(/^\uFEFF/, '')));
  if (repaired.offsets.length > 0) {
    early.add('mojibake-repaired', placeOf(repaired.text, repaired.offsets[0] as number), `repaired ${repaired.offsets.length} mis-decoded character sequence(s) (UTF-8 read as Windows-1252)`);
  }
  const { text } = scanFrontMatterNearMiss(repaired.text, early);
  checkNesting(text, file);
  const source = new Source(text);
  // A large text's garbage is collected as the parse goes (heap-budget.ts).
  const budget = HeapBudget.start(text);
  try {
    let labels: Definitions | undefined;
    for (;;) {
      const nodes = options.wholeDocument ? wholeDocumentNodes(text) : new MarkdownChunks(text, labels, options.chunkChars);
      const runbook = yield* readModel(nodes, { file, sha256, source, options, diagnostics: early.copy(), budget });
      // A label the first pass took for defined was not: read again, knowing which labels are (rare).
      if (!nodes.needsSecondPass) return runbook;
      labels = nodes.definedLabels();
    }
  } finally {
    budget?.release();
  }
}

interface ModelContext {
  file: string;
  sha256: string;
  source: Source;
  options: ParseOptions;
  diagnostics: Diagnostics;
  budget: HeapBudget | null;
}

function* readModel(nodes: MarkdownNodes, ctx: ModelContext): Generator<void, ParsedRunbook, void> {
  const { file, source, diagnostics } = ctx;
  const ids = new IdSpace();
  const linker = new DeferredSectionLinker();
  const compactor = new ModelCompactor();
  const steps: ParsedStep[] = [];
  let frontMatter: FrontMatter | null = null;
  let outline: Outline | null = null;

  // Steps of the top level (before the first heading, or under the document title) are named at the end,
  // when every top-level section is known: a section keeps its plain id even after a step of the same title.
  const topLevel: { node: SectionNode; drafts: StepDraft[] }[] = [];
  const nameSteps = (node: SectionNode, drafts: readonly StepDraft[]) => {
    const group = node.path === PREAMBLE_ID ? '' : node.path;
    // A heading step is its section: it has the section's id (once).
    let headingTaken = false;
    const stepId = (draft: StepDraft) => {
      if (draft.origin === 'heading' && !headingTaken) {
        headingTaken = true;
        return node.section.id;
      }
      // An item with no words of its own is titled "SECTION (line N)" (steps.ts); its id leaves the line out.
      const fallback = `${node.section.title} (line ${draft.line})`;
      return ids.stepId(group, draft.title === fallback ? node.section.title : draft.title);
    };
    for (const draft of drafts) {
      const step = finishStep(draft, node, { file, stepId, diagnostics, source, fallbackProfile: node.inheritedProfile, compactor });
      node.section.stepIds.push(step.id);
      steps.push(step);
    }
  };
  const collectSteps = (node: SectionNode) => {
    const collector = new SectionStepCollector(
      { id: node.section.id, title: node.section.title, rawTitle: node.rawTitle, line: node.section.line, content: node.content, subsections: node.section.sections.length, depth: node.section.depth },
      source,
      linker,
    );
    const drafts = collector.collect();
    node.section.notes.push(...compactor.notes(collector.notes));
    if (node.path === PREAMBLE_ID || node.path === '') topLevel.push({ node, drafts });
    else nameSteps(node, drafts);
  };
  const start = (fm: FrontMatter | null) => new Outline(source, fm, file, ids, collectSteps);

  for (;;) {
    let batch: RootContent[] | null;
    try {
      batch = nodes.next();
    } catch (error) {
      if (error instanceof RangeError) throw new RunbookError('nesting-too-deep', file, { line: 1 }, 'markdown nests too deeply to read');
      throw error;
    }
    if (batch === null) break;
    for (const node of batch) {
      if (!outline && node.type === 'yaml' && startLine(node) === 1) {
        frontMatter = parseFrontMatter(node.value, file, diagnostics);
        outline = start(frontMatter);
        continue;
      }
      outline ??= start(null);
      outline.add(node);
    }
    ctx.budget?.check();
    ctx.options.onProgress?.({ ...nodes.progress(), steps: steps.length });
    yield;
  }
  outline ??= start(null);
  outline.finish();
  for (const { node, drafts } of topLevel) nameSteps(node, drafts);
  steps.sort((a, b) => a.line - b.line);
  const sections = outline.sections();
  linker.settle(steps, sections, outline.rawTitles);
  return { title: outline.title, file: ctx.options.file ?? null, sha256: ctx.sha256, frontMatter, sections, steps, warnings: compactor.diagnostics(diagnostics.all()) };
}

interface FinishContext {
  file: string;
  /** The step's id: its section's for a heading step, else from the section path and its title (ids.ts). */
  stepId: (draft: StepDraft) => string;
  diagnostics: Diagnostics;
  source: Source;
  fallbackProfile: Profile | null;
  compactor: ModelCompactor;
}

function finishStep(draft: StepDraft, section: SectionNode, ctx: FinishContext): ParsedStep {
  const id = ctx.stepId(draft);
  const blockIds = new BlockIds();
  const read: ParsedBlock[] = draft.codes.map((code, index) => {
    const info = parseFenceInfo(code.lang, code.meta);
    if (info.error) ctx.diagnostics.add('fence-attributes', { line: startLine(code), column: code.position?.start.column }, `code fence ${info.error}`);
    checkFenceClosed(code, ctx);
    const reading = readBlock(info.lang, code.value, info.attributes);
    const name = typeof info.attributes.name === 'string' && info.attributes.name.trim() ? info.attributes.name.trim() : null;
    const target = typeof info.attributes.target === 'string' ? info.attributes.target : null;
    return {
      id: `${id}#${blockIds.take(name, index)}`,
      lang: info.lang,
      code: reading.code,
      line: startLine(code),
      name,
      action: reading.action,
      reason: reading.reason,
      attributes: info.attributes,
      target,
      // The plan refuses such a block: it must not run on the default target its attributes meant to avoid.
      ...(info.error ? { attributeError: info.error } : {}),
      expected: reading.expected,
      variables: reading.variables,
      source: reading.source,
      reading: reading.reading,
      expectedOutput: reading.expectedOutput,
      queries: reading.queries,
      optionalVariables: reading.optionalVariables,
    };
  });
  // A note's code is shown with its step, never run (asides.ts): the note names those blocks.
  const notes = draft.notes.map((note) => ({ ...note, blockIds: draft.codes.flatMap((code, i) => (draft.asides.get(code) === note ? [read[i]?.id ?? ''] : [])) }));
  const asides = new Set(notes.flatMap((n) => n.blockIds));
  const blocks = asides.size === 0 ? read : read.map((b) => (asides.has(b.id) ? asideBlock(b) : b));
  const body = draft.bodyParts.join('\n\n');
  const expected = [...expectedInProse(body), ...blocks.flatMap((b) => b.expected)];
  // In order of first use in any block; a variable only a note's code uses is not asked for.
  const kept = new Set(blocks.flatMap((b) => b.variables));
  const variables = [...new Set(read.flatMap((b) => b.variables))].filter((v) => kept.has(v));
  const attributeProfile = blocks
    .map((b) => b.attributes.profile)
    .find((p): p is Profile => p === 'standard' || p === 'regulated' || p === 'restricted');
  const step: ParsedStep = {
    id,
    kind: draft.kind,
    origin: draft.origin,
    title: draft.title,
    body,
    checked: draft.checked,
    line: draft.line,
    sectionId: section.section.id,
    profile: attributeProfile ?? profileIn(draft.rawTitle) ?? ctx.fallbackProfile,
    checks: draft.checks,
    blocks,
    expected,
    fillIns: draft.fillIns,
    variables,
    signoff: draft.signoff,
    decision: draft.decision,
    timing: timingIn(draft.title, body),
    notes,
  };
  // A JSON round trip keeps every field: every block is still read.
  return ctx.compactor.step(step) as ParsedStep;
}

function checkFenceClosed(code: RootContent, ctx: FinishContext): void {
  const open = ctx.source.line(startLine(code)).trim();
  const fence = /^(?:>\s*)*(?:[-*+]\s+|\d+[.)]\s+)*(`{3,}|~{3,})/.exec(open)?.[1];
  if (!fence) return;
  const last = endLine(code);
  const closing = ctx.source.line(last).trim().replace(/^(?:>\s*)+/, '');
  if (last === startLine(code) || !closing.startsWith(fence) || closing.replace(/[`~]/g, '').trim() !== '') {
    ctx.diagnostics.add('fence-unclosed', { line: startLine(code), column: code.position?.start.column }, `code fence ${fence} is never closed; the block runs to line ${last}`);
  }
}
