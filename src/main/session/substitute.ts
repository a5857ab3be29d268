// Puts variable values into manifests and PromQL, whose APIs parse them as data. Shell blocks are prepared
// by shell-values.ts (values only in the environment, or whole argv words for kubectl lines) and SQL by
// sql-values.ts (bind parameters and escaped identifiers, decided by PostgreSQL's grammar).

const DOLLAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
/** <NAME> (letters, digits, and `_` or `-` between them): where a run variable's value goes in any block. */
export const PLACEHOLDER = /<([A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*)>/g;

/** Values by name; placeholders are looked up as "<NAME>" first, then "NAME". */
export type VariableValues = ReadonlyMap<string, string>;

function placeholderValue(values: VariableValues, name: string): string | undefined {
  return values.get(`<${name}>`) ?? values.get(name);
}

/** Plain text substitution for YAML manifests and PromQL: values are written as they are. */
export function substituteText(code: string, values: VariableValues): string {
  return code
    .replace(PLACEHOLDER, (m, name: string) => placeholderValue(values, name) ?? m)
    .replace(DOLLAR, (m, a: string | undefined, b: string | undefined) => values.get((a ?? b) as string) ?? m);
}
