// kubectl set image TYPE/NAME CONTAINER=IMAGE… and set env TYPE/NAME KEY=VALUE… KEY-… for pods and the
// workloads that carry a pod template. Both read the object, compute the new container fields, and send a
// JSON patch whose test operations make it fail rather than land on a container list changed meanwhile.
import { type CommandEnv, type Loose, PATCH_TYPES, apiGet, apiPatch, namespaceOf, resolve } from '../command-env.js';
import { CommandFailed, NotNative, UsageError } from '../errors.js';
import { type FlagSpec, type ParsedArgs, lastValue } from '../kubectl-args.js';
import { type ResourceType, qualifiedName, resourcePath } from '../resources.js';
import { objectRefs } from './refs.js';

export const SET_FLAGS: FlagSpec = {
  values: { c: 'containers', containers: 'containers', e: 'env', env: 'env' },
};

/** Where the pod spec sits in an object of this kind, as a JSON pointer. */
function podSpecPointer(type: ResourceType): string | null {
  switch (type.kind) {
    case 'Pod':
      return '/spec';
    case 'CronJob':
      return '/spec/jobTemplate/spec/template/spec';
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return '/spec/template/spec';
    default:
      return null;
  }
}

function at(obj: Loose, pointer: string): Loose | undefined {
  return pointer
    .split('/')
    .slice(1)
    .reduce<Loose | undefined>((v, key) => v?.[key] as Loose | undefined, obj);
}

interface Split {
  refs: string[];
  assignments: string[];
}

/**
 * The object references come first; the first word with '=' (or ending in '-' for env) starts the
 * assignments. An unquoted glob is taken literally only where kubectl means it: `set image x *=IMAGE`.
 */
function split(args: ParsedArgs, line: { globs: number[] }, isAssignment: (word: string) => boolean, allowGlob: (word: string) => boolean): Split {
  const words = args.positionals.slice(1);
  const indexes = args.positionalIndex.slice(1);
  words.forEach((word, i) => {
    if (line.globs.includes(indexes[i] as number) && !allowGlob(word)) throw new UsageError(`${word} would be expanded by a shell (quote it)`);
  });
  const first = words.findIndex(isAssignment);
  if (first === -1) return { refs: words, assignments: [] };
  return { refs: words.slice(0, first), assignments: words.slice(first) };
}

interface Workload {
  type: ResourceType;
  name: string;
  path: string;
  pointer: string;
}

async function workloads(env: CommandEnv, args: ParsedArgs, refs: string[], verb: string): Promise<Workload[]> {
  const namespace = namespaceOf(env, args);
  const result: Workload[] = [];
  for (const ref of objectRefs(refs, verb)) {
    const type = await resolve(env, ref.spelled);
    const pointer = podSpecPointer(type);
    if (!pointer) throw new NotNative(`${verb} on a ${type.kind}`);
    result.push({ type, name: ref.name, path: resourcePath(type, namespace, ref.name), pointer });
  }
  return result;
}

type ContainerList = 'containers' | 'initContainers';

async function setImage(env: CommandEnv, args: ParsedArgs, line: { globs: number[] }): Promise<void> {
  const { refs, assignments } = split(args, line, (w) => w.includes('='), (w) => w.startsWith('*='));
  if (assignments.length === 0) throw new UsageError('set image needs at least one CONTAINER=IMAGE');
  const images = assignments.map((word) => {
    const eq = word.indexOf('=');
    const container = word.slice(0, eq);
    const image = word.slice(eq + 1);
    if (!container || !image) throw new UsageError(`"${word}" is not CONTAINER=IMAGE`);
    return { container, image };
  });
  for (const w of await workloads(env, args, refs, 'set image')) {
    const obj = await apiGet<Loose>(env, w.path);
    const podSpec = at(obj, w.pointer) ?? {};
    const patch: unknown[] = [];
    for (const { container, image } of images) {
      let matched = false;
      for (const list of ['initContainers', 'containers'] as ContainerList[]) {
        ((podSpec[list] ?? []) as Loose[]).forEach((c, i) => {
          if (container !== '*' && c.name !== container) return;
          matched = true;
          if (c.image === image) return;
          const base = `${w.pointer}/${list}/${i}`;
          patch.push({ op: 'test', path: `${base}/name`, value: c.name }, { op: 'replace', path: `${base}/image`, value: image });
        });
      }
      if (!matched) throw new CommandFailed(`unable to find container named "${container}"`);
    }
    if (patch.length === 0) {
      env.out.stdout(`${qualifiedName(w.type, w.name)} image unchanged\n`);
      continue;
    }
    await apiPatch(env, w.path, patch, PATCH_TYPES.json);
    env.out.stdout(`${qualifiedName(w.type, w.name)} image updated\n`);
  }
}

