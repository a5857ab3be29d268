// A console run's step timers, kept by the host: time boxes ("monitor for 15 minutes") and repeating checks
// ("every 2 minutes for 30 minutes"). One timeout, for the earliest moment any timer needs; at it, what the
// rules say (src/shared/step-timers.ts) is done here — a repeat's run started (one step at a time, never
// while another runs or the host waits on the operator), a reminder for a check done by hand, a time box
// ending — and each is journaled as a `timer` record. So timers go on when the page closes or reloads; the
// page only shows them.
import type { StepTiming } from '../../shared/runbook-model.js';
import { type StepTimer, type TimerEvent, fire, nextMoment, startTimer, stopTimer } from '../../shared/step-timers.js';

/** What the timers need of the run they belong to. */
export interface TimerHost {
  /** A step runs, the host waits on the operator, or the run is being sealed: a repeat's run waits. */
  busy(): boolean;
  /** The step has nothing to run (a check done by hand): a repeat reminds instead of running. */
  manual(stepId: string): boolean;
  /** Starts the step's run; throws why it cannot start. */
  run(stepId: string): void;
  /** Journals what happened to the timer (a `timer` record) and tells the page. */
  record(timer: StepTimer, event: TimerEvent, by: string): void;
  /** Something went wrong outside any call (a repeat's run refused): the page is told. */
  failed(stepId: string, message: string): void;
}

export class RunTimers {
  private readonly timers = new Map<string, StepTimer>();
  private handle: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: TimerHost,
    private readonly now: () => number = Date.now,
  ) {}

  get(stepId: string): StepTimer | null {
    return this.timers.get(stepId) ?? null;
  }

  /** Starts the step's timer (again, once an earlier one ended); `by`: who started it. */
  start(stepId: string, timing: StepTiming, by: string): StepTimer {
    const current = this.timers.get(stepId);
    if (current && current.ended === null) throw new Error(`the ${current.kind === 'timebox' ? 'time box' : 'repeating check'} of step ${stepId} is already counting`);
    const timer = startTimer(stepId, timing, this.now());
    // Journaled first: a timer whose start could not be recorded does not count.
    this.host.record(timer, 'started', by);
    this.timers.set(stepId, timer);
    this.plan();
    return timer;
  }

  /** Stops the step's timer; false when none counts. */
  stop(stepId: string, by: string): boolean {
    const timer = this.timers.get(stepId);
    if (!timer || timer.ended !== null) return false;
    const stopped = stopTimer(timer, this.now());
    this.timers.set(stepId, stopped);
    this.host.record(stopped, 'stopped', by);
    this.plan();
    return true;
  }

  /** Stops every timer still counting (the run is being sealed, the host is going away). */
  stopAll(by: string): void {
    for (const [stepId, timer] of this.timers) if (timer.ended === null) this.stop(stepId, by);
    this.close();
  }

  /** Plans the one timeout again: after a start or stop, and whenever the run stops being busy. */
  plan(): void {
    this.close();
    const busy = this.host.busy();
    const moments = [...this.timers.values()].map((t) => nextMoment(t, busy)).filter((m): m is number => m !== null);
    if (moments.length === 0) return;
    this.handle = setTimeout(() => this.wake(), Math.max(0, Math.min(...moments) - this.now()));
    // A timer never keeps the host process alive on its own.
    this.handle.unref?.();
  }

  close(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = null;
  }

  /** Does what is due now, for every timer; then plans the next moment. */
  private wake(): void {
    this.handle = null;
    const now = this.now();
    let claimed = this.host.busy();
    const due: [StepTimer, TimerEvent][] = [];
    for (const [stepId, timer] of this.timers) {
      const result = fire(timer, now, { canRun: !claimed, manual: this.host.manual(stepId) });
      if (result.action === 'run') claimed = true; // one step at a time
      this.timers.set(stepId, result.timer);
      if (result.action) due.push([result.timer, result.action === 'run' ? 'run' : result.action === 'remind' ? 'remind' : 'due']);
    }
    for (const [timer, event] of due) {
      // Nothing thrown here may escape the timeout (it would end the host): a failure is told, on the step.
      try {
        // A run is journaled once the step has started it (a refused one did not happen): it stops the repeat.
        if (event === 'run') this.host.run(timer.stepId);
        this.host.record(timer, event, 'host');
      } catch (error) {
        this.host.failed(timer.stepId, event === 'run' ? `the repeating check could not run the step, so it stops: ${(error as Error).message}` : `the timer could not be journaled: ${(error as Error).message}`);
        const current = this.timers.get(timer.stepId);
        if (current && current.ended === null) {
          const stopped = stopTimer(current, now);
          this.timers.set(timer.stepId, stopped);
          // The journal says it stopped (by the host), as it says it started; a journal that refuses that too
          // has already told the page (the failure above).
          try {
            this.host.record(stopped, 'stopped', 'host');
          } catch {
            // nothing more to tell
          }
        }
      }
    }
    this.plan();
  }
}
