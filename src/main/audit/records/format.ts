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

export const JOURNAL_FORMAT = 'runbook-console-journal/1' as const;

/** Every format this reader reads (the current one only: journals made before formats were named are not read). */
export const KNOWN_FORMATS: readonly string[] = [JOURNAL_FORMAT];

/** Why a journal's first record does not name a format this reader reads, or null when it does. */
export function formatProblem(first: { type: string; data: Record<string, unknown> }): string | null {
  if (first.type !== 'run.started') return `the first record is ${first.type}, not run.started, which names the journal's format`;
  const format = first.data.format;
  if (format === undefined) return 'run.started names no journal format (data.format): it was written before formats were named, or is not a run.started of this tool';
  if (typeof format !== 'string' || !KNOWN_FORMATS.includes(format)) {
    return `the journal is in format ${JSON.stringify(format)}; this verifier reads ${KNOWN_FORMATS.join(', ')}: use a verifier that reads it`;
  }
  return null;
}
