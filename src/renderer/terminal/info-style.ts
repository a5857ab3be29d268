// The console's own lines in a block's terminal (connection notes, a manifest's dry-run diff) are dim cyan;
// diff lines are coloured as a reviewer expects: additions green, removals red, hunk headers cyan.
const DIM_CYAN = '\x1b[2;36m';
const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const CYAN = '\x1b[36m';
const RESET = '\x1b[0m';

function colourOf(line: string): string {
  if (line.startsWith('+') && !line.startsWith('+++')) return GREEN;
  if (line.startsWith('-') && !line.startsWith('---')) return RED;
  if (line.startsWith('@@')) return CYAN;
  return DIM_CYAN;
}

export function styleInfo(data: string): string {
  return data
    .split(/(\r?\n)/)
    .map((part) => (part === '' || part === '\n' || part === '\r\n' ? part : `${colourOf(part)}${part}${RESET}`))
    .join('');
}
