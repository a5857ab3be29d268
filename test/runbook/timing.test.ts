// Time-boxed and repeating steps read from their words.
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { timingIn } from '../../src/main/runbook/timing.js';
import { startTimer } from '../../src/shared/step-timers.js';

describe('step timing', () => {
  it.each([
    ['Monitor error rates for 15 minutes', '', { kind: 'timebox', everyMs: null, forMs: 900_000 }],
    ['Watch the dashboard', 'Keep watching replication lag for at least 2 hours after the switch.', { kind: 'timebox', everyMs: null, forMs: 7_200_000 }],
    ['Check queue depth every 2 minutes', '', { kind: 'repeat', everyMs: 120_000, forMs: null }],
    ['Observe for 30 minutes, checking 5xx every 5 min', '', { kind: 'repeat', everyMs: 300_000, forMs: 1_800_000 }],
    ['Soak for 90s', '', { kind: 'timebox', everyMs: null, forMs: 90_000 }],
  ])('%s', (title, body, expected) => {
    expect(timingIn(title, body)).toMatchObject(expected);
  });

  it.each(['Run the migration for the orders table', 'Rotate keys every quarter', 'Wait for approval', 'Keep 15 minutes of logs'])('no timing in "%s"', (title) => {
    expect(timingIn(title, '')).toBeNull();
  });

  it('ignores absurd amounts', () => {
    expect(timingIn('Check every 99999999999999999999 hours', '')).toBeNull();
  });

  it('schedules no repeat faster than every 5 s (a step run back to back against a target); a time box around it still counts', () => {
    expect(timingIn('Check every 0.001 s', '')).toBeNull();
    expect(timingIn('Check every 4 seconds', '')).toBeNull();
    expect(timingIn('Watch for 10 minutes, checking every 1s', '')).toMatchObject({ kind: 'timebox', forMs: 600_000, everyMs: null });
    expect(timingIn('Check every 5 seconds', '')).toMatchObject({ kind: 'repeat', everyMs: 5_000 }); // control
    // The host refuses one however it got there.
    expect(() => startTimer('s', { kind: 'repeat', everyMs: 1, forMs: null, text: 'every 1 ms' }, 0)).toThrow(/faster than the 5 s/);
  });

  it('reaches the model', () => {
    const runbook = parseRunbook('# R\n- [ ] Monitor p99 latency for 10 minutes\n- [ ] Deploy\n  ```bash\n  true\n  ```\n', { file: 'r.md' });
    expect(runbook.steps.map((s) => s.timing?.kind ?? null)).toEqual(['timebox', null]);
  });
});
