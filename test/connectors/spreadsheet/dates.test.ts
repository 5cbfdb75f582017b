import { describe, expect, it } from 'vitest';
import { readDate } from '../../../src/connectors/spreadsheet/dates.ts';

const iso = (cell: string | number | Date, date1904 = false) => {
  const reading = readDate(cell, date1904);
  return reading?.ok ? reading.iso : reading?.fault;
};

describe('readDate', () => {
  it('reads 03/04/2015 as 3 April, never 4 March', () => {
    expect(iso('03/04/2015')).toBe('2015-04-03');
  });

  it("reads two-digit years with Excel's rule: up to 29 is 2000s, from 30 is 1900s", () => {
    expect([iso('1/9/29'), iso('1/9/30')]).toEqual(['2029-09-01', '1930-09-01']);
  });

  it('reads month names, as Excel writes them into a CSV', () => {
    expect([iso('14-Mar-16'), iso('14 March 2016'), iso('1st Sept 2016')]).toEqual([
      '2016-03-14',
      '2016-03-14',
      '2016-09-01',
    ]);
  });

  it('ignores a midnight time after the date', () => {
    expect(iso('14/03/2016 00:00')).toBe('2016-03-14');
  });

  it('reads serials on either side of the 29 February 1900 Excel invents', () => {
    expect([iso(59), iso(61), iso(42443)]).toEqual(['1900-02-28', '1900-03-01', '2016-03-14']);
    expect(iso(60)).toBe('unreal');
  });

  it('counts from 1904 in the 1904 date system', () => {
    expect(iso(40_000, true)).toBe('2013-07-07');
  });

  it('reads a serial typed as text, but not a bare year', () => {
    expect([iso('42443'), iso('2016')]).toEqual(['2016-03-14', 'format']);
  });

  it('reads the day of a date stored with a time of day', () => {
    expect(iso(new Date(Date.UTC(2016, 2, 14, 13, 30)))).toBe('2016-03-14');
  });

  it('says when the month comes first, US style', () => {
    expect(iso('12/25/2016')).toBe('monthFirst');
  });

  it('reads a blank cell as no date at all', () => {
    expect(readDate('  ', false)).toBeNull();
  });
});
