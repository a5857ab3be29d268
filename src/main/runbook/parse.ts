// Markdown text → runbook model: normalise, repair mojibake, parse with remark, walk sections and steps.
import { createHash } from 'node:crypto';
import type { Heading, Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type {
  Block,
  Diagnostic,
  FrontMatter,
  Profile,
  Runbook,
  Section,
  Step,
} from '../../shared/runbook-model.js';
import { parseFenceInfo } from './attributes.js';
import { classifyBlock } from './classify.js';
import { RunbookError } from './errors.js';
import { expectedInCode, expectedInProse } from './expected.js';
import { parseFrontMatter } from './frontmatter.js';
import { IdAllocator, slug } from './ids.js';
import { cleanTitle, profileIn } from './markers.js';
import { repairMojibake } from './mojibake.js';
import { checkNesting } from './nesting.js';
import { Source, endLine, startLine } from './source.js';
import { SectionStepCollector, type StepDraft } from './steps.js';
import { variablesIn } from './variables.js';
import { timingIn } from './timing.js';

export interface ParseOptions {
  /** Names the source in errors and in the model; defaults to "<input>". */
  file?: string;
  /** The bytes the text was decoded from, for the hash; defaults to the text's UTF-8 bytes. */
  bytes?: Uint8Array;
}

const markdown = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkGfm);

interface SectionNode {
  section: Section;
  rawTitle: string;
  /** Slugs of the headings above and including this one, less the document title. */
  idPath: string[];
  content: RootContent[];
  inheritedProfile: Profile | null;
}

/** Normalises line endings so that node values and line numbers agree with what editors show. */
function normaliseNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

