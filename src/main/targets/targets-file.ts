// Reads the CLI's targets file (YAML) and checks it against the shared schema; errors name file, line and field.
import { readFile } from 'node:fs/promises';
import { isMap, parseDocument } from 'yaml';
import { type TargetsFile, TargetsFileSchema } from '../../shared/targets.js';
import { RunbookError } from '../runbook/errors.js';

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function parseTargetsFile(text: string, file: string): TargetsFile {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) throw new RunbookError(file, lineOf(text, syntax.pos[0]), `not valid YAML: ${syntax.message.split('\n')[0]}`);
  if (!isMap(doc.contents)) throw new RunbookError(file, 1, 'a targets file is a mapping with a "targets:" key');
  const result = TargetsFileSchema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  let node: unknown = null;
  for (let n = path.length; n > 0 && !node; n--) node = doc.getIn(path.slice(0, n), true);
  const range = (node as { range?: number[] } | null)?.range;
  const line = range?.[0] !== undefined ? lineOf(text, range[0]) : 1;
  throw new RunbookError(file, line, `${path.join('.') || 'targets file'}: ${issue?.message ?? 'invalid'}`);
}

export async function loadTargetsFile(file: string): Promise<TargetsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RunbookError(file, 1, `cannot read targets file: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return parseTargetsFile(text, file);
}
