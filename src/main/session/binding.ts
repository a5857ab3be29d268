// Which target each executable block runs on: its fence attribute, else the runbook's front matter
// defaults, else the targets file's defaults for its action kind. An unbound block is reported, not guessed.
import type { Action, Block, Runbook } from '../../shared/runbook-model.js';
import { type Target, TargetSchema, type TargetsFile } from '../../shared/targets.js';

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

export class BindingError extends Error {}

/** Merges the runbook's front-matter targets, the targets file (which wins) and the built-in local shell. */
export function targetSet(runbook: Runbook, file: TargetsFile | null): TargetSet {
  const targets = new Map<string, Target>([[BUILTIN_LOCAL, { kind: 'local' }]]);
  for (const [name, raw] of Object.entries(runbook.frontMatter?.targets ?? {})) {
    const parsed = TargetSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BindingError(`front matter target "${name}": ${[...(issue?.path ?? [])].join('.') || 'config'}: ${issue?.message}`);
    }
    targets.set(name, parsed.data);
  }
  for (const [name, target] of Object.entries(file?.targets ?? {})) targets.set(name, target);
  const fm = (runbook.frontMatter?.defaults ?? {}) as Partial<Record<DefaultKey, string>>;
  return { targets, defaults: { shell: BUILTIN_LOCAL, ...file?.defaults }, frontMatterDefaults: fm };
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
