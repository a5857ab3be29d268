// Values typed into blanks: checked against the field's type the same way in the page and in the host.
import { describe, expect, it } from 'vitest';
import { durationMs, isNegativeChoice, isoDate, parseFillIn } from '../../src/shared/fill-in-values.js';

const field = (type: 'text' | 'number' | 'percent' | 'duration' | 'date', unit: string | null = null) => ({ label: 'Value', unit, type });

describe('fill-in values', () => {
  it('numbers: decimals and thousands separators, the field\'s own unit tolerated; words refused', () => {
    expect(parseFillIn(field('number'), ' 1,250.5 ')).toEqual({ ok: true, value: '1,250.5', parsed: 1250.5 });
    expect(parseFillIn(field('number', 'GB'), '12 GB')).toMatchObject({ ok: true, parsed: 12 });
    expect(parseFillIn(field('number'), '12abc')).toMatchObject({ ok: false, reason: '"Value" takes a number such as 42 or 1,250.5, not "12abc"' });
    expect(parseFillIn(field('number'), '1e9')).toMatchObject({ ok: false });
  });

  it('percentages with or without the sign; durations in the field\'s unit or with their own; ISO dates on the calendar', () => {
    expect(parseFillIn(field('percent', '%'), '12.5%')).toMatchObject({ ok: true, parsed: 12.5 });
    expect(parseFillIn(field('percent'), 'most')).toMatchObject({ ok: false });
    expect(parseFillIn(field('duration', 'ms'), '250')).toMatchObject({ ok: true, parsed: 250 });
    expect(parseFillIn(field('duration', 's'), '3 s')).toMatchObject({ ok: true, parsed: 3000 });
    expect(parseFillIn(field('duration'), '1h 30m')).toMatchObject({ ok: true, parsed: 5_400_000 });
    expect(parseFillIn(field('duration'), '01:30:00')).toMatchObject({ ok: true, parsed: 5_400_000 });
    expect(parseFillIn(field('duration'), '90')).toMatchObject({ ok: false });
    expect(parseFillIn(field('duration'), '20 parsecs')).toMatchObject({ ok: false });
    expect(parseFillIn(field('date'), '2026-11-24')).toMatchObject({ ok: true, parsed: '2026-11-24' });
    expect(parseFillIn(field('date'), '2026-11-24T14:05Z')).toMatchObject({ ok: true, parsed: '2026-11-24T14:05Z' });
    expect(parseFillIn(field('date'), '2026-02-30')).toMatchObject({ ok: false });
    expect(parseFillIn(field('date'), 'tomorrow')).toMatchObject({ ok: false });
  });

  it('text takes anything but nothing; every type refuses an empty value', () => {
    expect(parseFillIn(field('text'), 'CHG-1234')).toEqual({ ok: true, value: 'CHG-1234', parsed: null });
    for (const type of ['text', 'number', 'percent', 'duration', 'date'] as const) expect(parseFillIn(field(type), '   ')).toMatchObject({ ok: false, reason: '"Value" needs a value' });
  });

  it('helpers: durations, dates, negative choices', () => {
    expect(durationMs('5 min', null)).toBe(300_000);
    expect(durationMs('5', 'min')).toBe(300_000);
    expect(isoDate('2024-02-29')).toBe('2024-02-29');
    expect(isoDate('2023-02-29')).toBeNull();
    expect(['NO-GO', 'Roll back', 'Abort', 'Stop and page the DBA'].every(isNegativeChoice)).toBe(true);
    expect(['GO', 'Proceed with the cut-over', 'Continue'].some(isNegativeChoice)).toBe(false);
  });
});
