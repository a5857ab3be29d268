// YAML front matter: title, profile, variables, targets. Wrong annotations are errors naming the field and line.
import { isMap, parseDocument } from 'yaml';
import { type FrontMatter, FrontMatterSchema } from '../../shared/runbook-model.js';
import { RunbookError } from './errors.js';

/** Line 1 is the opening "---"; the YAML text starts on line 2. */
const FIRST_YAML_LINE = 2;

function lineOf(text: string, offset: number): number {
  let line = FIRST_YAML_LINE;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function parseFrontMatter(yamlText: string, file: string): FrontMatter {
  const doc = parseDocument(yamlText, { prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    throw new RunbookError(file, lineOf(yamlText, syntax.pos[0]), `front matter is not valid YAML: ${syntax.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    // toJS resolves aliases: "*name" without an anchor, or aliases nested past yaml's limit, throw here.
    value = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new RunbookError(file, FIRST_YAML_LINE, `front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isMap(doc.contents) && doc.contents !== null) {
    throw new RunbookError(file, FIRST_YAML_LINE, 'front matter must be a YAML mapping (key: value lines)');
  }
  const result = FrontMatterSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  const node = path.length > 0 ? doc.getIn(path, true) : null;
  const keyNode = !node && path.length > 0 ? doc.getIn(path.slice(0, -1), true) : null;
  const range = (node as { range?: number[] } | null)?.range ?? (keyNode as { range?: number[] } | null)?.range;
  const line = range?.[0] !== undefined ? lineOf(yamlText, range[0]) : FIRST_YAML_LINE;
  throw new RunbookError(file, line, `front matter field "${path.join('.') || '(root)'}": ${issue?.message ?? 'invalid'}`);
}
