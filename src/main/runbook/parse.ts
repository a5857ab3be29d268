// Markdown text → runbook model: normalise, repair mojibake, set aside front matter that is almost front
// matter, parse the markdown chunk by chunk (markdown-chunks.ts), and build the model section by section
// (outline.ts): each section's steps are collected when it closes, and its syntax tree is dropped.
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
import { classifyBlock } from './classify.js';
import { DeferredSectionLinker } from './deferred-links.js';
import { Diagnostics, placeOf } from './diagnostics.js';
import { RunbookError } from './errors.js';
import { expectedInCode, expectedInProse } from './expected.js';
import { scanFrontMatterNearMiss } from './front-matter-scan.js';
import { parseFrontMatter } from './frontmatter.js';
import { BlockIds, IdSpace, PREAMBLE_ID } from './ids.js';
import { type Definitions, type MarkdownNodes, MarkdownChunks, wholeDocumentNodes } from './markdown-chunks.js';
import { profileIn } from './markers.js';
import { repairMojibake } from './mojibake.js';
import { checkNesting } from './nesting.js';
import { Outline, type SectionNode } from './outline.js';
import { Source, endLine, startLine } from './source.js';
import { SectionStepCollector, type StepDraft } from './steps.js';
import { variablesIn } from './variables.js';
import { timingIn } from './timing.js';

export interface ParseOptions {
  /** Names the source in errors and in the model; defaults to "<input>". */
  file?: string;
  /** The bytes the text was decoded from, for the hash; defaults to the text's UTF-8 bytes. */
  bytes?: Uint8Array;
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
export function parseRunbook(input: string, options: ParseOptions = {}): Runbook {
  const run = buildRunbook(input, options);
  for (let r = run.next(); ; r = run.next()) if (r.done) return r.value;
}

/**
 * The same, letting other work run between chunks (a server stays responsive while a large runbook loads;
 * `onProgress` reports how far it is).
 */
export async function parseRunbookAsync(input: string, options: ParseOptions = {}): Promise<Runbook> {
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
function* buildRunbook(input: string, options: ParseOptions): Generator<void, Runbook, void> {
  const file = options.file ?? '<input>';
  const sha256 = createHash('sha256')
    .update(options.bytes ?? Buffer.from(input, 'utf8'))
    .digest('hex');
  const early = new Diagnostics(file);
  const repaired = repairMojibake(normaliseNewlines(input.replace(/^\uFEFF/, '')));
  if (repaired.offsets.length > 0) {
    early.add('mojibake-repaired', placeOf(repaired.text, repaired.offsets[0] as number), `repaired ${repaired.offsets.length} mis-decoded character sequence(s) (UTF-8 read as Windows-1252)`);
  }
  const { text } = scanFrontMatterNearMiss(repaired.text, early);
  checkNesting(text, file);
  const source = new Source(text);
  let labels: Definitions | undefined;
  for (;;) {
    const nodes = options.wholeDocument ? wholeDocumentNodes(text) : new MarkdownChunks(text, labels, options.chunkChars);
    const runbook = yield* readModel(nodes, { file, sha256, source, options, diagnostics: early.copy() });
    // A label the first pass took for defined was not: read again, knowing which labels are (rare).
    if (!nodes.needsSecondPass) return runbook;
    labels = nodes.definedLabels();
  }
}

interface ModelContext {
  file: string;
  sha256: string;
  source: Source;
  options: ParseOptions;
  diagnostics: Diagnostics;
}

function* readModel(nodes: MarkdownNodes, ctx: ModelContext): Generator<void, Runbook, void> {
  const { file, source, diagnostics } = ctx;
  const ids = new IdSpace();
  const linker = new DeferredSectionLinker();
  const steps: Step[] = [];
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
      const step = finishStep(draft, node, { file, stepId, diagnostics, source, fallbackProfile: node.inheritedProfile });
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
    node.section.notes.push(...collector.notes);
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
    ctx.options.onProgress?.({ ...nodes.progress(), steps: steps.length });
    yield;
  }
  outline ??= start(null);
  outline.finish();
  for (const { node, drafts } of topLevel) nameSteps(node, drafts);
  steps.sort((a, b) => a.line - b.line);
  const sections = outline.sections();
  linker.settle(steps, sections, outline.rawTitles);
  return { title: outline.title, file: ctx.options.file ?? null, sha256: ctx.sha256, frontMatter, sections, steps, warnings: diagnostics.all() };
}

interface FinishContext {
  file: string;
  /** The step's id: its section's for a heading step, else from the section path and its title (ids.ts). */
  stepId: (draft: StepDraft) => string;
  diagnostics: Diagnostics;
  source: Source;
  fallbackProfile: Profile | null;
}

function finishStep(draft: StepDraft, section: SectionNode, ctx: FinishContext): Step {
  const id = ctx.stepId(draft);
  const blockIds = new BlockIds();
  const blocks = draft.codes.map((code, index) => {
    const info = parseFenceInfo(code.lang, code.meta);
    if (info.error) ctx.diagnostics.add('fence-attributes', { line: startLine(code), column: code.position?.start.column }, `code fence ${info.error}`);
    checkFenceClosed(code, ctx);
    const { action, reason } = classifyBlock(info.lang, code.value, info.attributes);
    const name = typeof info.attributes.name === 'string' && info.attributes.name.trim() ? info.attributes.name.trim() : null;
    const target = typeof info.attributes.target === 'string' ? info.attributes.target : null;
    const block: Block = {
      id: `${id}#${blockIds.take(name, index)}`,
      lang: info.lang,
      code: code.value,
      line: startLine(code),
      name,
      action,
      reason,
      attributes: info.attributes,
      target,
      // The plan refuses such a block: it must not run on the default target its attributes meant to avoid.
      ...(info.error ? { attributeError: info.error } : {}),
      expected: expectedInCode(code.value),
      variables: variablesIn(code.value, action),
    };
    return block;
  });
  const body = draft.bodyParts.join('\n\n');
  const expected = [...expectedInProse(body), ...blocks.flatMap((b) => b.expected)];
  const variables = [...new Set(blocks.flatMap((b) => b.variables))];
  const attributeProfile = blocks
    .map((b) => b.attributes.profile)
    .find((p): p is Profile => p === 'standard' || p === 'regulated' || p === 'restricted');
  return {
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
    // A note's code is shown with its step, never run (asides.ts): the note names those blocks.
    notes: draft.notes.map((note) => ({ ...note, blockIds: draft.codes.flatMap((code, i) => (draft.asides.get(code) === note ? [blocks[i]?.id ?? ''] : [])) })),
  };
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
