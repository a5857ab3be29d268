// The fields a record schema defines, walked from the zod schema itself: every leaf as a dotted path
// (`outcome.result_sets[].row_count`), with the JSON types it may hold. Variants of a union contribute their
// fields to the same list. For the test that keeps docs/audit.md and the schemas in step.
import type { z } from 'zod';

export interface Field {
  path: string;
  /** JSON types and values, e.g. `string`, `integer`, `null`, `"pass"`, `object (map)`. */
  types: Set<string>;
  /** Absent in some variant or optional. */
  optional: boolean;
}

type Def = { type: string } & Record<string, any>;
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Every leaf field of `schema` (an object, or a union of objects). */
export function fieldsOf(schema: z.ZodType): Field[] {
  const found = new Map<string, Field>();
  const variants = walk(schema, '', found);
  // A field some variant of the record lacks is optional in the record.
  for (const field of found.values()) if (variants.some((v) => !v.has(field.path))) field.optional = true;
  return [...found.values()];
}

/** Walks `schema` at `path`; returns, per variant of the record, the paths it defines. */
function walk(schema: unknown, path: string, found: Map<string, Field>, optional = false): Set<string>[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
      return walk(def.innerType, path, found, true);
    case 'nullable':
      leaf(found, path, 'null', optional);
      return walk(def.innerType, path, found, optional);
    case 'union':
      return (def.options as unknown[]).flatMap((option) => walk(option, path, found, optional));
    case 'object': {
      let variants: Set<string>[] = [new Set(path ? [path] : [])];
      for (const [key, child] of Object.entries(def.shape as Record<string, unknown>)) {
        const childVariants = walk(child, path ? `${path}.${key}` : key, found, false);
        variants = variants.flatMap((v) => childVariants.map((c) => new Set([...v, ...c])));
      }
      if (path) leafMark(found, path, optional);
      return variants;
    }
    case 'array': {
      const element = defOf(def.element);
      if (['object', 'union'].includes(element.type)) {
        walk(def.element, `${path}[]`, found, false);
        leaf(found, path, 'array of objects', optional);
      } else leaf(found, path, `array of ${typeName(element)}`, optional);
      return [new Set([path])];
    }
    default:
      leaf(found, path, typeName(def), optional);
      return [new Set([path])];
  }
}

/** An object or array field: recorded as a path (docs may name it), with no type of its own. */
function leafMark(found: Map<string, Field>, path: string, optional: boolean): void {
  const field = found.get(path);
  if (!field) found.set(path, { path, types: new Set(['object']), optional });
  else field.types.add('object');
}

function leaf(found: Map<string, Field>, path: string, type: string, optional: boolean): void {
  const field = found.get(path) ?? { path, types: new Set<string>(), optional };
  field.types.add(type);
  field.optional ||= optional;
  found.set(path, field);
}

function typeName(def: Def): string {
  switch (def.type) {
    case 'string':
      return 'string';
    case 'number':
      return (def.checks ?? []).some((c: unknown) => defOf(c).format === 'safeint') ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'never':
      return 'nothing';
    case 'literal':
      return (def.values as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
    case 'enum':
      return Object.values(def.entries as Record<string, unknown>).map((v) => JSON.stringify(v)).join(' | ');
    case 'record':
      return 'object (map)';
    case 'union':
      return (def.options as unknown[]).map((o) => typeName(defOf(o))).join(' | ');
    case 'array':
      return `array of ${typeName(defOf(def.element))}`;
    default:
      return def.type;
  }
}

/** Leaf paths only (objects and arrays of objects are named by their fields). */
export const leafPaths = (fields: readonly Field[]): string[] => fields.filter((f) => !f.types.has('object') && !f.types.has('array of objects')).map((f) => f.path);
