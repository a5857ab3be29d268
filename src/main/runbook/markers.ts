// Profile markers (🟢 STANDARD, 🟡 REGULATED+, 🔴 RESTRICTED, "(REGULATED+)") and status emoji in titles.
// Mojibake forms are repaired before this module sees the text, so only the real characters appear here.
import { PROFILES, type Profile } from '../../shared/runbook-model.js';

const EMOJI_PROFILE: Record<string, Profile> = { '🟢': 'standard', '🟡': 'regulated', '🔴': 'restricted' };

// Emoji markers, optionally followed by the profile word; parenthesised words; bare upper-case words.
const WORD = '(?:STANDARD|REGULATED|RESTRICTED)';
const ANY_CASE_WORD = '(?:[Ss]tandard|[Rr]egulated|[Rr]estricted|STANDARD|REGULATED|RESTRICTED)';
const PROFILE_MARKER = new RegExp(
  [
    `(🟢|🟡|🔴)\\uFE0F?(?:[ \\t]*${WORD}\\b\\+?)?`, // emoji, optionally with the word in capitals
    `\\(\\s*(${ANY_CASE_WORD})\\s*\\+?\\s*(?:only)?\\s*\\)`, // (REGULATED+), (restricted only)
    `\\[\\s*(${ANY_CASE_WORD})\\s*\\+?\\s*\\]`, // [RESTRICTED]
    `\\b(${WORD})\\b\\+?`, // a bare word must be in capitals: "standard library" is no marker
  ].join('|'),
  'gu',
);

/** The lowest profile named in the text, or null when it names none. */
export function profileIn(text: string): Profile | null {
  let lowest: number | null = null;
  for (const m of text.matchAll(PROFILE_MARKER)) {
    const word = m[1] ? EMOJI_PROFILE[m[1]] : (m[2] ?? m[3] ?? m[4])?.toLowerCase();
    const rank = PROFILES.indexOf(word as Profile);
    if (rank >= 0 && (lowest === null || rank < lowest)) lowest = rank;
  }
  return lowest === null ? null : (PROFILES[lowest] as Profile);
}

// Status and decoration emoji authors put in front of titles; they say nothing the model does not.
const STATUS_EMOJI =
  /[\u2705\u2611\u2612\u2610\u2713\u2714\u2716\u2717\u2718\u274c\u274e\u26a0\u26d4\u2b50\u2757\u2753\u{1f6a8}\u{1f6ab}\u{1f512}\u{1f513}\u{1f4cc}\u{1f4dd}\u{1f4cb}\u{1f527}\u{1f6e0}\u{1f680}\u{1f7e2}\u{1f7e1}\u{1f534}\u{1f7e0}\u{1f535}]\uFE0F?/gu;

/** Removes profile markers and status emoji from a title and tidies the spaces left behind. */
export function cleanTitle(text: string): string {
  return text
    .replace(PROFILE_MARKER, ' ')
    .replace(STATUS_EMOJI, ' ')
    .replace(/\(\s*\)|\[\s*\]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s:—–-]+|[\s:—–-]+$/g, '')
    .trim();
}
