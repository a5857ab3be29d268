// Steps that take time rather than a command: "monitor for 15 minutes" (a time box the console counts
// down) and "check every 2 minutes" (a repeating check the console can run on a timer).
import type { StepTiming } from '../../shared/runbook-model.js';
import { MIN_REPEAT_MS } from '../../shared/step-timers.js';

const UNIT_MS: Record<string, number> = { s: 1000, sec: 1000, second: 1000, m: 60_000, min: 60_000, minute: 60_000, h: 3_600_000, hr: 3_600_000, hour: 3_600_000 };
const UNIT = '(seconds?|secs?|minutes?|mins?|hours?|hrs?|[smh])\\b';
const TIMEBOX = new RegExp(`\\b(?:monitor|watch|observe|wait|soak)\\w*[^.\\n]{0,80}?\\bfor\\s+(?:at\\s+least\\s+)?(\\d+(?:\\.\\d+)?)\\s*${UNIT}`, 'i');
const REPEAT = new RegExp(`\\bevery\\s+(\\d+(?:\\.\\d+)?)\\s*${UNIT}`, 'i');

function ms(amount: string, unit: string): number {
  const lower = unit.toLowerCase();
  const key = lower.length > 1 ? lower.replace(/s$/, '') : lower;
  const value = Math.round(Number(amount) * (UNIT_MS[key] ?? UNIT_MS[key.slice(0, 1)] ?? 0));
  // Absurd amounts ("every 10^20 hours") are not a timing anyone meant.
  return Number.isSafeInteger(value) ? value : 0;
}

/**
 * The timing a step's title and prose ask for, or null. A repeat inside a time box is a repeat for that long;
 * one faster than MIN_REPEAT_MS is not a repeat the console schedules (the time box, if any, still counts).
 */
export function timingIn(title: string, body: string): StepTiming | null {
  const text = `${title}\n${body}`;
  const box = TIMEBOX.exec(text);
  const repeat = REPEAT.exec(text);
  if (repeat) {
    const everyMs = ms(repeat[1] as string, repeat[2] as string);
    if (everyMs >= MIN_REPEAT_MS) return { kind: 'repeat', everyMs, forMs: box ? ms(box[1] as string, box[2] as string) || null : null, text: repeat[0] };
  }
  if (box) {
    const forMs = ms(box[1] as string, box[2] as string);
    if (forMs > 0) return { kind: 'timebox', everyMs: null, forMs, text: box[0] };
  }
  return null;
}
