// The journal format: which record types exist and what each one's `data` holds (records/*.ts, described
// normatively in docs/audit.md, "Records"). It is named in run.started's `data.format`, the first record of
// every journal, so a reader knows what it reads before it reads anything else.
//
// A reader that does not know the format a journal names refuses it (`runbook verify`: E_FORMAT) rather than
// read records whose meaning it cannot know. Within a format the vocabulary is closed: a writer that adds a
// record type, a field or a code, or changes what one means, writes a new format, and an older reader says
// it cannot read it instead of silently skipping what it does not understand.
//
// The access log (access.jsonl) has no run.started of its own: its records are in the format of the run's.

// Format 2 adds, and nothing else changes: the record types run.ended-early (sealed with steps unfinished),
// run.resumed (the run went on after its host stopped) and timer (a step's timer, kept by the host), step.note's change (a recorded decision, mark or skip
// changed, with the reason), and run.started's variables[].value (the value the run started with; null for a
// secret). A format-1 journal holding any of them was not written by a format-1 writer:
// it is refused (laterFormat).
//
// Format 3 adds, and nothing else changes: the refusal code "store-lagging" (a RESTRICTED run's
// state-changing block not run because the team store had not got the run's records, docs/store.md).
//
// Format 4 adds, and nothing else changes: the approval code "timed-out" (no valid approval arrived through the
// team store while the request was open), an approval's `store_login` (the store login that delivered it) and
// run.started's `store` (where the run ships, and whether its state-changing blocks wait for the store).
export const JOURNAL_FORMAT = 'runbook-console-journal/4' as const;
const FORMAT_1 = 'runbook-console-journal/1' as const;
const FORMAT_2 = 'runbook-console-journal/2' as const;
const FORMAT_3 = 'runbook-console-journal/3' as const;

/** Every format this reader reads (journals made before formats were named are not read). */
export const KNOWN_FORMATS = [FORMAT_1, FORMAT_2, FORMAT_3, JOURNAL_FORMAT] as const;

const formatNumber = (format: string) => Number(format.slice(format.lastIndexOf('/') + 1));

/** What a record of a journal in `format` holds that only a later format defines, or null when nothing. */
export function laterFormat(format: string, type: string, data: Record<string, unknown>): string | null {
  if (format !== JOURNAL_FORMAT) {
    const n = formatNumber(format);
    if (type === 'approval' && data.code === 'timed-out') return `approval code "timed-out": a code format ${n} does not have (format 4 added it)`;
    if (type === 'run.started' && 'store' in data) return `store: a field format ${n} does not have (format 4 added it)`;
    if (type === 'approval' && 'store_login' in data) return `store_login: a field format ${n} does not have (format 4 added it)`;
  }
  if (format === FORMAT_1 || format === FORMAT_2) {
    const refusal = type === 'step.finished' ? (data.outcome as { refusal?: unknown } | undefined)?.refusal : type === 'step.skipped' ? data.refusal : undefined;
    if (refusal === 'store-lagging') return `refusal "store-lagging": a code format ${format === FORMAT_1 ? 1 : 2} does not have (format 3 added it)`;
  }
  if (format !== FORMAT_1) return null;
  if (type === 'run.ended-early' || type === 'run.resumed' || type === 'timer') return 'a record type format 1 does not have (format 2 added it)';
  if (type === 'step.note' && 'change' in data) return 'change: a field format 1 does not have (format 2 added it)';
  if (type === 'step.skipped' && data.by === 'decision') return 'by "decision": a skip format 1 does not have (format 2 added it)';
  if (type === 'run.started' && Array.isArray(data.variables) && data.variables.some((v) => typeof v === 'object' && v !== null && 'value' in v)) return 'variables[].value: a field format 1 does not have (format 2 added it)';
  return null;
}

/** Why a journal's first record does not name a format this reader reads, or null when it does. */
export function formatProblem(first: { type: string; data: Record<string, unknown> }): string | null {
  if (first.type !== 'run.started') return `the first record is ${first.type}, not run.started, which names the journal's format`;
  const format = first.data.format;
  if (format === undefined) return 'run.started names no journal format (data.format): it was written before formats were named, or is not a run.started of this tool';
  if (typeof format !== 'string' || !(KNOWN_FORMATS as readonly string[]).includes(format)) {
    return `the journal is in format ${JSON.stringify(format)}; this verifier reads ${KNOWN_FORMATS.join(', ')}: use a verifier that reads it`;
  }
  return null;
}
