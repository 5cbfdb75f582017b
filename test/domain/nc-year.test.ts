import { describe, expect, it } from 'vitest';
import { NC_YEARS, ncYearLabel, ncYearOrdinal, parseNcYear } from '../../src/domain/nc-year.ts';

const ACCEPTED_FORMS =
  'Write it as Y1 to Y14 (or Year 4, Yr4, 4), R or Reception, N1 or N2 (Nursery 1, Nursery 2), ' +
  'or X for a pupil not following a National Curriculum year.';

describe('NC_YEARS', () => {
  it('runs from Nursery 1 through Reception and Y1 to Y14, with X last', () => {
    expect(NC_YEARS).toEqual([
      'N1',
      'N2',
      'R',
      'Y1',
      'Y2',
      'Y3',
      'Y4',
      'Y5',
      'Y6',
      'Y7',
      'Y8',
      'Y9',
      'Y10',
      'Y11',
      'Y12',
      'Y13',
      'Y14',
      'X',
    ]);
  });

  it('is in the order of the ordinals', () => {
    const ordinals = NC_YEARS.map(ncYearOrdinal).filter((ordinal) => ordinal !== null);
    expect(ordinals).toEqual([...ordinals].sort((a, b) => a - b));
  });
});

describe('ncYearOrdinal', () => {
  it.each([
    ['N1', -2],
    ['N2', -1],
    ['R', 0],
    ['Y1', 1],
    ['Y6', 6],
    ['Y14', 14],
  ] as const)('places %s at %i', (year, ordinal) => {
    expect(ncYearOrdinal(year)).toBe(ordinal);
  });

  it('gives no position to a pupil not following an NC year', () => {
    expect(ncYearOrdinal('X')).toBeNull();
  });
});

describe('ncYearLabel', () => {
  it.each([
    ['N1', 'Nursery 1'],
    ['N2', 'Nursery 2'],
    ['R', 'Reception'],
    ['Y4', 'Year 4'],
    ['Y13', 'Year 13'],
    ['X', 'Not following an NC year'],
  ] as const)('names %s "%s"', (year, label) => {
    expect(ncYearLabel(year)).toBe(label);
  });
});

describe('parseNcYear', () => {
  it.each([
    ['Y4', 'Y4'],
    ['Year 4', 'Y4'],
    ['Yr4', 'Y4'],
    ['yr 4', 'Y4'],
    ['4', 'Y4'],
    ['04', 'Y4'],
    ['Year 11', 'Y11'],
    ['14', 'Y14'],
    ['R', 'R'],
    ['Rec', 'R'],
    ['Reception', 'R'],
    ['YR', 'R'],
    ['N1', 'N1'],
    ['N2', 'N2'],
    ['Nursery 1', 'N1'],
    ['Nursery 2', 'N2'],
    ['X', 'X'],
    ['NC X', 'X'],
    ['Not following NC', 'X'],
    ['Non-NC', 'X'],
  ])('reads "%s" as %s', (input, year) => {
    expect(parseNcYear(input)).toEqual({ ok: true, year });
  });

  it('ignores surrounding spaces and case, as in a spreadsheet cell', () => {
    expect(parseNcYear('  YEAR 6 ')).toEqual({ ok: true, year: 'Y6' });
  });

  it('rejects Y15, past the last NC year', () => {
    expect(parseNcYear('Y15')).toEqual({
      ok: false,
      reason: `Year group "Y15" is not one we can read. ${ACCEPTED_FORMS}`,
    });
  });

  it('rejects Year 0 rather than guess it means Reception', () => {
    expect(parseNcYear('Year 0')).toEqual({
      ok: false,
      reason: `Year group "Year 0" is not one we can read. ${ACCEPTED_FORMS}`,
    });
  });

  it('rejects a blank year group', () => {
    expect(parseNcYear('')).toEqual({
      ok: false,
      reason: `The year group is blank. ${ACCEPTED_FORMS}`,
    });
  });

  it('rejects "Sixth form", which could be Y12 or Y13', () => {
    expect(parseNcYear('Sixth form')).toEqual({
      ok: false,
      reason: `Year group "Sixth form" is not one we can read. ${ACCEPTED_FORMS}`,
    });
  });

  it('rejects "Nursery" without saying which nursery year', () => {
    expect(parseNcYear('Nursery')).toMatchObject({ ok: false });
  });
});
