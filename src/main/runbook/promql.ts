// Several PromQL queries in one block. PromQL has no statement separator, and two expressions side by
// side are never one query, so a new query starts on a line that follows a finished expression:
// outside every bracket and string, the line before does not end in an operator or a keyword that needs
// more (`+`, `and`, `by`, `on`, `offset`, `,` …), and the line does not start with one. Blank and `#`
// comment lines between two queries go with the one after them; those at the end, with the last.
// A split in the wrong place makes Prometheus answer "parse error" for that query; PromQL only reads.

/** Tokens after which an expression needs more. */
const CONTINUES_AFTER = /(?:[-+*/%^,(\[{=<>!~]|\b(?:and|or|unless|atan2|by|without|on|ignoring|group_left|group_right|bool|offset))$/i;
/** A vector-matching modifier, or an aggregation's grouping before its argument: the expression goes on. */
const CONTINUES_AFTER_GROUP = /(?:\b(?:on|ignoring|group_left|group_right)|\b(?:sum|min|max|avg|group|stddev|stdvar|count|count_values|bottomk|topk|quantile|limitk|limit_ratio)\s+(?:by|without))\s*\([^()]*\)$/i;
/** Tokens a line may start with only when it continues the expression before it. */
const CONTINUES_BEFORE = /^(?:[-+*/%^,)\]}=<>!~[{@]|(?:and|or|unless|atan2|by|without|on|ignoring|group_left|group_right|bool|offset)\b)/i;

/** One line's text outside strings and comments, and the bracket depth after it. */
function scanLine(line: string, depth: number): { code: string; depth: number } {
  let code = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === '#') break;
    if (ch === '"' || ch === "'" || ch === '`') {
      // A string ends on its line (PromQL strings cannot span lines); its text is not syntax.
      let j = i + 1;
      while (j < line.length && line[j] !== ch) j += ch !== '`' && line[j] === '\\' ? 2 : 1;
      code += ' s ';
      i = j;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    code += ch;
  }
  return { code: code.trim(), depth };
}

/** The block's queries, each with the lines it spans (comments included), in order; [] when it holds none. */
export function splitPromql(code: string): string[] {
  const lines = code.split('\n');
  const queries: string[][] = [];
  let current: string[] = [];
  let pending: string[] = []; // blank and comment lines not yet given to a query
  let depth = 0;
  let lastCode = '';
  const hasCode = () => lastCode !== '';
  for (const line of lines) {
    const { code: text, depth: after } = scanLine(line, depth);
    if (text === '') {
      pending.push(line);
      continue;
    }
    if (hasCode() && depth === 0 && !CONTINUES_AFTER.test(lastCode) && !CONTINUES_AFTER_GROUP.test(lastCode) && !CONTINUES_BEFORE.test(text)) {
      queries.push(current);
      current = [];
    }
    current.push(...pending, line);
    pending = [];
    depth = after;
    lastCode = text;
  }
  if (hasCode()) queries.push([...current, ...pending]);
  return queries.map((q) => q.join('\n').trim()).filter((q) => q !== '');
}
