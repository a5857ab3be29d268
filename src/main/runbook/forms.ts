// Steps that ask a person for a judgement rather than a command: sign-offs and GO / NO-GO decisions.

import { isNegativeChoice } from '../../shared/fill-in-values.js';
import type { TargetRef } from './links.js';

const GO_NO_GO = /\bGO\s*\/\s*NO[\s-]?GO\b|\bGO\s+or\s+NO[\s-]?GO\b/i;
const PROCEED_OR = /\b(proceed|continue|promote|go ahead)\b(.*?)\s+or\s+(roll\s?back|abort|stop|halt|revert)\b/i;
const DECISION_LEAD = /^\s*decision\s*[:\-–—]\s*(.+?)\??\s*$/i;
// "Decide: mitigate vs investigate first", "Decide whether to proceed or roll back", "Choose: A, B or C".
const DECIDE_LEAD = /^\s*(?:decide|choose)\b\s*(?:[:\-–—]\s*|whether\s+(?:or not\s+)?(?:to\s+)?|between\s+)(.+?)[?.]?\s*$/i;
const OPTION_SPLIT = /\s+or\s+|\s*\/\s*|\s+vs\.?\s+|\s+versus\s+|\s*,\s*(?:or\s+)?|\s+and\s+/i;

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
  const decide = DECIDE_LEAD.exec(title);
  // The choices are named with "or", "vs" or "/" ("between A and B" also counts).
  if (decide && /\s(?:or|vs\.?|versus)\s|\/|^\s*(?:decide|choose)\s+between\b/i.test(title)) {
    const options = (decide[1] as string).split(OPTION_SPLIT).map((o) => o.trim().replace(/^(?:to|and)\s+/i, '')).filter(Boolean);
    if (options.length >= 2 && options.length <= 5 && options.every((o) => o.length <= 60)) return options.map(capitalise);
  }
  return null;
}

// "If the error rate stays above 2 %, roll back", "When any check fails, stop and page the DBA on call":
// a condition, then a turn in the procedure (a roll-back, a stop, an escalation, a jump to another section).
const BRANCH = /^(?:if|when|whenever|should|in case|in the event that|unless)\b(.{3,160}?),\s*(?:then\s+)?(.+)$/i;
const TURN = /^(?:immediately\s+)?(roll[\s-]?back|rollback|abort|stop|halt|revert|back[\s-]?out|escalate|page|declare|fail[\s-]?over|failover|switch over|go (?:back )?to|proceed (?:to|with)|continue (?:to|with)|move (?:on )?to|skip to|jump to|return to|start the|follow|see)\b/i;
const STOPPING = /^(?:roll[\s-]?back|rollback|abort|stop|halt|revert|back[\s-]?out|escalate|page|declare|fail[\s-]?over|failover|switch over)\b/i;
const LOCAL_LINK = /\[[^\]]*\]\(#[^)\s]+\)/;

/**
 * A conditional item that turns the procedure: the options are what to do when the condition holds and the
 * other way ("Continue" after a roll-back, stop or escalation; "Stop" when the turn is going on). Null when
 * the text is not one. `follow`/`see` count only with a link to a section of the runbook.
 */
export function branchIn(text: string): { options: [string, string]; condition: string; turn: string } | null {
  const m = BRANCH.exec((text.split('\n')[0] ?? '').replace(/\*\*|__/g, '').trim());
  if (!m) return null;
  const turn = (m[2] as string).trim();
  // "If all checks pass, proceed to the cut-over; otherwise roll back": both ways are written.
  const [way, other] = turn.split(/\s*[;,.]?\s+(?:otherwise|else|if not|or else)\b[\s,:]*/i);
  if (way && other && (TURN.exec(other) || /^(?:proceed|continue|go ahead|go on)\b/i.test(way))) {
    return { options: [optionOf(way), optionOf(other)], condition: (m[1] as string).trim(), turn };
  }
  const verb = TURN.exec(turn);
  if (!verb) return null;
  if (/^(follow|see|start the)$/i.test((verb[1] as string).trim()) && !LOCAL_LINK.test(turn)) return null;
  return { options: [optionOf(turn), STOPPING.test(turn) || isNegativeChoice(turn) ? 'Continue' : 'Stop'], condition: (m[1] as string).trim(), turn };
}

/** A turn as a choice's label: links as their text, up to the first full stop or bracket, at most 60 characters. */
function optionOf(turn: string): string {
  const plain = turn.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
  const first = plain.split(/(?<=[.;])\s|\s+\(/)[0]?.replace(/[.;:,]+$/, '').trim() ?? plain;
  return capitalise(first.length > 60 ? `${first.slice(0, 60).replace(/\s+\S*$/, '')}…` : first);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const TARGET_LINK = /\[([^\]]*)\]\(#([^)\s]+)\)/;
const GOTO = /\b(?:go(?:es)? (?:back )?to|proceed (?:to|with)|continue (?:to|with)|move (?:on )?to|jump to|skip to|return to|follow|see|execute|run|start)\s+(.+)$/i;
const ARROW = /(?:→|->|=>|⇒|:|\|)\s*(.+)$/;

function nameOf(text: string): string | null {
  const name = text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`"“”|]/g, ' ')
    .replace(/\s*\([^)]*\)\s*/g, ' ')
    .replace(/[.;,!]+\s*$/, '')
    .replace(/^(?:to|with|the)\s+/i, '')
    .trim();
  return name.length > 0 && name.length <= 80 ? name : null;
}

/**
 * Where the text of a decision says each option leads: the clause naming the option ("NO-GO → Rollback",
 * "If NO-GO, go to [Rollback](#rollback)", "**GO**: continue with the cut-over") gives a local link or the
 * words after an arrow or a "go to"; an option the text does not place gets null.
 */
export function choiceTargets(options: readonly string[], text: string): (TargetRef | null)[] {
  const clauses = text.split(/\n|;|(?<=[.!?])\s+/).map((c) => c.trim()).filter(Boolean);
  // Longer options first, so "NO-GO" is not also read as "GO".
  const order = options.map((o, i) => [o, i] as const).sort((a, b) => b[0].length - a[0].length);
  const refs: (TargetRef | null)[] = options.map(() => null);
  for (const clause of clauses) {
    let rest = clause;
    for (const [option, index] of order) {
      // "go to", "go ahead": the word as a verb is not the choice.
      const at = new RegExp(`(?<![\\w-])${escapeRe(option).replace(/\\?-/g, '[\\s-]?')}(?![\\w-])(?!\\s+(?:to|ahead|back|on|through|with)\\b)`, 'i').exec(rest);
      if (!at) continue;
      const after = rest.slice(at.index + at[0].length);
      rest = `${rest.slice(0, at.index)}${' '.repeat(at[0].length)}${after}`;
      if (refs[index]) continue;
      const link = TARGET_LINK.exec(after);
      if (link) refs[index] = { anchor: link[2] as string, name: link[1] as string };
      else {
        const goto = GOTO.exec(after) ?? ARROW.exec(after);
        const name = goto ? nameOf(goto[1] as string) : null;
        if (name) refs[index] = { name };
      }
    }
  }
  return refs;
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
