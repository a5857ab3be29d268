// Builds ExecutionResults with consistent timing, so every executor reports the same way.
import { performance } from 'node:perf_hooks';
import { type ExecutionResult, type TargetDescription, nowIso } from './types.js';

export class ResultClock {
  readonly startedAt = nowIso();
  private readonly t0 = performance.now();

  constructor(readonly target: TargetDescription) {}

  finish(fields: Partial<Omit<ExecutionResult, 'startedAt' | 'endedAt' | 'durationMs' | 'target'>> & Pick<ExecutionResult, 'status'>): ExecutionResult {
    return {
      exitCode: null,
      signal: null,
      error: null,
      resultSets: [],
      notes: [],
      ...fields,
      startedAt: this.startedAt,
      endedAt: nowIso(),
      durationMs: Math.round((performance.now() - this.t0) * 1000) / 1000,
      target: this.target,
    };
  }
}
