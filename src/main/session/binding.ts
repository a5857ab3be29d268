// Which target each executable block runs on: its fence attribute, else the runbook's front matter
// defaults, else the targets file's defaults for its action kind. An unbound block is reported, not guessed.
// Targets come only from the operator (the targets file, the app's settings): a runbook may name them,
// never define them, so it cannot send a step or a credential to a host of its choosing.
import { looksLike } from '../runbook/attributes.js';
import type { Action, Block, Runbook } from '../../shared/runbook-model.js';
import type { Target, TargetsFile } from '../../shared/targets.js';

export type DefaultKey = 'shell' | 'sql' | 'k8s' | 'promql';

const DEFAULT_KEY: Record<Exclude<Action, 'display'>, DefaultKey> = {
  shell: 'shell',
  sql: 'sql',
  'k8s-manifest': 'k8s',
  promql: 'promql',
};

/** The built-in target: shell blocks run on this machine unless a targets file or the runbook says otherwise. */
export const BUILTIN_LOCAL = 'local';

export interface TargetSet {
  targets: Map<string, Target>;
  defaults: Partial<Record<DefaultKey, string>>;
  frontMatterDefaults: Partial<Record<DefaultKey, string>>;
}

export class BindingError extends Error {
  constructor(
    message: string,
    /** The runbook file's line the error is about, when known. */
    readonly line: number | null = null,
  ) {
    super(message);
  }
}

/**
 * The operator's targets (the targets file or settings, which may redefine `local`) and the built-in local
 * shell. A runbook whose front matter defines targets is refused (BindingError) rather than half-obeyed:
 * its author meant its blocks to run somewhere the operator did not say. `source` (the runbook's text or
 * bytes) lets the error name the front matter's line.
 */
export function targetSet(runbook: Runbook, file: TargetsFile | null, source?: string | Uint8Array): TargetSet {
  const lineOf = (key: string) => (source === undefined ? null : frontMatterKeyLine(source, key));
  const where = (line: number | null) => (line === null ? 'the front matter' : `front matter line ${line}`);
  const defined = runbook.frontMatter?.targets;
  if (defined !== undefined) {
    const line = lineOf('targets');
    const names = Object.keys(defined);
    throw new BindingError(
      `${where(line)} defines targets${names.length > 0 ? ` (${names.join(', ')})` : ''}: ` +
        'a runbook may only name targets ({"target":"NAME"} on a fence, defaults: in the front matter); ' +
        "define them in the operator's targets file (--targets) or the app's settings, then remove targets: from the runbook",
      line,
    );
  }
  // A near-miss of `targets` or `defaults` (or a YAML merge key hiding one) would be ignored and its blocks
  // would run on the default target: refused, never guessed.
  for (const key of Object.keys(runbook.frontMatter ?? {})) {
    if (key === 'defaults' || key === 'targets') continue;
    if (key === '<<' || looksLike(key, 'target') || looksLike(key, 'default')) {
      const line = lineOf(key);
      throw new BindingError(`${where(line)} has "${key}", which is not "defaults": where blocks run is never guessed; write defaults: { shell: NAME, sql: NAME, … } exactly`, line);
    }
  }
  const targets = new Map<string, Target>([[BUILTIN_LOCAL, { kind: 'local' }]]);
  for (const [name, target] of Object.entries(file?.targets ?? {})) targets.set(name, target);
  const fm = (runbook.frontMatter?.defaults ?? {}) as Partial<Record<DefaultKey, string>>;
  return { targets, defaults: { shell: BUILTIN_LOCAL, ...file?.defaults }, frontMatterDefaults: fm };
}

/** The 1-based line of a top-level key of the front matter (line 1 is its opening "---"); null when not found. */
export function frontMatterKeyLine(source: string | Uint8Array, key: string): number | null {
  const text = typeof source === 'string' ? source : Buffer.from(source).toString('utf8');
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
  if (lines[0]?.trim() !== '---') return null;
  const keyLine = new RegExp(`^(["']?)${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1\\s*:`);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^(---|\.\.\.)\s*$/.test(line)) return null;
    if (keyLine.test(line)) return i + 1;
  }
  return null;
}

/** Why a block's fence attributes keep it from running, or null: it must never fall back to a default target. */
export function attributeProblem(block: Block): string | null {
  if (block.attributeError !== undefined) return `line ${block.line}: fence attributes cannot be read: ${block.attributeError} — fix them; the block is not run`;
  // A target attribute the model did not take as a name would leave the block to the default target.
  if (block.attributes.target !== undefined && !block.target) return `line ${block.line}: fence attribute "target" is not a target's name — fix it; the block is not run`;
  return null;
}

export interface Binding {
  targetName: string;
  target: Target;
  /** Where the binding came from, for the record. */
  source: 'fence attribute' | 'front matter' | 'targets file defaults' | 'built-in default' | 'operator choice';
}

/** The target a block runs on, or an error message naming the block and what is missing. */
export function bindBlock(block: Block, set: TargetSet): Binding | string {
  if (block.action === 'display') return 'display blocks are not run';
  const unreadable = attributeProblem(block);
  if (unreadable) return unreadable;
  const key = DEFAULT_KEY[block.action];
  let name: string | undefined;
  let source: Binding['source'];
  if (block.target) {
    name = block.target;
    source = 'fence attribute';
  } else if (set.frontMatterDefaults[key]) {
    name = set.frontMatterDefaults[key];
    source = 'front matter';
  } else {
    name = set.defaults[key];
    source = name === BUILTIN_LOCAL && key === 'shell' ? 'built-in default' : 'targets file defaults';
  }
  if (!name) return `line ${block.line}: ${block.action} block has no target (add {"target":"NAME"} to its fence or defaults.${key} to the targets file)`;
  const target = set.targets.get(name);
  if (!target) return `line ${block.line}: target "${name}" is not defined (known: ${[...set.targets.keys()].join(', ')})`;
  return { targetName: name, target, source };
}
