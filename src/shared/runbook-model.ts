// The runbook model: the one shape every part of Runbook Console reads (CLI, executors, audit, UI).
// The zod schemas are the contract; the TypeScript types are inferred from them so they cannot drift.
import { z } from 'zod';
import { PROFILES } from './profiles.js';

export { PROFILES };
export const ProfileSchema = z.enum(PROFILES);
export type Profile = z.infer<typeof ProfileSchema>;

export const ACTIONS = ['shell', 'sql', 'k8s-manifest', 'promql', 'display'] as const;
export const ActionSchema = z.enum(ACTIONS);
export type Action = z.infer<typeof ActionSchema>;

/** How a block's text was read: as written, as a terminal transcript, as output only, or as several PromQL queries. */
export const READINGS = ['as-written', 'transcript', 'output', 'queries'] as const;
export const BlockReadingSchema = z.object({
  kind: z.enum(READINGS),
  reason: z.string().describe('Why it was read so, in words'),
});
export type BlockReading = z.infer<typeof BlockReadingSchema>;

export const BlockSchema = z.object({
  id: z.string().describe('Unique in the runbook: the step id, then "#" and the block name or its 1-based index'),
  lang: z.string().nullable().describe('Fence language as written, lower-cased; null when the fence has none'),
  code: z.string(),
  line: z.number().int().positive().describe('1-based line of the opening fence'),
  name: z.string().nullable().describe('From the fence attribute "name"; null when not given'),
  action: ActionSchema,
  reason: z.string().describe('Why the block was classified as its action'),
  attributes: z.record(z.string(), z.unknown()).describe('Fence attributes, e.g. {"target":"db","timeout":"5m"}'),
  target: z.string().nullable().describe('Target name from the "target" attribute; null when unbound here'),
  attributeError: z
    .string()
    .optional()
    .describe('Why the fence attributes could not be read; absent when they could. Such a block is never run'),
  expected: z.array(z.string()).describe('Expected-outcome hints found in the code comments'),
  variables: z.array(z.string()).describe('Variables the code needs a value for and does not set itself'),
  // Set by the block reader (runbook/classify.ts readBlock); optional only for models built without it.
  source: z.string().optional().describe('The block as written; `code` differs when prompts and output were taken out'),
  reading: BlockReadingSchema.optional(),
  expectedOutput: z.string().nullable().optional().describe('Output a transcript shows after its commands: an example, for comparison'),
  queries: z.array(z.string()).optional().describe('For promql blocks, each query on its own, in order; [] otherwise'),
  optionalVariables: z.array(z.string()).optional().describe('Variables used only with a default or a test (${X:-y}): passed when given, never asked for'),
});
export type Block = z.infer<typeof BlockSchema>;

export const CheckSchema = z.object({
  title: z.string(),
  checked: z.boolean(),
  line: z.number().int().positive(),
});
export type Check = z.infer<typeof CheckSchema>;

/** What a blank takes: checked and parsed by the host before it is recorded (src/shared/fill-in-values.ts). */
export const FILL_IN_TYPES = ['text', 'number', 'percent', 'duration', 'date'] as const;

export const FillInSchema = z.object({
  label: z.string().describe('Text before the blank on its line, e.g. "Deployment Lead"; "" when none'),
  unit: z.string().nullable().describe('Unit written right after the blank, e.g. "%"'),
  line: z.number().int().positive(),
  type: z.enum(FILL_IN_TYPES).describe('What the value must be: text, a number, a percentage, a duration or a date'),
  required: z.boolean().describe('False only when the label says the value is optional'),
});
export type FillIn = z.infer<typeof FillInSchema>;

export const STEP_KINDS = ['step', 'signoff', 'decision', 'manual', 'input'] as const;
export const STEP_ORIGINS = ['task', 'ordered', 'heading', 'lead-in', 'block', 'table', 'lines', 'list', 'gate'] as const;

/** Callouts and examples: shown with the step (or section) they stand by, never steps of their own. */
export const NOTE_KINDS = ['note', 'tip', 'important', 'warning', 'caution', 'example', 'state'] as const;
export const NoteSchema = z.object({
  kind: z.enum(NOTE_KINDS),
  label: z.string().describe('The label as written, e.g. "Warning", "Before", "[!NOTE]"'),
  text: z.string().describe('The note\'s markdown without its label; code blocks in it are the step\'s (shown, never run)'),
  line: z.number().int().positive(),
  blockIds: z.array(z.string()).describe('The step\'s blocks that are this note\'s code: display, never run'),
});
export type Note = z.infer<typeof NoteSchema>;

export const SignoffSchema = z.object({
  roles: z.array(z.string()).describe('Who signs: table rows or the labels before each line\'s first blank'),
  fields: z.array(z.string()).describe('What each signer fills in, e.g. Name, Date, Signature'),
});

export const DecisionChoiceSchema = z.object({
  label: z.string(),
  leadsTo: z.string().nullable().describe('Id of the section this choice leads to; null: on to the next step'),
});

export const DecisionSchema = z.object({
  options: z.array(z.string()).describe('The choices offered, e.g. ["GO", "NO-GO"]'),
  choices: z.array(DecisionChoiceSchema).describe('The same choices in the same order, each with where it leads'),
});

