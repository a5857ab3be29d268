// A record's data that does not fit its schema, said as one field and why: `data.outcome.status: expected one
// of "succeeded"|…`. Of a union (a record type with variants), the variant the data came closest to speaks.
import type { z } from 'zod';

export interface DataIssue {
  /** The field, from the record: `data`, `data.outcome.status`, `data.steps[0].id`. */
  path: string;
  message: string;
}

type Issue = z.core.$ZodIssue;

/** Messages for the parse: what was expected and what was found (zod's defaults for everything else). */
export const issueMessages = (issue: z.core.$ZodRawIssue): string | undefined => {
  const found = (expected: string, input: unknown) => (input === undefined ? `missing (expected ${expected})` : `expected ${expected}, found ${describe(input)}`);
  if (issue.code === 'invalid_type') return found(issue.expected, issue.input);
  if (issue.code === 'invalid_value') return found(oneOf(issue.values), issue.input);
  // A discriminated union: the field that tells its variants apart (the issue's path) holds none of theirs.
  if (issue.code === 'invalid_union' && typeof issue.discriminator === 'string' && Array.isArray(issue.options)) {
    return found(oneOf(issue.options as unknown[]), (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator]);
  }
  return undefined;
};

const oneOf = (values: readonly unknown[]) => (values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** The issue to report of those a parse gave (the first, followed into the closest variant of a union). */
export function firstIssue(issues: readonly Issue[]): DataIssue {
  let prefix: PropertyKey[] = [];
  let issue = issues[0] as Issue;
  while (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // The variant with the fewest issues (the first of those) is the one the data was meant to be.
    const closest = issue.errors.reduce((best, errors) => (errors.length < best.length ? errors : best));
    prefix = [...prefix, ...issue.path];
    issue = closest[0] as Issue;
  }
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    return { path: fieldPath([...path, issue.keys[0] as string]), message: 'a field this record type does not have in the journal format' };
  }
  return { path: fieldPath(path), message: issue.message };
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((at, key) => (typeof key === 'number' ? `${at}[${key}]` : `${at}.${String(key)}`), 'data');
}
