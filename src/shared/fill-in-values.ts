// Values typed into a runbook's blanks and inputs: checked against the field's type and parsed, the same
// way in the console (as a hint while typing) and in the host (the check that counts, before the journal).
import type { FillIn } from './runbook-model.js';

export type FillInField = Pick<FillIn, 'label' | 'unit' | 'type'>;

export type ParsedFillIn =
  | {
      ok: true;
      /** What was typed, trimmed: what the journal keeps as `value`. */
      value: string;
      /** number and percent: the number; duration: milliseconds; date: the ISO text; text: null. */
      parsed: number | string | null;
    }
  | { ok: false; reason: string };

const DURATION_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** A duration unit the model's fill-ins may carry (fillins.ts): ms, s, min, minutes, h, hours. */
export const isDurationUnit = (unit: string | null): boolean => unit !== null && unit.toLowerCase() in DURATION_MS;

// 1234, -3, 1,234.5, 0.25 — a decimal number as people write it (no exponent, no hex).
const NUMBER = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$/;

function toNumber(text: string): number | null {
  if (!NUMBER.test(text)) return null;
  const n = Number(text.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

/** Drops the field's own unit when the value repeats it ("250 ms" in a field measured in ms). */
function withoutUnit(text: string, unit: string | null): string {
  if (!unit) return text;
  const at = text.toLowerCase().lastIndexOf(unit.toLowerCase());
  return at > 0 && at + unit.length === text.length ? text.slice(0, at).trim() : text;
}

/** "90s", "1h 30m", "250 ms", "01:30:00"; a bare number counts in `unit` when the field has a duration unit. */
export function durationMs(text: string, unit: string | null): number | null {
  const bare = toNumber(text);
  if (bare !== null) return unit && isDurationUnit(unit) && bare >= 0 ? Math.round(bare * (DURATION_MS[unit.toLowerCase()] as number)) : null;
  const clock = /^(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$/.exec(text);
  if (clock) {
    const [h, m, s] = clock[3] === undefined ? [0, Number(clock[1]), Number(clock[2])] : [Number(clock[1]), Number(clock[2]), Number(clock[3])];
    return ((h * 60 + m) * 60 + s) * 1000;
  }
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('').trim() !== text.replace(/\s+$/, '')) return null;
  let total = 0;
  for (const [, amount, word] of parts) {
    const factor = DURATION_MS[(word as string).toLowerCase()];
    if (factor === undefined) return null;
    total += Number(amount) * factor;
  }
  return Number.isSafeInteger(Math.round(total)) ? Math.round(total) : null;
}

/** An ISO date (2026-11-24) or date and time (2026-11-24T14:05, seconds and zone optional), real on the calendar. */
export function isoDate(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return null;
  return m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}` : `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}${m[6] !== undefined ? `:${m[6]}` : ''}${m[7] ?? ''}`;
}

const WHAT: Record<FillIn['type'], string> = {
  text: 'some text',
  number: 'a number such as 42 or 1,250.5',
  percent: 'a percentage such as 12.5 or 12.5%',
  duration: 'a duration such as 90s, 5 min, 1h 30m or 01:30:00',
  date: 'a date such as 2026-11-24 (or 2026-11-24T14:05)',
};

/** What a field of this type takes, in words (for prompts and error messages). */
export function fillInHint(field: FillInField): string {
  if (field.type === 'duration' && field.unit && isDurationUnit(field.unit)) return `a duration in ${field.unit} (or with its unit, such as 90s or 5 min)`;
  if (field.type === 'number' && field.unit) return `a number (in ${field.unit})`;
  return WHAT[field.type];
}

/** Checks and parses a value for a field; the reason says what the field takes. */
export function parseFillIn(field: FillInField, raw: string): ParsedFillIn {
  const value = raw.trim();
  const name = field.label ? `"${field.label}"` : 'this blank';
  if (value === '') return { ok: false, reason: `${name} needs a value` };
  const refuse = (): ParsedFillIn => ({ ok: false, reason: `${name} takes ${fillInHint(field)}, not "${value.length > 60 ? `${value.slice(0, 60)}…` : value}"` });
  switch (field.type) {
    case 'text':
      return { ok: true, value, parsed: null };
    case 'number': {
      const n = toNumber(withoutUnit(value, field.unit));
      return n === null ? refuse() : { ok: true, value, parsed: n };
    }
    case 'percent': {
      const n = toNumber(value.replace(/\s*%$/, ''));
      return n === null ? refuse() : { ok: true, value, parsed: n };
    }
    case 'duration': {
      const ms = durationMs(value, field.unit) ?? durationMs(withoutUnit(value, field.unit), field.unit);
      return ms === null ? refuse() : { ok: true, value, parsed: ms };
    }
    case 'date': {
      const iso = isoDate(value);
      return iso === null ? refuse() : { ok: true, value, parsed: iso };
    }
  }
}

const NEGATIVE = /\bno[\s-]?go\b|\broll[\s-]?back\b|\brollback\b|\babort\b|\brevert\b|\bback[\s-]?out\b|\bstop\b|\bhalt\b/i;

/** Whether a decision's choice means "do not go on" (NO-GO, roll back, abort, stop…). */
export const isNegativeChoice = (choice: string): boolean => NEGATIVE.test(choice);
