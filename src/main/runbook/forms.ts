// Steps that ask a person for a judgement rather than a command: sign-offs and GO / NO-GO decisions.

const GO_NO_GO = /\bGO\s*\/\s*NO[\s-]?GO\b|\bGO\s+or\s+NO[\s-]?GO\b/i;
const PROCEED_OR = /\b(proceed|continue|promote|go ahead)\b(.*?)\s+or\s+(roll\s?back|abort|stop|halt|revert)\b/i;
const DECISION_LEAD = /^\s*decision\s*[:\-–—]\s*(.+?)\??\s*$/i;

/** The options a title offers when it is a decision, or null when it is not one. */
export function decisionIn(title: string): string[] | null {
  if (GO_NO_GO.test(title)) return ['GO', 'NO-GO'];
  const proceed = PROCEED_OR.exec(title);
  if (proceed) {
    const first = `${proceed[1]}${proceed[2] ?? ''}`.trim();
    return [capitalise(first), capitalise(proceed[3] as string)];
  }
  const lead = DECISION_LEAD.exec(title);
  if (lead) {
    const options = (lead[1] as string).split(/\s+or\s+|\s*\/\s*/i).map((o) => o.trim()).filter(Boolean);
    if (options.length >= 2) return options.map(capitalise);
  }
  return null;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const SIGN_WORDS = /\b(sign(?:ed|ature|[\s-]?off)?|approv(?:ed|al|er)|name)\b/i;
const SIGNOFF_HEADING = /\bsign[\s-]?offs?\b|\bapprovals?\b|\bsignatures?\b/i;

/** A table is a sign-off sheet when its header asks for names or signatures, or its section is titled so. */
export function isSignoffTable(header: readonly string[], sectionTitle: string): boolean {
  const asksForSignature = header.some((h) => SIGN_WORDS.test(h));
  const asksForDate = header.some((h) => /\bdate\b/i.test(h));
  return (asksForSignature && asksForDate) || (SIGNOFF_HEADING.test(sectionTitle) && (asksForSignature || asksForDate));
}

// "**Deployment Lead:** ________ Date: _____" or "Name: ____  Date: ____" (at least two blanks, or a signer word).
const SIGNOFF_LINE = /^\s*(?:[-*+]\s+)?(?:\*\*|__)?([^_*:|\n]{1,60}?)(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*:?\s*_{3,}/;

/** The signer's role named by a sign-off line, or null when the line is not one. */
export function signoffLineRole(line: string): string | null {
  const m = SIGNOFF_LINE.exec(line);
  if (!m) return null;
  const blanks = line.match(/_{3,}/g)?.length ?? 0;
  const role = (m[1] as string).trim();
  if (blanks >= 2 && /\b(date|time|signature)\b/i.test(line.slice(m[0].length))) return role;
  if (SIGN_WORDS.test(role) || /\b(lead|owner|manager|engineer|officer|approver|reviewer|operator)\b/i.test(role)) return role;
  return null;
}

export function isSignoffHeading(title: string): boolean {
  return SIGNOFF_HEADING.test(title);
}
