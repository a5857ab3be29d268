// Every record type of the journal format (and of the access log), once. records/index.ts gives each its schema.
export const RECORD_TYPES = [
  'run.started',
  'run.interrupted',
  'run.finished',
  'run.ended-early',
  'run.resumed',
  'step.started',
  'step.finished',
  'step.skipped',
  'step.note',
  'fillin',
  'decision',
  'trust',
  'timer',
  'approval',
  'signoff',
  'checkpoint',
  'log.recovered',
  'error',
  // The access log's (access.jsonl).
  'export',
  'verify',
] as const;
export type RecordType = (typeof RECORD_TYPES)[number];
