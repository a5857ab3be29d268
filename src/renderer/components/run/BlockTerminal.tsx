// A block's live output: its xterm.js terminal (ANSI colours, scrollback), search, copy and follow.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useRunActions } from '../../run/useRun.js';
import { CopyButton } from '../CopyButton.js';

export function BlockTerminal({ blockId }: { blockId: string }) {
  const { terminals } = useRunActions();
  const container = useRef<HTMLDivElement>(null);
  const [query, setQuery] = useState('');
  const [missed, setMissed] = useState(false);

  useEffect(() => {
    if (!terminals || !container.current) return;
    return terminals.attach(blockId, container.current);
  }, [terminals, blockId]);

  const find = (backwards: boolean) => (event?: FormEvent) => {
    event?.preventDefault();
    setMissed(!terminals?.find(blockId, query, backwards));
  };

  return (
    <div className="terminal">
      <div className="terminal-tools">
        <form onSubmit={find(false)} className="terminal-search">
          <input aria-label="Search output" placeholder="Search output" value={query} onChange={(e) => setQuery(e.target.value)} className={missed ? 'missed' : undefined} />
          <button type="button" className="small" onClick={find(true)} aria-label="Previous match">
            ↑
          </button>
          <button type="submit" className="small" aria-label="Next match">
            ↓
          </button>
        </form>
        <button type="button" className="small" onClick={() => terminals?.follow(blockId)} title="Scroll to the newest output">
          Follow
        </button>
        <CopyButton text={() => terminals?.text(blockId) ?? ''} title="Copy the selection, or all the output kept on screen" />
      </div>
      <div ref={container} className="terminal-frame" data-testid="terminal" data-block-id={blockId} />
    </div>
  );
}
