// The run's event buffer for the renderer's long poll: output coalesced while undelivered, old output
// dropped past the budget, and each answer cut to a size the page parses between frames.
import { describe, expect, it } from 'vitest';
import { EventBuffer, OUTPUT_BUDGET_CHARS, RESPONSE_OUTPUT_CHARS } from '../../src/main/runs/event-buffer.js';

const output = (data: string) => ({ type: 'output' as const, stepId: 's', blockId: 'b', stream: 'stdout' as const, data, at: '2026-11-29T00:00:00Z' });

describe('EventBuffer', () => {
  it('hands a backlog of output over in pieces of at most RESPONSE_OUTPUT_CHARS, in order, losing nothing', async () => {
    const buffer = new EventBuffer();
    const chunk = 'x'.repeat(60 * 1024);
    for (let i = 0; i < 20; i++) buffer.push(output(`${i}:${chunk}`));
    buffer.push({ type: 'step', stepId: 's', status: 'succeeded', reason: null });
    let after = -1;
    let text = '';
    let answers = 0;
    for (;;) {
      const { events, next } = await buffer.after(after, 0);
      if (events.length === 0) break;
      answers++;
      const chars = events.reduce((n, e) => n + (e.type === 'output' ? e.data.length : 0), 0);
      expect(chars).toBeLessThanOrEqual(RESPONSE_OUTPUT_CHARS);
      text += events.map((e) => (e.type === 'output' ? e.data : `[${e.type}]`)).join('');
      after = next;
    }
    expect(answers).toBeGreaterThan(3);
    expect(text).toBe(`${Array.from({ length: 20 }, (_, i) => `${i}:${chunk}`).join('')}[step]`);
  });

  it('always hands over at least one event, however big', async () => {
    const buffer = new EventBuffer();
    buffer.push(output('y'.repeat(RESPONSE_OUTPUT_CHARS * 2)));
    const { events } = await buffer.after(-1, 0);
    expect(events).toHaveLength(1);
  });

  it('past the budget, output the page has not had is replaced by one note saying how much is missing', async () => {
    const buffer = new EventBuffer();
    const chunk = 'z'.repeat(100 * 1024);
    const total = 200;
    for (let i = 0; i < total; i++) buffer.push(output(`<${i}>${chunk}`));
    let after = -1;
    let text = '';
    for (;;) {
      const { events, next } = await buffer.after(after, 0);
      if (events.length === 0) break;
      text += events.map((e) => (e.type === 'output' ? e.data : '')).join('');
      after = next;
    }
    const notes = text.match(/\[… ([\d.]+) MB of output not shown live: the complete output is in the run record …\]/g) ?? [];
    expect(notes).toHaveLength(1);
    const missing = Number(/([\d.]+) MB/.exec(notes[0] as string)?.[1]);
    expect(text).toContain(`<${total - 1}>`); // the newest output is there
    expect(text).not.toContain('<0>'); // the oldest is not
    const kept = text.length - (notes[0] as string).length;
    expect(kept).toBeLessThanOrEqual(OUTPUT_BUDGET_CHARS + 200 * 1024);
    expect(Math.abs(missing * 1024 * 1024 + kept - total * (chunk.length + 5))).toBeLessThan(0.1 * 1024 * 1024 + total * 3);
  });
});
