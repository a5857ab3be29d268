// What is happening now, for the eye and for a screen reader: the "now running" bar (the step, the target its
// block runs on, how long it has run) and a polite live region that says each step's end in words.
import { useEffect, useRef, useState } from 'react';
import type { RunState } from '../../../shared/run-api.js';
import type { Runbook, Step } from '../../../shared/runbook-model.js';
import { stepOutcome } from '../../lib/step-outcome.js';
import type { BlockStatus, StepRun } from '../../run/run-view-state.js';

export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}` : `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
}

export function NowRunning({ runbook, state, blocks, history }: { runbook: Runbook; state: RunState; blocks: Record<string, BlockStatus>; history: Record<string, StepRun[]> }) {
  const running = state.steps.find((s) => s.status === 'running');
  const step = running ? runbook.steps.find((s) => s.id === running.id) : undefined;
  const seen = useRef<{ id: string; at: number } | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  if (!running || !step) {
    seen.current = null;
    return null;
  }
  if (seen.current?.id !== step.id) seen.current = { id: step.id, at: Date.now() };
  const live = step.blocks.find((b) => blocks[b.id] && !blocks[b.id]?.end);
  const target = (live && blocks[live.id]?.target) || (live ? running.targets[live.id]?.name : undefined) || Object.values(running.targets)[0]?.name || null;
  const last = history[step.id]?.at(-1);
  const started = last?.status === 'running' && Date.parse(last.started) ? Date.parse(last.started) : seen.current.at;
  const jump = () => document.querySelector(`[data-step-id="${CSS.escape(step.id)}"]`)?.scrollIntoView({ block: 'nearest' });
  return (
    <div className="now-running" data-testid="now-running" role="group" aria-label="Now running">
      <span className="now-label">Now running</span>
      <button type="button" className="link now-step" onClick={jump}>
        {step.title}
      </button>
      {target && (
        <span className="now-target">
          on <strong>{target}</strong>
        </span>
      )}
      <span className="now-elapsed" data-testid="elapsed" aria-label="Elapsed time">
        {elapsed(now - started)}
      </span>
    </div>
  );
}

/** A polite live region: "<step title>: succeeded", "…: failed", "…: NO-GO" as each step ends. */
export function Announcer({ steps, state }: { steps: Map<string, Step>; state: RunState }) {
  const previous = useRef<Map<string, string> | null>(null);
  const [message, setMessage] = useState('');
  useEffect(() => {
    const keys = new Map(state.steps.map((s) => [s.id, `${s.status}|${s.decision ?? ''}|${s.mark ?? ''}`]));
    const before = previous.current;
    previous.current = keys;
    if (!before) return;
    const ended: string[] = [];
    for (const s of state.steps) {
      if (s.status === 'pending' && !s.decision && !s.mark) continue;
      if (s.status === 'running' || before.get(s.id) === keys.get(s.id)) continue;
      ended.push(`${steps.get(s.id)?.title ?? s.id}: ${stepOutcome(s).label}`);
    }
    if (ended.length) setMessage(ended.join('. '));
  }, [state.steps, steps]);
  return (
    <div className="offscreen" role="status" aria-live="polite" data-testid="announcer">
      {message}
    </div>
  );
}
