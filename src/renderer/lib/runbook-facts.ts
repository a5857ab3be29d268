// What the console works out from the runbook model alone, before and during a run: no API calls here.
import { isNegativeChoice } from '../../shared/fill-in-values.js';
import { PROFILES } from '../../shared/profiles.js';
import type { Block, Profile, Runbook, Section, Step } from '../../shared/runbook-model.js';

export const PROFILE_LABEL: Record<Profile, string> = { standard: 'STANDARD', regulated: 'REGULATED+', restricted: 'RESTRICTED' };

const rank = (profile: Profile | null) => (profile === null ? 0 : PROFILES.indexOf(profile));

/** Steps a run at `profile` hides: those marked above it (the same rule the run planner applies). */
export function hiddenSteps(runbook: Runbook, profile: Profile): Step[] {
  return runbook.steps.filter((s) => rank(s.profile) > rank(profile));
}

/** How many steps carry each profile marker (own or inherited from their heading). */
export function profileMarkers(runbook: Runbook): Record<Profile, number> {
  const counts: Record<Profile, number> = { standard: 0, regulated: 0, restricted: 0 };
  for (const step of runbook.steps) if (step.profile) counts[step.profile]++;
  return counts;
}

// Names the host masks as secrets (see the README: *_PASSWORD, *_TOKEN, *_SECRET and the like).
const SECRET_NAME = /(pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|credential)/i;

export interface VariableInput {
  /** As the run API takes it: the bare name, "<NAME>" placeholders without their brackets. */
  name: string;
  secret: boolean;
  description: string | null;
  /** A step shown needs a value for it (these are the variables a run cannot do without). */
  required: true;
}

export const bareName = (name: string) => name.replace(/^<|>$/g, '');

type Declared = NonNullable<NonNullable<Runbook['frontMatter']>['variables']>[string];

/** Secret by its front-matter declaration or by its name. */
const isSecret = (name: string, decl: Declared | undefined) => (typeof decl === 'object' && decl.secret === true) || SECRET_NAME.test(name);

/** The variables (bare names) the steps shown at `profile` need a value for. */
const neededNames = (runbook: Runbook, profile: Profile) => new Set(runbook.steps.filter((s) => rank(s.profile) <= rank(profile)).flatMap((s) => s.variables.map(bareName)));

/** Variables the steps shown at `profile` reference and the front matter gives no default for. */
export function variablesToAsk(runbook: Runbook, profile: Profile): VariableInput[] {
  const declared = runbook.frontMatter?.variables ?? {};
  const inputs: VariableInput[] = [];
  for (const name of neededNames(runbook, profile)) {
    const decl = declared[name];
    const object = typeof decl === 'object' ? decl : null;
    if (decl !== undefined && (object === null || object.default !== undefined)) continue;
    inputs.push({ name, secret: isSecret(name, decl), description: object?.description ?? null, required: true });
  }
  return inputs;
}

/** A variable a shown step needs whose front matter gives a default: shown with it, editable. */
export interface DefaultedVariableInput {
  name: string;
  secret: boolean;
  description: string | null;
  /** What the field starts with: the default (empty for a secret's: not shown). */
  prefill: string;
}

/**
 * Variables the steps shown at `profile` need whose front matter gives a default (the others variablesToAsk
 * asks for). Left as it is, the default applies (it is not sent, so the record says where the value came from).
 */
export function defaultedVariables(runbook: Runbook, profile: Profile): DefaultedVariableInput[] {
  const declared = runbook.frontMatter?.variables ?? {};
  return [...neededNames(runbook, profile)].flatMap((name) => {
    const decl = declared[name];
    if (decl === undefined) return [];
    const object = typeof decl === 'object' ? decl : null;
    const value = object ? object.default : String(decl);
    if (value === undefined) return [];
    const secret = isSecret(name, decl);
    return [{ name, secret, prefill: secret ? '' : value, description: object?.description ?? null }];
  });
}

/** Every section, depth first, in document order. */
export function flattenSections(sections: readonly Section[]): Section[] {
  return sections.flatMap((s) => [s, ...flattenSections(s.sections)]);
}

const ROLLBACK = /\broll[\s-]?back\b|\brollback\b/i;

/**
 * Whether a decision option means "do not go on" (NO-GO, roll back, abort, stop…): the host's one rule
 * (src/shared/fill-in-values.ts), by which such a choice naming nowhere to go stops the run.
 */
export const isNegativeDecision = (decision: string) => isNegativeChoice(decision);

/** The first section whose heading is about rolling back, if the runbook has one. */
export function rollbackSection(runbook: Runbook): Section | null {
  return flattenSections(runbook.sections).find((s) => ROLLBACK.test(s.title)) ?? null;
}

/** The decision options of a step, GO / NO-GO when the text names none. */
export function decisionOptions(step: Step): string[] {
  return step.decision?.options.length ? step.decision.options : ['GO', 'NO-GO'];
}