export const StepTimingSchema = z.object({
  kind: z.enum(['timebox', 'repeat']),
  /** Repeat interval; null for a plain time box. */
  everyMs: z.number().int().positive().nullable(),
  /** How long it lasts; null for a repeat with no end given. */
  forMs: z.number().int().positive().nullable(),
  /** The words it was read from. */
  text: z.string(),
});
export type StepTiming = z.infer<typeof StepTimingSchema>;

export const StepSchema = z.object({
  id: z
    .string()
    .describe('Stable: section path + title slug, "~2", "~3" for repeated titles in one section; unique among steps and sections (a heading step shares its section\'s id)'),
  kind: z.enum(STEP_KINDS),
  origin: z.enum(STEP_ORIGINS).describe('What in the markdown made this a step'),
  title: z.string(),
  body: z.string().describe('The step\'s own markdown prose, without its title, code blocks and sub-checks'),
  checked: z.boolean().describe('True when the source already ticks it ([x])'),
  line: z.number().int().positive(),
  sectionId: z.string(),
  profile: ProfileSchema.nullable().describe('Lowest profile the step belongs to; null when unmarked'),
  checks: z.array(CheckSchema),
  blocks: z.array(BlockSchema),
  expected: z.array(z.string()).describe('Expected-outcome hints from the prose and the code comments'),
  fillIns: z.array(FillInSchema),
  variables: z.array(z.string()),
  signoff: SignoffSchema.nullable(),
  decision: DecisionSchema.nullable(),
  timing: StepTimingSchema.nullable().describe('A time box ("monitor for 15 minutes") or a repeating check ("every 2 minutes")'),
  notes: z.array(NoteSchema).describe('Callouts and examples that stand by this step'),
});
export type Step = z.infer<typeof StepSchema>;

export interface Section {
  id: string;
  title: string;
  depth: number;
  line: number;
  profile: Profile | null;
  stepIds: string[];
  /** Callouts and examples of the section that stand by none of its steps. */
  notes: Note[];
  sections: Section[];
}
export const SectionSchema: z.ZodType<Section> = z.lazy(() =>
  z.object({
    id: z.string(),
    title: z.string(),
    depth: z.number().int().min(0).max(6).describe('Heading depth; 0 for the part before the first heading'),
    line: z.number().int().positive(),
    profile: ProfileSchema.nullable(),
    stepIds: z.array(z.string()).describe('Steps directly in this section, in document order'),
    notes: z.array(NoteSchema),
    sections: z.array(SectionSchema),
  }),
);

export const VariableDeclSchema = z.object({
  default: z.string().optional(),
  description: z.string().optional(),
  secret: z.boolean().optional(),
});
export type VariableDecl = z.infer<typeof VariableDeclSchema>;

export const FrontMatterSchema = z
  .object({
    title: z.string().min(1).optional(),
    profile: ProfileSchema.optional(),
    variables: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'variable names are letters, digits, _ and -'),
        z.union([z.string(), z.number(), z.boolean(), VariableDeclSchema]),
      )
      .optional(),
    targets: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    /** Target per action kind for this runbook's blocks, e.g. { sql: payments-db }. */
    defaults: z
      .object({ shell: z.string().optional(), sql: z.string().optional(), k8s: z.string().optional(), promql: z.string().optional() })
      .strict()
      .optional(),
  })
  .catchall(z.unknown());
export type FrontMatter = z.infer<typeof FrontMatterSchema>;

/** What a diagnostic is about; docs/runbook-model.md lists what each means. */
export const DIAGNOSTIC_CODES = [
  // Refusals: the file is not read at all (thrown as RunbookError).
  'file-unreadable', 'file-not-regular', 'file-too-large', 'file-utf16', 'file-binary', 'file-invalid-utf8',
  'nesting-too-deep', 'front-matter-yaml', 'front-matter-not-mapping', 'front-matter-field',
  // Problems the parser lives with (in the model's warnings).
  'front-matter-misplaced', 'front-matter-fence', 'front-matter-unclosed', 'front-matter-toml',
  'front-matter-markdown', 'front-matter-unknown-key', 'front-matter-key-near-miss',
  'fence-unclosed', 'fence-attributes', 'mojibake-repaired',
] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export const DiagnosticSchema = z.object({
  code: z.enum(DIAGNOSTIC_CODES),
  severity: z
    .enum(['error', 'warning'])
    .describe('error: something the author wrote is not read, or the file is refused; warning: read, but worth a look'),
  file: z.string().describe('The runbook file as given, or "<input>"'),
  line: z.number().int().positive(),
  column: z.number().int().positive().describe('1-based, in UTF-16 code units as in the markdown syntax tree'),
  message: z.string(),
});
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

export const RunbookSchema = z.object({
  title: z.string(),
  file: z.string().nullable(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('Hash of the file bytes as read'),
  frontMatter: FrontMatterSchema.nullable(),
  sections: z.array(SectionSchema),
  steps: z.array(StepSchema).describe('Every step, flat, in document order'),
  warnings: z.array(DiagnosticSchema),
});
export type Runbook = z.infer<typeof RunbookSchema>;
