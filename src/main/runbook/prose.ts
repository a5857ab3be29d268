// Reading prose as its author meant it: which list items and headings are steps an operator does by hand
// (imperatives, numbered headings, success gates), which lists only describe (impact, causes, examples),
// and which paragraphs, quotes and headings are callouts (Note, Warning, GitHub alerts, "Before"/"After").
// The rules are documented in docs/runbook-model.md ("Steps without code") and tested in
// test/runbook/procedures.test.ts; the words they use are listed here and nowhere else.
import type { Note } from '../../shared/runbook-model.js';

/**
 * Verbs that open an operational instruction. A word that is also a common noun ("backup", "test") counts
 * only as the first word of an instruction, never when a verb like "is" follows it ("Backup is daily").
 */
export const OPERATIONAL_VERBS: ReadonlySet<string> = new Set(
  (
    'acknowledge activate add adjust alert allocate announce apply approve archive ask assess assign attach audit ' +
    'backup block boot bump call cancel capture change check choose clean clear click clone close collect commit ' +
    'communicate compare configure confirm connect contact contain continue coordinate copy cordon create cut declare ' +
    'decide decommission delete deploy describe destroy detach determine disable disconnect dispatch document ' +
    'download drain drop dump edit email empty enable engage ensure enter escalate establish evacuate evaluate ' +
    'evict examine execute expand export extend extract failover fetch file fill find finish fix flush follow ' +
    'fork freeze gather generate get go grant halt identify import increase inform initiate inspect install ' +
    'investigate invite invoke isolate join kill label launch list load lock log login lower mark merge migrate ' +
    'mitigate modify monitor mount move mute navigate note notify observe obtain open page patch pause perform ' +
    'ping pin place post power prepare preserve press print proceed promote provide provision publish pull purge push put ' +
    'query quiesce raise re-enable re-run read reboot rebuild recheck reconcile reconfigure record recover ' +
    'recreate redeploy reduce refresh register reimage reindex reinstall release reload remount remove rename ' +
    'reopen repair repeat replace replicate report request rerun reschedule reset resize resolve restart restore ' +
    'resume retry return revert review revoke rollback rotate run save scale scan schedule search secure select ' +
    'send set share shut sign silence snapshot specify ssh start stop store submit suspend switch sync tag tail ' +
    'take tell terminate test track transfer trigger triage truncate try turn type unblock uncordon undo ' +
    'uninstall unlock unmount unpause unseal update upgrade upload use vacuum validate verify visit wait warn ' +
    'watch wipe write'
  ).split(' '),
);

/**
 * Verbs that are as often nouns ("Release notes", "Post upgrade considerations", "Open questions", "Rollback
 * procedure"): they open an instruction only before a word that starts its object or direction ("Post the
 * update", "Open a PR", "Rollback the release", "Record who ran it", "Tag \`v1.2\`").
 */
