// A block's stderr in its own colour (yellow: it is often progress or warnings, not failure), kept through the
// colour resets the program's own output may carry; stdout is left as the program coloured it.
const STDERR = '\x1b[33m';
const DEFAULT_FG = '\x1b[39m';
// A reset of all attributes (ESC[m, ESC[0m, ESC[0;…m) or of the foreground (ESC[39m) would end the colour.
const RESET = /\x1b\[(?:0?|0;[0-9;]*|[0-9;]*;0|39)m/g;

export function styleStderr(data: string): string {
  if (!data) return data;
  return `${STDERR}${data.replace(RESET, (reset) => `${reset}${STDERR}`)}${DEFAULT_FG}`;
}
