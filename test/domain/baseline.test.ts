import { describe, expect, it } from 'vitest';
import { baselineCollection } from '../../src/domain/baseline.ts';
import { englishAcademicYear } from '../../src/domain/school-year.ts';

// 2026/27 in the seed pattern: autumn 1 Sep-23 Oct and 2 Nov-18 Dec, spring 4 Jan-12 Feb and
// 22 Feb-19 Mar, summer 5 Apr-28 May and 7 Jun-23 Jul.
const years = [2025, 2026, 2027].map(englishAcademicYear);

describe('baselineCollection (8.3)', () => {
  it('is the autumn collection for a school converting on the first day of autumn term', () => {
    expect(baselineCollection(years, '2026-09-01')).toEqual({
      startYear: 2026,
      term: 'autumn',
      firstFullHalfTerm: { startYear: 2026, term: 'autumn', half: 1 },
    });
  });

  it('is the autumn collection for a school converting on the first day of autumn 2', () => {
    expect(baselineCollection(years, '2026-11-02')).toEqual({
      startYear: 2026,
      term: 'autumn',
      firstFullHalfTerm: { startYear: 2026, term: 'autumn', half: 2 },
    });
  });

  it('moves to spring for a school converting two weeks into autumn 2', () => {
    expect(baselineCollection(years, '2026-11-16')).toEqual({
      startYear: 2026,
      term: 'spring',
      firstFullHalfTerm: { startYear: 2026, term: 'spring', half: 1 },
    });
  });

  it('is the autumn collection for a school converting in the summer holiday', () => {
    expect(baselineCollection(years, '2026-08-01')).toEqual({
      startYear: 2026,
      term: 'autumn',
      firstFullHalfTerm: { startYear: 2026, term: 'autumn', half: 1 },
    });
  });

  it('is the spring collection for a school converting during the February break', () => {
    expect(baselineCollection(years, '2027-02-16')).toEqual({
      startYear: 2026,
      term: 'spring',
      firstFullHalfTerm: { startYear: 2026, term: 'spring', half: 2 },
    });
  });

  it('is the summer collection for a school converting on the first day of summer 2', () => {
    expect(baselineCollection(years, '2027-06-07')).toEqual({
      startYear: 2026,
      term: 'summer',
      firstFullHalfTerm: { startYear: 2026, term: 'summer', half: 2 },
    });
  });

  it('moves to the next autumn for a school converting a week into summer 2', () => {
    expect(baselineCollection(years, '2027-06-14')).toEqual({
      startYear: 2027,
      term: 'autumn',
      firstFullHalfTerm: { startYear: 2027, term: 'autumn', half: 1 },
    });
  });

  it('counts a conversion on the Saturday before a half term as having the whole of it', () => {
    expect(baselineCollection(years, '2026-10-31')).toMatchObject({
      term: 'autumn',
      firstFullHalfTerm: { half: 2 },
    });
  });

  it('is unknown when the next half term lies past the years given', () => {
    expect(baselineCollection(years, '2028-07-01')).toBeNull();
  });

  it('is unknown when the years given do not hold the conversion date', () => {
    expect(baselineCollection(years, '2024-04-01')).toBeNull();
  });

  it('is unknown rather than skipping a school year that has no term dates', () => {
    const withGap = [englishAcademicYear(2025), englishAcademicYear(2027)];
    expect(baselineCollection(withGap, '2026-06-15')).toBeNull();
  });
});
