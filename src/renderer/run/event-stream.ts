// The run's live events: a long-poll loop on runs.events. Output goes straight to the block's terminal;
// everything else is handed on in batches (for React state). Stops when told to, or when the run is gone.
import type { RunbookApi } from '../../shared/api.js';
import type { RunEvent } from '../../shared/run-api.js';
import { errorMessage } from '../lib/error-message.js';
import type { TerminalRegistry } from '../terminal/terminals.js';
import type { UiEvent } from './run-view-state.js';

const WAIT_MS = 20_000;
const RETRY_MS = 2_000;

export interface EventStreamOptions {
  api: RunbookApi;
  runId: string;
  terminals: TerminalRegistry;
  onEvents: (events: UiEvent[]) => void;
  onTrouble: (message: string | null) => void;
}

/** Starts the loop; the returned function stops it (a poll in flight is let run out and ignored). */
export function streamRunEvents(options: EventStreamOptions): () => void {
  const { api, runId, terminals } = options;
  let stopped = false;
  let after = -1;
  void (async () => {
    while (!stopped) {
      let batch: { events: RunEvent[]; next: number };
      try {
        batch = await api['runs.events']({ runId, after, waitMs: WAIT_MS });
      } catch (error) {
        if (stopped) return;
        const message = errorMessage(error);
        options.onTrouble(`live updates interrupted: ${message}`);
        if (/no run .* is open/.test(message)) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (stopped) return;
      options.onTrouble(null);
      after = batch.next;
      const ui: UiEvent[] = [];
      for (const event of batch.events) {
        if (event.type === 'output') terminals.write(event.blockId, event.data, event.stream);
        else {
          if (event.type === 'block-start') terminals.ensure(event.blockId);
          if (event.type === 'block-end') terminals.end(event.blockId);
          ui.push(event);
        }
      }
      if (ui.length) options.onEvents(ui);
    }
  })();
  return () => {
    stopped = true;
  };
}