async function setEnv(env: CommandEnv, args: ParsedArgs, line: { globs: number[] }): Promise<void> {
  if (args.positionals.slice(1).includes('-')) throw new NotNative('set env reading from stdin');
  const isAssignment = (w: string) => w.includes('=') || /^[A-Za-z_][A-Za-z0-9_.-]*-$/.test(w);
  const { refs, assignments } = split(args, line, isAssignment, () => false);
  const words = [...(args.values.get('env') ?? []), ...assignments];
  if (words.length === 0) throw new UsageError('set env needs at least one KEY=VALUE or KEY-');
  const sets = new Map<string, string>();
  const removes = new Set<string>();
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq > 0) {
      sets.set(word.slice(0, eq), word.slice(eq + 1));
      removes.delete(word.slice(0, eq));
    } else if (word.endsWith('-') && eq === -1) {
      removes.add(word.slice(0, -1));
      sets.delete(word.slice(0, -1));
    } else throw new UsageError(`"${word}" is not KEY=VALUE or KEY-`);
  }
  const only = lastValue(args, 'containers') ?? '*';
  for (const w of await workloads(env, args, refs, 'set env')) {
    const obj = await apiGet<Loose>(env, w.path);
    const podSpec = at(obj, w.pointer) ?? {};
    const patch: unknown[] = [];
    let matched = false;
    for (const list of ['initContainers', 'containers'] as ContainerList[]) {
      ((podSpec[list] ?? []) as Loose[]).forEach((c, i) => {
        if (only !== '*' && c.name !== only) return;
        if (only === '*' && list === 'initContainers') return; // as kubectl: init containers only when named
        matched = true;
        const before = (c.env ?? []) as Loose[];
        const after = before.filter((e) => !removes.has(e.name)).map((e) => (sets.has(e.name) ? { name: e.name, value: sets.get(e.name) } : e));
        for (const [name, value] of sets) if (!after.some((e) => e.name === name)) after.push({ name, value });
        if (JSON.stringify(after) === JSON.stringify(before)) return;
        const base = `${w.pointer}/${list}/${i}`;
        patch.push({ op: 'test', path: `${base}/name`, value: c.name });
        if (after.length > 0) patch.push({ op: 'add', path: `${base}/env`, value: after });
        else patch.push({ op: 'remove', path: `${base}/env` });
      });
    }
    if (!matched) throw new CommandFailed(`unable to find container named "${only}"`);
    if (patch.length === 0) {
      env.out.stdout(`${qualifiedName(w.type, w.name)} env unchanged\n`);
      continue;
    }
    await apiPatch(env, w.path, patch, PATCH_TYPES.json);
    env.out.stdout(`${qualifiedName(w.type, w.name)} env updated\n`);
  }
}

export async function set(env: CommandEnv, args: ParsedArgs, line: { globs: number[] }): Promise<void> {
  switch (args.positionals[0]) {
    case 'image':
      return setImage(env, args, line);
    case 'env':
      return setEnv(env, args, line);
    default:
      throw new NotNative(`set ${args.positionals[0] ?? '(no subcommand)'}`);
  }
}
