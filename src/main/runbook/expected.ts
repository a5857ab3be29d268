// Expected-outcome hints: "# Expected: …" and "# Should …" comments in code, "Expected: …" lines in prose.

const CODE_HINT = /^\s*(?:#|--|\/\/)\s*((?:expected|expect|should)\b.*)$/i;
const PROSE_HINT = /^\s*(?:[-*+]\s+)?(?:\*\*|__)?(expected(?: (?:output|result|outcome))?)\s*:?\s*(?:\*\*|__)?\s*:?\s*(.+)$/i;

function tidy(hint: string): string {
  return hint.replace(/^(expected|expect)\s*:\s*/i, '').trim();
}

/** Hints from comment lines of a code block, in order. */
export function expectedInCode(code: string): string[] {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    const m = CODE_HINT.exec(line);
    if (m?.[1]) {
      const hint = /^should\b/i.test(m[1]) ? m[1].trim() : tidy(m[1]);
      if (hint) out.push(hint);
    }
  }
  return out;
}

/** Hints from prose lines such as "Expected: all pods Ready" or "**Expected output:** 3 rows". */
export function expectedInProse(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = PROSE_HINT.exec(line);
    const hint = m?.[2]?.replace(/\*\*|__/g, '').trim();
    if (hint) out.push(hint);
  }
  return out;
}
