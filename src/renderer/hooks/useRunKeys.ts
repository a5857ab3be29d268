// Keyboard for the run view: j/k move the selected step, Enter runs it, Esc cancels the running step.
// Keys typed into a field, or with a modifier, or while a dialog is open, are left alone.
import { useEffect, useRef } from 'react';

export interface RunKeys {
  order: readonly string[];
  selected: string | null;
  select: (stepId: string) => void;
  run: (stepId: string) => void;
  cancel: () => void;
  enabled: boolean;
}

/** A field the operator types into (the terminals' hidden input does not count: they take no input). */
function inField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement) || target.closest('.xterm')) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function useRunKeys(keys: RunKeys): void {
  const current = useRef(keys);
  current.current = keys;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const k = current.current;
      if (!k.enabled || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      if (inField(event.target) || (event.target instanceof HTMLElement && event.target.closest('[role=dialog]'))) return;
      if (event.key === 'Escape') {
        k.cancel();
        return;
      }
      const at = k.selected ? k.order.indexOf(k.selected) : -1;
      if (event.key === 'j' || event.key === 'k') {
        event.preventDefault();
        const next = event.key === 'j' ? Math.min(at + 1, k.order.length - 1) : Math.max(at - 1, 0);
        const id = k.order[next];
        if (id) k.select(id);
      } else if (event.key === 'Enter' && k.selected && !(event.target instanceof HTMLElement && event.target.closest('button, a'))) {
        event.preventDefault();
        k.run(k.selected);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
