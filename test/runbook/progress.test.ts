// A large runbook loads in chunks: progress is reported as it goes, and the asynchronous parse lets other
// work run in between (a server stays responsive), giving the same model as the synchronous one.
import { describe, expect, it } from 'vitest';
import { type ParseProgress, parseRunbook, parseRunbookAsync } from '../../src/main/runbook/index.js';

function listHeavy(sections: number): string {
  const out: string[] = ['# Key rotation', ''];
  for (let s = 1; s <= sections; s++) {
    out.push(`## Pool ${s}`, '');
    for (let i = 1; i <= 20; i++) {
      out.push(`- [ ] Check node ${i} of pool ${s}`, '  - it answers', '  1. drain it', '  2. wait', '  ```bash', `  kubectl drain node-${s}-${i}`, '  ```', '');
    }
  }
  return out.join('\n');
}

describe('progress while a runbook loads', () => {
  const text = listHeavy(60);

  it('is reported after each chunk, in order, up to the whole text', async () => {
    const seen: ParseProgress[] = [];
    const rb = await parseRunbookAsync(text, { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(10);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]?.done).toBeGreaterThanOrEqual(seen[i - 1]?.done as number);
      expect(seen[i]?.steps).toBeGreaterThanOrEqual(seen[i - 1]?.steps as number);
    }
    expect(seen.at(-1)).toMatchObject({ done: text.length, total: text.length });
    expect(rb.steps).toHaveLength(60 * 20);
    expect(JSON.parse(JSON.stringify(rb))).toEqual(JSON.parse(JSON.stringify(parseRunbook(text))));
  });

  it('lets other work run while it parses', async () => {
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const parsed = parseRunbookAsync(text);
    const before = ticks;
    await parsed;
    running = false;
    expect(ticks - before).toBeGreaterThan(2);
  });
});
