// The patch semantics of the Kubernetes API, as far as the fake needs them: JSON merge patch (RFC 7386),
// strategic merge patch (lists of containers, env, ports, volumes… merged by their key; `$patch: delete`),
// JSON patch (RFC 6902, including `test`), and the field paths server-side apply reports conflicts on.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class PatchError extends Error {}

export function jsonMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = jsonMergePatch(result[key], value);
  }
  return result;
}

/** The merge key of a list field, as the Kubernetes OpenAPI declares (x-kubernetes-patch-merge-key). */
function mergeKey(field: string, items: Json[]): string | null {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'ports':
      return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
    default:
      return null;
  }
}

function mergeList(base: Json[], patch: Json[], key: string): Json[] {
  const result = structuredClone(base);
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = result.findIndex((r) => isObject(r) && r[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index !== -1) result.splice(index, 1);
    } else if (index !== -1) result[index] = strategicMergePatch(result[index], item);
    else result.push(strategicMerge({}, item));
  }
  return result;
}

function strategicMerge(target: JsonObject, patch: JsonObject): JsonObject {
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  const result = structuredClone(target);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue; // $setElementOrder, $retainKeys: order and pruning hints the fake ignores
    if (value === null) delete result[key];
    else if (Array.isArray(value)) {
      const mk = mergeKey(key, value);
      result[key] = mk && value.every(isObject) ? mergeList(Array.isArray(result[key]) ? (result[key] as Json[]) : [], value, mk) : structuredClone(value);
    } else if (isObject(value)) result[key] = strategicMerge(isObject(result[key]) ? (result[key] as JsonObject) : {}, value);
    else result[key] = value;
  }
  return result;
}

export function strategicMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  return strategicMerge(isObject(target) ? target : {}, patch);
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, segments: string[], path: string): { parent: JsonObject | Json[]; last: string } {
  let node: Json = doc;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(segment)] as Json;
    else if (isObject(node)) node = node[segment] as Json;
    else node = undefined as unknown as Json;
    if (node === undefined || node === null || typeof node !== 'object') throw new PatchError(`doc is missing path: "${path}"`);
  }
  return { parent: node as JsonObject | Json[], last: segments.at(-1) as string };
}

function read(doc: Json, path: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const segment of pointer(path)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = node[segment];
    else return undefined;
  }
  return node;
}

export function jsonPatch(doc: Json, operations: Json): Json {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be a list of operations');
  let result = structuredClone(doc);
  for (const raw of operations) {
    if (!isObject(raw)) throw new PatchError('a JSON patch operation must be an object');
    const op = raw.op;
    const path = String(raw.path ?? '');
    const segments = pointer(path);
    const write = (value: Json, mode: 'add' | 'replace') => {
      if (segments.length === 0) {
        result = structuredClone(value);
        return;
      }
      const { parent, last } = parentOf(result, segments, path);
      if (Array.isArray(parent)) {
        const index = last === '-' ? parent.length : Number(last);
        if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new PatchError(`index out of range: "${path}"`);
        if (mode === 'add') parent.splice(index, 0, structuredClone(value));
        else if (index < parent.length) parent[index] = structuredClone(value);
        else throw new PatchError(`doc is missing path: "${path}"`);
      } else {
        if (mode === 'replace' && !(last in parent)) throw new PatchError(`doc is missing key: "${path}"`);
        parent[last] = structuredClone(value);
      }
    };
    const remove = (): Json => {
      const { parent, last } = parentOf(result, segments, path);
      if (Array.isArray(parent)) {
        const index = Number(last);
        if (!(index >= 0 && index < parent.length)) throw new PatchError(`doc is missing path: "${path}"`);
        return parent.splice(index, 1)[0] as Json;
      }
      if (!(last in parent)) throw new PatchError(`doc is missing key: "${path}"`);
      const value = parent[last] as Json;
      delete parent[last];
      return value;
    };
    switch (op) {
      case 'add':
        write(raw.value as Json, 'add');
        break;
      case 'replace':
        write(raw.value as Json, 'replace');
        break;
      case 'remove':
        remove();
        break;
      case 'test':
        if (JSON.stringify(read(result, path)) !== JSON.stringify(raw.value)) throw new PatchError(`testing value ${path} failed: test operation failed`);
        break;
      case 'move':
      case 'copy': {
        const from = String(raw.from ?? '');
        const value = read(result, from);
        if (value === undefined) throw new PatchError(`doc is missing from path: "${from}"`);
        if (op === 'move') {
          const { parent, last } = parentOf(result, pointer(from), from);
          if (Array.isArray(parent)) parent.splice(Number(last), 1);
          else delete parent[last];
        }
        write(value, 'add');
        break;
      }
      default:
        throw new PatchError(`unexpected kind: ${String(op)}`);
    }
  }
  return result;
}

/**
 * The leaf fields of an applied configuration with their values, named as server-side apply names them in
 * conflicts: .spec.replicas, .spec.template.spec.containers[name="app"].image. Lists without a merge key
 * are one field (atomic), as in SSA.
 */
export function leafFields(value: Json, prefix = ''): Map<string, string> {
  const fields = new Map<string, string>();
  if (!isObject(value)) {
    fields.set(prefix, JSON.stringify(value));
    return fields;
  }
  for (const [key, child] of Object.entries(value)) {
    const here = `${prefix}.${key}`;
    if (Array.isArray(child)) {
      const mk = mergeKey(key, child);
      if (mk && child.every(isObject)) {
        for (const item of child as JsonObject[]) {
          for (const [p, v] of leafFields(item, `${here}[${mk}=${JSON.stringify(item[mk])}]`)) fields.set(p, v);
        }
      } else fields.set(here, JSON.stringify(child));
    } else if (isObject(child) && Object.keys(child).length > 0) {
      for (const [p, v] of leafFields(child, here)) fields.set(p, v);
    } else fields.set(here, JSON.stringify(child));
  }
  return fields;
}