export function parseRunbook(input: string, options: ParseOptions = {}): Runbook {
  const file = options.file ?? '<input>';
  const sha256 = createHash('sha256')
    .update(options.bytes ?? Buffer.from(input, 'utf8'))
    .digest('hex');
  const warnings: Diagnostic[] = [];
  const repaired = repairMojibake(normaliseNewlines(input.replace(/^\uFEFF/, '')));
  const source = new Source(repaired.text);
  if (repaired.offsets.length > 0) {
    const first = repaired.text.slice(0, repaired.offsets[0]).split('\n').length;
    warnings.push({ line: first, message: `repaired ${repaired.offsets.length} mis-decoded character sequence(s) (UTF-8 read as Windows-1252)` });
  }

  checkNesting(source.text, file);
  let root: Root;
  try {
    root = markdown.parse(source.text);
  } catch (error) {
    if (error instanceof RangeError) throw new RunbookError(file, 1, 'markdown nests too deeply to read');
    throw error;
  }

  let frontMatter: FrontMatter | null = null;
  const body: RootContent[] = [];
  for (const node of root.children) {
    if (node.type === 'yaml' && frontMatter === null && startLine(node) === 1) {
      frontMatter = parseFrontMatter(node.value, file);
    } else body.push(node);
  }

  const headings = body.filter((n): n is Heading => n.type === 'heading');
  const titleHeading = headings[0]?.depth === 1 ? headings[0] : undefined;
  const title =
    frontMatter?.title ??
    (titleHeading ? headingText(titleHeading) : undefined) ??
    (headings[0] ? headingText(headings[0]) : undefined) ??
    fileTitle(file);

  const sectionIds = new IdAllocator();
  const preamble: SectionNode = {
    section: { id: '_preamble', title, depth: 0, line: 1, profile: frontMatter?.profile ?? null, stepIds: [], sections: [] },
    rawTitle: title,
    idPath: [],
    content: [],
    inheritedProfile: frontMatter?.profile ?? null,
  };
  sectionIds.take('_preamble');
  const all: SectionNode[] = [preamble];
  const topLevel: Section[] = [];
  const stack: SectionNode[] = [];
  let current = preamble;

  for (const node of body) {
    if (node.type !== 'heading') {
      current.content.push(node);
      continue;
    }
    while (stack.length > 0 && (stack[stack.length - 1] as SectionNode).section.depth >= node.depth) stack.pop();
    const parent = stack[stack.length - 1];
    const raw = source.slice(node).replace(/^\s*#{1,6}\s*|\s*#*\s*$/g, '') || toString(node);
    const headingTitle = headingText(node) || `Section at line ${startLine(node)}`;
    const own = profileIn(raw);
    const isDocTitle = node === titleHeading;
    const idPath = isDocTitle ? [] : [...(parent?.idPath ?? []), slug(headingTitle) || `line-${startLine(node)}`];
    const inherited = own ?? parent?.inheritedProfile ?? frontMatter?.profile ?? null;
    const sectionNode: SectionNode = {
      section: {
        id: sectionIds.take(isDocTitle ? slug(headingTitle) || 'title' : idPath.join('/')),
        title: headingTitle,
        depth: node.depth,
        line: startLine(node),
        profile: inherited,
        stepIds: [],
        sections: [],
      },
      rawTitle: raw,
      idPath,
      content: [],
      inheritedProfile: inherited,
    };
    if (parent) parent.section.sections.push(sectionNode.section);
    else topLevel.push(sectionNode.section);
    stack.push(sectionNode);
    all.push(sectionNode);
    current = sectionNode;
  }

  const stepIds = new IdAllocator();
  const blockIds = new IdAllocator();
  const steps: Step[] = [];
  for (const node of all) {
    const collector = new SectionStepCollector(
      { id: node.section.id, title: node.section.title, rawTitle: node.rawTitle, line: node.section.line, content: node.content },
      source,
    );
    for (const draft of collector.collect()) {
      const step = finishStep(draft, node, { stepIds, blockIds, warnings, source, fallbackProfile: node.inheritedProfile });
      node.section.stepIds.push(step.id);
      steps.push(step);
    }
  }
  steps.sort((a, b) => a.line - b.line);
  warnings.sort((a, b) => a.line - b.line);

  const sections = preamble.section.stepIds.length > 0 ? [preamble.section, ...topLevel] : topLevel;
  return { title, file: options.file ?? null, sha256, frontMatter, sections, steps, warnings };
}

/** A heading's title; "{#anchor}" after it is an id for the site generator, not part of the title. */
function headingText(heading: Heading): string {
  return cleanTitle(toString(heading).replace(/\s*\{#[^}]*\}\s*$/, ''));
}

function fileTitle(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.(md|markdown|mdx)$/i, '') || 'Untitled runbook';
}

interface FinishContext {
  stepIds: IdAllocator;
  blockIds: IdAllocator;
  warnings: Diagnostic[];
  source: Source;
  fallbackProfile: Profile | null;
}

function finishStep(draft: StepDraft, section: SectionNode, ctx: FinishContext): Step {
  // A heading step is its section: the section path already names it.
  const ownSlug = slug(draft.title) || `line-${draft.line}`;
  const path = draft.origin === 'heading' && section.idPath.length > 0 ? section.idPath : [...section.idPath, ownSlug];
  const id = ctx.stepIds.take(path.join('/'));
  const blocks = draft.codes.map((code, index) => {
    const info = parseFenceInfo(code.lang, code.meta);
    if (info.error) ctx.warnings.push({ line: startLine(code), message: `code fence ${info.error}` });
    checkFenceClosed(code, ctx);
    const { action, reason } = classifyBlock(info.lang, code.value, info.attributes);
    const name = typeof info.attributes.name === 'string' && info.attributes.name.trim() ? info.attributes.name.trim() : null;
    const target = typeof info.attributes.target === 'string' ? info.attributes.target : null;
    const block: Block = {
      id: ctx.blockIds.take(`${id}#${name ? slug(name) || name : String(index + 1)}`),
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
  };
}

function checkFenceClosed(code: RootContent, ctx: FinishContext): void {
  const open = ctx.source.line(startLine(code)).trim();
  const fence = /^(?:>\s*)*(?:[-*+]\s+|\d+[.)]\s+)*(`{3,}|~{3,})/.exec(open)?.[1];
  if (!fence) return;
  const last = endLine(code);
  const closing = ctx.source.line(last).trim().replace(/^(?:>\s*)+/, '');
  if (last === startLine(code) || !closing.startsWith(fence) || closing.replace(/[`~]/g, '').trim() !== '') {
    ctx.warnings.push({
      line: startLine(code),
      message: `code fence ${fence} is never closed; the block runs to line ${last}`,
    });
  }
}