const NOUN_LIKE = new Set(
  ('alert audit backup block call change contact cut document drop dump email export failover file import label list lock log mark ' +
    'note open page patch post power press query record release report return rollback scan schedule snapshot ssh store sync ' +
    'tag tail test track transfer trigger type').split(' '),
);
const OBJECT_START = /^(?:(?:the|a|an|all|any|each|every|your|our|its|their|this|that|these|those|it|them|him|her|me|us|one|two|three|both|some|new|old|current|previous|existing|another|up|down|out|back|in|on|to|for|with|from|into|over|off|who|what|when|where|which|how|whether|if)\b|[`"'“<\[(]|\d)/i;

// First words that are verbs only with the word after them.
const PHRASAL = /^(back up|roll (?:back|forward|out)|fail (?:over|back)|log (?:in|into|on|out)|sign (?:in|off|on)|make sure|set up|clean up|look (?:at|for|into|inside|through)|reach out|hand (?:over|off)|spin (?:up|down)|tear down|write down|follow up|check (?:in|out|on))\b/i;
// A verb followed by one of these is a noun: "Backup is taken nightly", "Use of the API", "Update: …".
const NOT_AFTER_VERB = /^(is|are|was|were|be|been|has|have|had|will|would|can|could|may|might|should|must|does|did|of|'s|’s)$/i;
const ADVERB = /^(?:then|next|first|second|third|finally|now|also|lastly|afterwards|optionally|immediately|please|carefully|quickly|manually|again|always|simply|just)\b[,:]?\s+/i;
// "If the pool is full, drain it", "On the primary, run …", "To roll back, …": the instruction follows the comma.
const LEADING_CLAUSE = /^(?:if|when|whenever|once|after|before|while|until|unless|in case|as soon as|on|from|in|within|inside|using|with|via|for|at|during|to|where)\b[^,]{1,100},\s+/i;
const NEGATIVE_IMPERATIVE = /^(?:do not|don['’]t|never|avoid|no need)\b/i;

/** The text of a title or item as words: links, emphasis, code marks, check glyphs and numbering dropped. */
export function plainLead(text: string): string {
  return (text.split('\n')[0] ?? '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]+/g, '')
    .replace(/^[\s\u2610\u2611\u2612\u25a1\u25a2\u2b1c\u2705\u2714\u2713\u2022>-]+/u, '')
    .replace(/^(?:(?:step|phase|stage|part)\s*)?\(?\d+(?:\.\d+)*[.):]?\s+|^\(?[a-h]\)\s+/i, '')
    .trim();
}

/**
 * The verb an instruction opens with, or null when the text is not one: after numbering, adverbs ("Then",
 * "Finally,"), a leading clause ending in a comma ("On the primary, …") and a short label ("Network: …"),
 * the first word is an operational verb ("Drain the node", "Make sure …", "Back up …") not followed by a
 * verb that makes it a noun ("Backup is nightly"). "Do not …" and "Never …" are caveats, not steps.
 */
export function imperativeVerb(text: string): string | null {
  let s = plainLead(text);
  for (let i = 0; i < 3; i++) {
    const before = s;
    s = s.replace(ADVERB, '').replace(LEADING_CLAUSE, '');
    if (s === before) break;
  }
  if (NEGATIVE_IMPERATIVE.test(s)) return null;
  const verb = firstVerb(s);
  if (verb) return verb;
  // "Migration loop: cancel in-flight migrations" — the label names the case, the instruction follows.
  const label = /^([^:]{1,40}):\s+(.+)$/.exec(s);
  if (label && (label[1] as string).split(/\s+/).length <= 5) return firstVerb((label[2] as string).replace(ADVERB, ''));
  return null;
}

function firstVerb(s: string): string | null {
  const phrasal = PHRASAL.exec(s);
  if (phrasal) return (phrasal[1] as string).toLowerCase();
  const words = s.split(/\s+/);
  const first = (words[0] ?? '').replace(/[.,;:!?)]+$/, '').toLowerCase();
  if (!OPERATIONAL_VERBS.has(first)) return null;
  const next = (words[1] ?? '').replace(/[.,;!?)]+$/, '');
  if (/:$/.test(words[0] ?? '') || NOT_AFTER_VERB.test(next)) return null;
  if (first === 'note' && /^that$/i.test(next)) return null;
  if (NOUN_LIKE.has(first) && !OBJECT_START.test(next)) return null;
  return first;
}

/** Strips numbering ("3.", "Step 2:", "Phase 1 -") from a heading title. */
export function headingWords(title: string): string {
  return title.replace(/^(?:(?:step|phase|stage|part)\s*\d+(?:\.\d+)*\s*[:.)\-–—]?|\d+(?:\.\d+)*[.)])\s*/i, '').trim();
}

/** "1. Containment", "2) Verify", "Step 0.2", "Phase 3: Cut over" — a heading that numbers a step. */
export const isNumberedHeading = (title: string): boolean =>
  /^(?:(?:step|phase|stage|part)\s*\d+(?:\.\d+)*\b|\d+(?:\.\d+)*[.)]\s+\S)/i.test(title.trim());

// Sections that describe rather than instruct: their lists stay prose whatever their first words are.
const DESCRIPTIVE_HEAD =
  /^(?:(?:potential|possible|likely|probable|common|known|customer|user|business|expected|typical|other|additional)\s+)?(?:impact|impacts|meaning|symptoms?|signs|causes?|root causes?|reasons?|benefits?|advantages|disadvantages|pros|cons|examples?|caveats?|limitations?|known issues|issues|notes?|background|overview|summary|context|description|purpose|scope|about|references?|resources|related(?:\s+\w+)?|see also|further reading|links|glossary|terminology|definitions|contacts?|owners?|ownership|what['’]?s next|objectives|goals|signals|alerts?|triggers?|dashboards?|faq|history|changelog|tools|architecture|how it works|behind the scenes|failure modes|outcomes|potential outcomes|considerations|risks?|assumptions|severity|metrics|responsibilities|timeline)\s*(?:(?:of|on|for|about|to|and|&|in)\b.*)?:?$/i;

/** A heading whose section describes (Impact, Possible causes, Examples, References …): no steps from its lists. */
export const isDescriptiveHeading = (title: string): boolean => DESCRIPTIVE_HEAD.test(headingWords(title));

// Sections whose items are conditions to confirm rather than instructions: each item is a gate.
const GATE_HEAD = /\bcriteria\b|\bgates?\b|\bdefinition of done\b|\b(?:exit|entry|readiness|success) (?:checks?|conditions?)\b|\bchecks? before\b|\bpre-?flight checks?\b/i;
export const isGateHeading = (title: string): boolean => GATE_HEAD.test(headingWords(title));

// Sections that are a procedure by name: an instruction or a link on its own under one is a step.
const PROCEDURE_HEAD =
  /^(?:steps?|procedure|process|mitigation|remediation|resolution|rollback|roll[\s-]?back|back[\s-]?out|recovery|actions?|action items|what to do|instructions|response|containment|eradication|triage|escalation|workaround|fix|failover|fail[\s-]?over|clean[\s-]?up|cleanup|next steps|follow[\s-]?ups?|communications?|notifications?|verification|validation)\b/i;
export const isProcedureHeading = (title: string): boolean => PROCEDURE_HEAD.test(headingWords(title));

/**
 * What the paragraph just before a list says about it: "descriptive" ("This alert fires when:",
 * "Continuing may:", "such as:", "for example:"), "gate" ("The release is successful if:", "Proceed only
 * when:"), or null.
 */
export function introKind(text: string): 'descriptive' | 'gate' | null {
  const t = text.replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim();
  if (!t.endsWith(':')) return null;
  if (/\b(success(?:ful(?:ly)?)?|criteria|done when|complete when|proceed only|only (?:proceed|continue|go on)|do not (?:proceed|continue)|before (?:you )?(?:proceed|continu|mov|go)|must (?:all )?(?:be true|hold|pass)|go[\s/-]*no[\s-]*go)\b/i.test(t)) return 'gate';
  if (/\b(may|might|will|would|includes?|including|such as|for example|for instance|e\.g\.|like|means|consists? of|high[\s-]level|overview|in short|in summary|outline|summary|(?:the )?following (?:symptoms|causes|reasons|signs|conditions|cases|examples|metrics|labels|fields|files|components|services|versions))\b|\b(?:fires?|triggers?|alerts?|happens?|occurs?) (?:when|if)\b/i.test(t)) return 'descriptive';
  return null;
}

// ---- callouts -------------------------------------------------------------------------------------------

const LABEL_KIND: Record<string, Note['kind']> = {
  note: 'note',
  notes: 'note',
  nb: 'note',
  'n.b.': 'note',
  info: 'note',
  information: 'note',
  fyi: 'note',
  tip: 'tip',
  tips: 'tip',
  hint: 'tip',
  hints: 'tip',
  important: 'important',
  attention: 'important',
  warning: 'warning',
  warnings: 'warning',
  caution: 'caution',
  danger: 'caution',
  critical: 'caution',
  state: 'state',
  example: 'example',
  examples: 'example',
  'e.g.': 'example',
  'for example': 'example',
  sample: 'example',
  'example output': 'example',
  'sample output': 'example',
  'expected output': 'example',
  output: 'example',
  before: 'example',
  after: 'example',
};

const LABEL_WORDS = Object.keys(LABEL_KIND)
  .sort((a, b) => b.length - a.length)
  .map((w) => w.replace(/\./g, '\\.'))
  .join('|');
const EMOJI_LEAD = '(?:[\\u26a0\\u2139\\u2757\\u203c\\u26d4\\u{1f4a1}\\u{1f4dd}\\u{1f6a8}\\u{1f6d1}\\u{1f4cc}]\\ufe0f?\\s*)?';
// Label words that may stand alone before a colon in running text ("Note: …", "WARNING: …", "State: …").
// ("Expected output:" is not one: it is an expected hint of the step's body, docs/runbook-model.md.)
const COLON_LABEL = new RegExp(`^${EMOJI_LEAD}(note|nb|n\\.b\\.|tip|hint|info|important|warning|caution|danger|attention|state|example output|sample output|example|e\\.g\\.)\\s*:\\s*`, 'iu');
const ALERT = /^\[!(note|tip|important|warning|caution)\]\s*/i;
const EMOJI_SHORTCODE = /^:(warning|information_source|bulb|exclamation|memo|rotating_light|no_entry|stop_sign):\s*/i;
const SHORTCODE_KIND: Record<string, Note['kind']> = { warning: 'warning', information_source: 'note', bulb: 'tip', exclamation: 'important', memo: 'note', rotating_light: 'warning', no_entry: 'caution', stop_sign: 'caution' };

export interface Callout {
  kind: Note['kind'];
  label: string;
  /** How many characters of the text the label took (with its colon and the space after it). */
  length: number;
}

/** The kind a heading names when it is only a callout or example label ("Note", "Warning:", "Before", "Example output"). */
export function noteHeadingKind(title: string): Note['kind'] | null {
  const t = title
    .replace(/^\[!(\w+)\]$/, '$1')
    .replace(/[:：.]+$/, '')
    .trim()
    .toLowerCase();
  // "Example 2", "Example: a dry run" — an example by its heading, numbered or named.
  if (/^(?:examples?|sample)(?:\s+\d+)?(?:\s*[:.–—-]\s*.*)?$/.test(t)) return 'example';
  return LABEL_KIND[t] ?? null;
}

/**
 * A callout at the start of a text: a GitHub alert ("[!WARNING]"), a label and a colon ("Note:", "⚠️ Warning:",
 * "STATE:"), a bold label ("**Important**", given as `boldLead`) or an emoji short code (":warning:").
 */
export function calloutAt(text: string, boldLead?: string): Callout | null {
  const alert = ALERT.exec(text);
  if (alert) return { kind: LABEL_KIND[(alert[1] as string).toLowerCase()] as Note['kind'], label: `[!${(alert[1] as string).toUpperCase()}]`, length: alert[0].length };
  if (boldLead !== undefined) {
    const lead = boldLead.trim();
    const bold = new RegExp(`^${EMOJI_LEAD}(${LABEL_WORDS})\\s*[:：]?$`, 'iu').exec(lead);
    if (bold) {
      const word = (bold[1] as string).toLowerCase();
      let length = text.indexOf(lead) + lead.length;
      const after = text.slice(length);
      const colon = /^\s*[:：]\s*/.exec(after);
      if (colon) length += colon[0].length;
      // "**Note** GPG does not …" is a callout; "**Before** you start, …" is a sentence: example words need
      // a colon or a paragraph of their own.
      const alone = after.trim() === '';
      if (colon || alone || /[:：]$/.test(lead) || LABEL_KIND[word] !== 'example') {
        return { kind: LABEL_KIND[word] as Note['kind'], label: bold[1] as string, length: length + (/^\s+/.exec(text.slice(length))?.[0].length ?? 0) };
      }
    }
  }
  const colon = COLON_LABEL.exec(text);
  if (colon) return { kind: LABEL_KIND[(colon[1] as string).toLowerCase()] as Note['kind'], label: colon[1] as string, length: colon[0].length };
  const emoji = EMOJI_SHORTCODE.exec(text);
  if (emoji) return { kind: SHORTCODE_KIND[(emoji[1] as string).toLowerCase()] ?? 'note', label: `:${emoji[1]}:`, length: emoji[0].length };
  return null;
}

const HUGO_OPEN = /^\{\{[<%]\s*(note|warning|caution|tip|important|info|alert)\b[^}]*[>%]\}\}/i;
const DOCUSAURUS_OPEN = /^:::\s*(note|tip|info|caution|danger|warning|important)\b/i;

/** A region opened by a site generator's callout: Hugo's {{< note >}} … {{< /note >}}, Docusaurus' :::note … :::. */
export function calloutRegionOpen(text: string): { kind: Note['kind']; label: string; closes: (t: string) => boolean } | null {
  const hugo = HUGO_OPEN.exec(text);
  if (hugo) {
    const name = (hugo[1] as string).toLowerCase();
    const close = new RegExp(`\\{\\{[<%]\\s*/\\s*${name}\\s*[>%]\\}\\}`, 'i');
    return { kind: LABEL_KIND[name === 'alert' ? 'warning' : name] ?? 'note', label: name, closes: (t) => close.test(t) };
  }
  const docusaurus = DOCUSAURUS_OPEN.exec(text);
  if (docusaurus) {
    const name = (docusaurus[1] as string).toLowerCase();
    return { kind: LABEL_KIND[name] ?? 'note', label: name, closes: (t) => /(^|\n)\s*:::\s*$/.test(t) };
  }
  return null;
}