const words = (text: string): string[] => [...(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];

/**
 * Where a decision leads: the section the model says the choice leads to (a link or a name in the runbook,
 * parsed by the host), else a section the option names, else roll-back for a negative answer, else the next step on.
 */
export function decisionTarget(runbook: Runbook, stepId: string, decision: string, visible: (id: string) => boolean): { title: string; sectionId: string | null; stepId: string | null } | null {
  const sections = flattenSections(runbook.sections);
  const own = runbook.steps.find((s) => s.id === stepId)?.sectionId ?? null;
  const leadsTo = runbook.steps.find((s) => s.id === stepId)?.decision?.choices?.find((c) => c.label === decision)?.leadsTo ?? null;
  const modelled = leadsTo ? sections.find((s) => s.id === leadsTo) : undefined;
  if (modelled) return { title: modelled.title, sectionId: modelled.id, stepId: flattenSections([modelled]).flatMap((s) => s.stepIds).find(visible) ?? null };
  const wanted = words(decision).filter((w) => w.length > 1 && w !== 'go' && w !== 'no');
  const firstVisible = (section: Section) => section.stepIds.find(visible) ?? null;
  const named = wanted.length ? sections.find((s) => s.id !== own && wanted.every((w) => words(s.title).includes(w)) && firstVisible(s)) : undefined;
  if (named) return { title: named.title, sectionId: named.id, stepId: firstVisible(named) };
  if (isNegativeDecision(decision)) {
    const rollback = rollbackSection(runbook);
    return rollback ? { title: rollback.title, sectionId: rollback.id, stepId: firstVisible(rollback) } : null;
  }
  // Going on: the next visible step after the decision that is not part of a roll-back.
  const rollbackIds = new Set(sections.filter((s) => ROLLBACK.test(s.title)).flatMap((s) => flattenSections([s]).flatMap((x) => x.stepIds)));
  const at = runbook.steps.findIndex((s) => s.id === stepId);
  const next = runbook.steps.slice(at + 1).find((s) => visible(s.id) && !rollbackIds.has(s.id));
  return next ? { title: next.title, sectionId: null, stepId: next.id } : null;
}

/** A variable the code gives a default for or only tests (${NAME:-x} …): passed when given, never required. */
export interface OptionalVariableInput {
  name: string;
  secret: boolean;
  description: string | null;
  /** The default as written (the front matter's when it declares one, else the code's); null when there is none. */
  defaultText: string | null;
  /** Where that default comes from. */
  defaultFrom: 'front matter' | 'code' | null;
  /** What the field starts with: the default when it is a plain value, else empty (the default then applies by itself). */
  prefill: string;
  /** More than one default in the code (steps disagree): none is shown as the one. */
  differing: string[];
}

/** Each `${NAME<op>word}` of the code that gives NAME a default (-, :-, =, :=) or tests it (+, :+), with its word as written. */
export function defaultsInCode(code: string, name: string): { op: string; word: string }[] {
  const found: { op: string; word: string }[] = [];
  for (const m of code.matchAll(new RegExp(`\\$\\{${name}(:?[-=+])`, 'g'))) {
    const start = (m.index ?? 0) + m[0].length;
    let depth = 1;
    let i = start;
    for (; i < code.length && depth > 0; i++) {
      const ch = code[i];
      if (ch === '\\') i++;
      else if (ch === '$' && code[i + 1] === '{') {
        depth++;
        i++;
      } else if (ch === '}') depth--;
    }
    if (depth === 0) found.push({ op: m[1] as string, word: code.slice(start, i - 1) });
  }
  return found;
}

/** A default the field can hold as it is: no expansion, quoting or globbing for the shell to do first. */
const PLAIN = /^[^$`\\'"~*?[\]{}]*$/;

/**
 * Variables the steps shown at `profile` use only with a default or a test, and no step needs a value for
 * (a name one block needs is required, whatever another does with it): offered with their default.
 */
export function optionalVariablesToOffer(runbook: Runbook, profile: Profile): OptionalVariableInput[] {
  const shown = runbook.steps.filter((s) => rank(s.profile) <= rank(profile));
  const required = new Set(shown.flatMap((s) => s.variables.map(bareName)));
  const blocks = shown.flatMap((s) => s.blocks).filter((b) => b.action !== 'display');
  const names = [...new Set(blocks.flatMap((b) => b.optionalVariables ?? []))].filter((n) => !required.has(n));
  const declared = runbook.frontMatter?.variables ?? {};
  return names.map((name) => {
    const decl = declared[name];
    const object = typeof decl === 'object' ? decl : null;
    const declaredDefault = decl === undefined ? undefined : object ? object.default : String(decl);
    const secret = isSecret(name, decl);
    const base = { name, secret, description: object?.description ?? null };
    if (declaredDefault !== undefined) return { ...base, defaultText: declaredDefault, defaultFrom: 'front matter' as const, prefill: secret ? '' : declaredDefault, differing: [] };
    const words = [...new Set(blocks.flatMap((b) => defaultsInCode(b.code, name)).filter((d) => !d.op.endsWith('+')).map((d) => d.word))];
    if (words.length !== 1) return { ...base, defaultText: null, defaultFrom: null, prefill: '', differing: words };
    const word = words[0] as string;
    return { ...base, defaultText: word, defaultFrom: 'code' as const, prefill: !secret && PLAIN.test(word) ? word : '', differing: [] };
  });
}

/** How a block's text was read, in a few words for its badge (the reason is beside it). */
export function readingLabel(block: Block): string | null {
  const reading = block.reading;
  if (!reading) return null;
  switch (reading.kind) {
    case 'transcript':
      return block.action === 'display' ? 'transcript — not run' : 'transcript — prompts removed';
    case 'output':
      return 'output — not run';
    case 'queries':
      return `${block.queries?.length ?? 'several'} queries`;
    default:
      return 'as written';
  }
}

/** The step a line belongs to: the one holding a block that starts there, else the last step starting at or before it. */
export function stepAtLine(runbook: Runbook, line: number): Step | null {
  const withBlock = runbook.steps.find((s) => s.blocks.some((b) => b.line === line));
  if (withBlock) return withBlock;
  let found: Step | null = null;
  for (const step of runbook.steps) {
    if (step.line > line) break;
    found = step;
  }
  return found;
}
