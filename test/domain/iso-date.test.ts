import { describe, expect, it } from 'vitest';
import {
  addDays,
  FRIDAY,
  isIsoDate,
  isoDate,
  MONDAY,
  nextWeekdayOnOrAfter,
  weekdayOf,
} from '../../src/domain/iso-date.ts';

describe('isIsoDate', () => {
  it('accepts a real date written as YYYY-MM-DD', () => {
    expect(isIsoDate('2027-02-28')).toBe(true);
  });

  it('accepts 29 February in a leap year', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
  });

  it.each([
    '2027-02-29',
    '2026-13-01',
    '2026-09-00',
    '3/9/2026',
    '2026-9-3',
    '2026-09-03T00:00',
    ' 2026-09-03',
    '2026/09/03',
    '2026-09-0a',
    '+026-09-03',
    '２０２６-09-03',
    '0099-09-03',
  ])('rejects %s', (value) => {
    expect(isIsoDate(value)).toBe(false);
  });
});

describe('isIsoDate against the calendar', () => {
  it('agrees with the calendar on every day number from 1 to 31 of every month, 1899-2101', () => {
    const disagreements: string[] = [];
    for (let year = 1899; year <= 2101; year += 1) {
      for (let month = 1; month <= 12; month += 1) {
        for (let day = 1; day <= 31; day += 1) {
          const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const real = new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10) === text;
          if (isIsoDate(text) !== real) disagreements.push(text);
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2000-02-29')).toBe(true);
  });

  it('refuses month 00 and 13, day 00, and years before 100', () => {
    expect(['2026-00-10', '2026-13-01', '2026-05-00', '0099-01-01'].map(isIsoDate)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('date arithmetic', () => {
  it('adds days across a month and a year end', () => {
    expect(addDays('2026-12-18', 17)).toBe('2027-01-04');
  });

  it('subtracts days across a leap day', () => {
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });

  it('gives the ISO weekday, Monday first', () => {
    expect(weekdayOf('2026-09-07')).toBe(MONDAY);
    expect(weekdayOf('2026-12-18')).toBe(FRIDAY);
    expect(weekdayOf('2026-09-06')).toBe(7);
  });

  it('finds the first Monday on or after a date', () => {
    expect(nextWeekdayOnOrAfter('2028-01-04', MONDAY)).toBe('2028-01-10');
  });

  it('keeps a date that already falls on the weekday asked for', () => {
    expect(nextWeekdayOnOrAfter('2027-01-04', MONDAY)).toBe('2027-01-04');
  });

  it('builds a date from its parts', () => {
    expect(isoDate(2026, 9, 1)).toBe('2026-09-01');
  });

  it('refuses to build a date that does not exist', () => {
    expect(() => isoDate(2026, 2, 30)).toThrow(RangeError);
  });
});
