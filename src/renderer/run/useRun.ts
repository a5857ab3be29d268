// The run view's connection to the host: its state, the live event loop and one way to call the API.
import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { RunbookApi } from '../../shared/api.js';
import type { RunState } from '../../shared/run-api.js';
import type { TerminalRegistry, ThemeName } from '../terminal/terminals.js';
import { errorCode, errorMessage } from '../lib/error-message.js';
import { streamRunEvents } from './event-stream.js';
import { type RunViewAction, type RunViewState, type UiEvent, initialRunView, runViewReducer } from './run-view-state.js';

export interface RunActions {
  api: RunbookApi;
  runId: string;
  /**
   * Calls the API; a RunState answer updates the view and clears the errors a success answers, a failure
   * becomes an error (and undefined): in the card of `stepId` when the call acted on a step, else at the top.
   */
  act: <T>(work: (api: RunbookApi, runId: string) => Promise<T>, stepId?: string) => Promise<T | undefined>;
  dispatch: (action: RunViewAction) => void;
  terminals: TerminalRegistry | null;
}

export const RunContext = createContext<RunActions | null>(null);

export function useRunActions(): RunActions {
  const actions = useContext(RunContext);
  if (!actions) throw new Error('useRunActions outside a run view');
  return actions;
}

const isRunState = (value: unknown): value is RunState => typeof value === 'object' && value !== null && 'runId' in value && 'steps' in value;
const REFRESH_ON = new Set<UiEvent['type']>(['step', 'record', 'block-end', 'error', 'approval', 'question', 'timer', 'store']);

export function useRun(api: RunbookApi, initial: RunState, theme: ThemeName): { view: RunViewState; actions: RunActions; trouble: string | null } {
  const [view, dispatch] = useReducer(runViewReducer, initial, initialRunView);
  const [terminals, setTerminals] = useState<TerminalRegistry | null>(null);
  const [trouble, setTrouble] = useState<string | null>(null);
  const runId = initial.runId;
  const themeRef = useRef(theme);
  themeRef.current = theme;

  // xterm.js is loaded with the first run, so the runbook itself shows without waiting for it.
  useEffect(() => {
    let registry: TerminalRegistry | null = null;
    let gone = false;
    import('../terminal/terminals.js')
      .then(({ TerminalRegistry: Registry }) => {
        if (gone) return;
        registry = new Registry(themeRef.current);
        setTerminals(registry);
      })
      .catch((error: unknown) => dispatch({ type: 'error', message: `the output view did not load: ${String(error)}` }));
    return () => {
      gone = true;
      registry?.dispose();
    };
  }, [runId]);

  useEffect(() => terminals?.setTheme(theme), [terminals, theme]);

  // Fresh state after anything that changes it (records count, statuses); one request at a time.
  const refresh = useRef({ busy: false, again: false });
  const refreshState = useCallback(async () => {
    const r = refresh.current;
    if (r.busy) {
      r.again = true;
      return;
    }
    r.busy = true;
    try {
      do {
        r.again = false;
        dispatch({ type: 'state', state: await api['runs.state']({ runId }) });
      } while (r.again);
    } catch {
      // The event loop reports a lost connection; a missed refresh is made good by the next one.
    } finally {
      r.busy = false;
    }
  }, [api, runId]);

  useEffect(() => {
    if (!terminals) return;
    return streamRunEvents({
      api,
      runId,
      terminals,
      onEvents: (events) => {
        dispatch({ type: 'events', events });
        if (events.some((e) => REFRESH_ON.has(e.type))) void refreshState();
      },
      onTrouble: setTrouble,
    });
  }, [api, runId, terminals, refreshState]);

  const act = useCallback(
    async <T,>(work: (a: RunbookApi, id: string) => Promise<T>, stepId?: string): Promise<T | undefined> => {
      try {
        const result = await work(api, runId);
        if (isRunState(result)) dispatch({ type: 'state', state: result });
        dispatch({ type: 'succeeded', stepId: stepId ?? null });
        return result;
      } catch (error) {
        dispatch({ type: 'error', message: errorMessage(error), code: errorCode(error), stepId: stepId ?? null });
        return undefined;
      }
    },
    [api, runId],
  );

  const actions = useMemo(() => ({ api, runId, act, dispatch, terminals }), [api, runId, act, terminals]);
  return { view, actions, trouble };
}
