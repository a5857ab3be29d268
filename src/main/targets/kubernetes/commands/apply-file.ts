// kubectl apply -f FILE|DIR…: the files (relative to the runbook's directory; a directory's .yaml, .yml
// and .json files, not recursively) go through the same dry-run, diff, confirm and server-side apply as a
// k8s-manifest block. Reading stdin (-f -) and URLs are refused: neither means anything here.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { applyObjects } from '../apply.js';
import { type CommandEnv } from '../command-env.js';
import { UsageError } from '../errors.js';
import { type FlagSpec, type ParsedArgs, flag, lastValue } from '../kubectl-args.js';
import { type ManifestObject, parseManifest } from '../manifest.js';

export const APPLY_FLAGS: FlagSpec = {
  values: { f: 'filename', filename: 'filename' },
  booleans: { 'server-side': 'server-side', 'force-conflicts': 'force-conflicts' },
};

function filesOf(baseDir: string, given: string): string[] {
  if (given === '-') throw new UsageError('apply -f - reads stdin, which a runbook block does not have; put the manifest in a k8s-manifest block');
  if (/^https?:\/\//.test(given)) throw new UsageError(`apply -f ${given}: manifests from URLs are not fetched; save it next to the runbook`);
  const full = path.resolve(baseDir, given);
  let stat;
  try {
    stat = statSync(full);
  } catch {
    throw new UsageError(`the path "${given}" does not exist (looked in ${full})`);
  }
  if (!stat.isDirectory()) return [full];
  return readdirSync(full)
    .filter((f) => /\.(ya?ml|json)$/i.test(f))
    .sort()
    .map((f) => path.join(full, f));
}

export async function applyFiles(env: CommandEnv, args: ParsedArgs): Promise<void> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected arguments: ${args.positionals.join(' ')}`);
  const given = args.values.get('filename') ?? [];
  if (given.length === 0) throw new UsageError('apply needs -f FILE (or put the manifest in a k8s-manifest block)');
  const items: ManifestObject[] = [];
  for (const file of given.flatMap((g) => filesOf(env.baseDir, g))) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    items.push(...parseManifest(text, path.relative(env.baseDir, file) || file));
  }
  await applyObjects(env, items, { namespace: lastValue(args, 'namespace') ?? null, forceConflicts: flag(args, 'force-conflicts') });
}
