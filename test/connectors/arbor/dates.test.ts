import { describe, expect, it } from 'vitest';
import { arborDate, arborDatetime, ukToday } from '../../../src/connectors/arbor/dates.ts';

describe('Arbor dates', () => {
  it('reads UK wall-clock time as the instant it was, either side of a clock change', () => {
    expect(arborDatetime('2025-01-14 09:05:11')).toEqual({
      ok: true,
      value: '2025-01-14T09:05:11.000Z',
    });
    expect(arborDatetime('2025-07-08 17:30:00')).toEqual({
      ok: true,
      value: '2025-07-08T16:30:00.000Z',
    });
    expect(arborDatetime('2025-03-30 03:30:00')).toEqual({
      ok: true,
      value: '2025-03-30T02:30:00.000Z',
    });
  });

  it('keeps a datetime that says its own offset, and reads a missing one as null', () => {
    expect(arborDatetime('2025-07-08T16:30:00Z')).toEqual({
      ok: true,
      value: '2025-07-08T16:30:00.000Z',
    });
    expect(arborDatetime(null)).toEqual({ ok: true, value: null });
  });

  it('tells an unreadable date from a missing one', () => {
    expect(arborDate('2014-03-02')).toEqual({ ok: true, value: '2014-03-02' });
    expect(arborDate('2014-03-02 00:00:00')).toEqual({ ok: true, value: '2014-03-02' });
    expect(arborDate('')).toEqual({ ok: true, value: null });
    expect(arborDate('02/03/2014')).toEqual({ ok: false });
    expect(arborDate('2014-02-30')).toEqual({ ok: false });
  });

  it("gives today's date in the UK, which is a day ahead of UTC late on a summer evening", () => {
    expect(ukToday(new Date('2025-07-08T23:30:00Z'))).toBe('2025-07-09');
    expect(ukToday(new Date('2025-01-08T23:30:00Z'))).toBe('2025-01-08');
  });
});
