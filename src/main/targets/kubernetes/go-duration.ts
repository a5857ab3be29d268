// kubectl's flags take Go durations (--since=1h30m, --timeout=90s); zod's target durations are simpler.
import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration such as 90s, 1h30m, 1.5h, 0; a bare number is refused as Go refuses it. */
export function parseGoDuration(text: string, flagName: string): number {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`invalid argument "${text}" for "--${flagName}": a duration such as 30s, 5m or 1h30m`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] as string] as number), 0);
}
