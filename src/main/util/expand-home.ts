// "~/…" in a path the operator typed (key files, the approvers file), as a shell would expand it.
import { homedir } from 'node:os';
import path from 'node:path';

export function expandHome(file: string, home: string = homedir()): string {
  return file === '~' || file.startsWith('~/') ? path.join(home, file.slice(1)) : file;
}
