import { describe, expect, it } from 'vitest';
import { weekdayOf } from '../../src/domain/iso-date.ts';
import {
  academicYearStartOf,
  collectionTermFor,
  easterSunday,
  englishAcademicYear,
  halfTermsOf,
  locateDate,
  parsePeriodLabel,
  resolveCollection,
} from '../../src/domain/school-year.ts';

const years = [2025, 2026, 2027].map(englishAcademicYear);

describe('englishAcademicYear', () => {
  it('lays out 2026/27, with Easter on 28 March 2027', () => {
    expect(englishAcademicYear(2026)).toEqual({
      startYear: 2026,
      label: '2026/27',
      startsOn: '2026-09-01',
      endsOn: '2027-08-31',
      terms: [
        {
          kind: 'autumn',
          startsOn: '2026-09-01',
          endsOn: '2026-12-18',
          halfTerms: [
            { half: 1, startsOn: '2026-09-01', endsOn: '2026-10-23' },
            { half: 2, startsOn: '2026-11-02', endsOn: '2026-12-18' },
          ],
        },
        {
          kind: 'spring',
          startsOn: '2027-01-04',
          endsOn: '2027-03-19',
          halfTerms: [
            { half: 1, startsOn: '2027-01-04', endsOn: '2027-02-12' },
            { half: 2, startsOn: '2027-02-22', endsOn: '2027-03-19' },
          ],
        },
        {
          kind: 'summer',
          startsOn: '2027-04-05',
          endsOn: '2027-07-23',
          halfTerms: [
            { half: 1, startsOn: '2027-04-05', endsOn: '2027-05-28' },
            { half: 2, startsOn: '2027-06-07', endsOn: '2027-07-23' },
          ],
        },
      ],
    });
  });

  it('lays out 2027/28, with Easter on 16 April 2028 and 4 January on a Tuesday', () => {
    expect(englishAcademicYear(2027)).toEqual({
      startYear: 2027,
      label: '2027/28',
      startsOn: '2027-09-01',
      endsOn: '2028-08-31',
      terms: [
        {
          kind: 'autumn',
          startsOn: '2027-09-01',
          endsOn: '2027-12-17',
          halfTerms: [
            { half: 1, startsOn: '2027-09-01', endsOn: '2027-10-22' },
            { half: 2, startsOn: '2027-11-01', endsOn: '2027-12-17' },
          ],
        },
        {
          kind: 'spring',
          startsOn: '2028-01-04',
          endsOn: '2028-04-07',
          halfTerms: [
            { half: 1, startsOn: '2028-01-04', endsOn: '2028-02-18' },
            { half: 2, startsOn: '2028-02-28', endsOn: '2028-04-07' },
          ],
        },
        {
          kind: 'summer',
          startsOn: '2028-04-24',
          endsOn: '2028-07-21',
          halfTerms: [
            { half: 1, startsOn: '2028-04-24', endsOn: '2028-05-26' },
            { half: 2, startsOn: '2028-06-05', endsOn: '2028-07-21' },
          ],
        },
      ],
    });
  });

  it('starts autumn on the Monday after 1 September when that is a weekend', () => {
    expect(englishAcademicYear(2029).terms[0].startsOn).toBe('2029-09-03');
  });

  it('labels the year 2099/00 at the turn of a century', () => {
    expect(englishAcademicYear(2099).label).toBe('2099/00');
  });

  it('refuses a starting year that is not a whole number', () => {
    expect(() => englishAcademicYear(2026.5)).toThrow(RangeError);
  });

  describe('for every year from 2000/01 to 2099/00', () => {
    const century = Array.from({ length: 100 }, (_, offset) => englishAcademicYear(2000 + offset));

    it('puts the half terms in order without overlaps, inside the year', () => {
      for (const year of century) {
        const halves = halfTermsOf(year);
        expect(halves[0]!.startsOn >= year.startsOn).toBe(true);
        expect(halves.at(-1)!.endsOn <= year.endsOn).toBe(true);
        for (const [index, half] of halves.entries()) {
          const next = halves[index + 1];
          if (next) expect(half.endsOn < next.startsOn).toBe(true);
        }
      }
    });

    it('gives every half term at least one school day', () => {
      for (const half of century.flatMap(halfTermsOf)) {
        expect(half.startsOn <= half.endsOn).toBe(true);
      }
    });

    it('starts half terms on weekdays and ends them on Fridays', () => {
      for (const half of century.flatMap(halfTermsOf)) {
        expect(weekdayOf(half.startsOn)).toBeLessThanOrEqual(5);
        expect(weekdayOf(half.endsOn)).toBe(5);
      }
    });

    it('makes each term run from its first half term to the end of its second', () => {
      for (const term of century.flatMap((year) => year.terms)) {
        expect(term.startsOn).toBe(term.halfTerms[0].startsOn);
        expect(term.endsOn).toBe(term.halfTerms[1].endsOn);
      }
    });
  });
});

describe('easterSunday', () => {
  it.each([
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('falls in %i on %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });
});

describe('academicYearStartOf', () => {
  it.each([
    ['2026-12-03', 2026],
    ['2027-08-31', 2026],
    ['2027-09-01', 2027],
  ])('puts %s in the year starting %i', (date, startYear) => {
    expect(academicYearStartOf(date)).toBe(startYear);
  });
});

describe('locateDate', () => {
  it('finds a date in autumn half term 2', () => {
    expect(locateDate(years, '2026-12-03')).toEqual({
      kind: 'term',
      startYear: 2026,
      term: 'autumn',
      half: 2,
    });
  });

  it('counts a Saturday inside a half term as part of it', () => {
    expect(locateDate(years, '2027-03-06')).toMatchObject({
      kind: 'term',
      term: 'spring',
      half: 2,
    });
  });

  it('puts the October half-term week after autumn half term 1', () => {
    expect(locateDate(years, '2026-10-28')).toEqual({
      kind: 'holiday',
      startYear: 2026,
      after: { startYear: 2026, term: 'autumn', half: 1 },
    });
  });

  it('puts Christmas Day after autumn half term 2', () => {
    expect(locateDate(years, '2026-12-25')).toMatchObject({
      kind: 'holiday',
      after: { term: 'autumn', half: 2 },
    });
  });

  it('puts the Easter break after spring half term 2', () => {
    expect(locateDate(years, '2027-03-29')).toMatchObject({
      kind: 'holiday',
      after: { term: 'spring', half: 2 },
    });
  });

  it('puts August after summer half term 2 of the same school year', () => {
    expect(locateDate(years, '2027-08-10')).toEqual({
      kind: 'holiday',
      startYear: 2026,
      after: { startYear: 2026, term: 'summer', half: 2 },
    });
  });

  it('puts the September days before term starts after the previous summer term', () => {
    expect(locateDate([englishAcademicYear(2029)], '2029-09-01')).toEqual({
      kind: 'holiday',
      startYear: 2029,
      after: { startYear: 2028, term: 'summer', half: 2 },
    });
  });

  it('finds nothing for a date outside every year given', () => {
    expect(locateDate(years, '2031-01-05')).toBeNull();
  });

  it('refuses a date that is not written as YYYY-MM-DD', () => {
    expect(() => locateDate(years, '03/12/2026')).toThrow(RangeError);
  });
});

describe('collectionTermFor', () => {
  it('puts a result dated in a term into that term', () => {
    expect(collectionTermFor(years, '2027-02-03')).toEqual({ startYear: 2026, term: 'spring' });
  });

  it('puts a result entered in the Christmas holiday into the autumn term', () => {
    expect(collectionTermFor(years, '2026-12-21')).toEqual({ startYear: 2026, term: 'autumn' });
  });

  it('puts a result entered in the February break into the spring term', () => {
    expect(collectionTermFor(years, '2027-02-16')).toEqual({ startYear: 2026, term: 'spring' });
  });

  it('puts a result entered in late July into the summer term', () => {
    expect(collectionTermFor(years, '2027-07-27')).toEqual({ startYear: 2026, term: 'summer' });
  });

  it('places nothing outside the years given', () => {
    expect(collectionTermFor(years, '2024-06-12')).toBeNull();
  });
});

describe('parsePeriodLabel', () => {
  it.each([
    ['Y3 Spring', { term: 'spring' }],
    ['Autumn 2025', { term: 'autumn', startYear: 2025 }],
    ['Spring 2026', { term: 'spring', startYear: 2025 }],
    ['Summer 2026', { term: 'summer', startYear: 2025 }],
    ['Spring 2 2026', { term: 'spring', half: 2, startYear: 2025 }],
    ['Aut 1', { term: 'autumn', half: 1 }],
    ['Autumn Term 2025/26', { term: 'autumn', startYear: 2025 }],
    ['2025-26 Summer', { term: 'summer', startYear: 2025 }],
    ['Sum2', { term: 'summer', half: 2 }],
    ['Summer Term', { term: 'summer' }],
    ['Spring 1 (Year 4)', { term: 'spring', half: 1 }],
    ['Year 6 Summer HT2 25/26', { term: 'summer', half: 2, startYear: 2025 }],
    ['Spr 2025-2026', { term: 'spring', startYear: 2025 }],
  ])('reads "%s"', (label, period) => {
    expect(parsePeriodLabel(label)).toEqual(period);
  });

  it('reads nothing from "Term 2", which names no term', () => {
    expect(parsePeriodLabel('Term 2')).toBeNull();
  });

  it('reads nothing from a label naming two terms', () => {
    expect(parsePeriodLabel('Autumn/Spring 2025')).toBeNull();
  });

  it('reads nothing from "Autumn 3", a half term that does not exist', () => {
    expect(parsePeriodLabel('Autumn 3')).toBeNull();
  });

  it('reads nothing from a label whose years disagree', () => {
    expect(parsePeriodLabel('Autumn 2025 2026/27')).toBeNull();
  });
});

describe('resolveCollection', () => {
  it('takes the term and year from a label that names both', () => {
    expect(resolveCollection(years, { label: 'Spring 2026', date: '2026-04-20' })).toEqual({
      ok: true,
      startYear: 2025,
      term: 'spring',
      from: 'label',
    });
  });

  it('takes the year from the date when the label names only the term', () => {
    expect(resolveCollection(years, { label: 'Y4 Autumn', date: '2026-11-20' })).toEqual({
      ok: true,
      startYear: 2026,
      term: 'autumn',
      from: 'label+date',
    });
  });

  it('accepts an autumn label on a result entered in January of the same school year', () => {
    expect(resolveCollection(years, { label: 'Autumn', date: '2027-01-06' })).toEqual({
      ok: true,
      startYear: 2026,
      term: 'autumn',
      from: 'label+date',
    });
  });

  it('places a summer result entered in the August holiday in that summer', () => {
    expect(resolveCollection(years, { label: 'Summer 2', date: '2026-08-03' })).toEqual({
      ok: true,
      startYear: 2025,
      term: 'summer',
      from: 'label+date',
    });
  });

  it('uses the date alone when there is no label', () => {
    expect(resolveCollection(years, { date: '2027-05-12' })).toEqual({
      ok: true,
      startYear: 2026,
      term: 'summer',
      from: 'date',
    });
  });

  it('uses the date alone when the label names no term', () => {
    expect(resolveCollection(years, { label: 'Term 2', date: '2026-11-20' })).toEqual({
      ok: true,
      startYear: 2026,
      term: 'autumn',
      from: 'date',
    });
  });

  it('reports a spring label on a result dated in the autumn before that spring', () => {
    expect(resolveCollection(years, { label: 'Spring', date: '2026-10-12' })).toEqual({
      ok: false,
      reason:
        'Period label "Spring" names the spring term, but the result is dated 2026-10-12, ' +
        "before the spring term of 2026/27 starts; check the label and the date in the school's " +
        'system.',
    });
  });

  it('reports a label that names only the term when there is no date', () => {
    expect(resolveCollection(years, { label: 'Summer Term' })).toEqual({
      ok: false,
      reason:
        'Period label "Summer Term" names the summer term but not the school year, ' +
        'and the result has no date to tell which year it is.',
    });
  });

  it('reports a label that names no term when there is no date', () => {
    expect(resolveCollection(years, { label: 'Term 2' })).toEqual({
      ok: false,
      reason:
        'Period label "Term 2" does not name the autumn, spring or summer term, ' +
        'and the result has no date to place it by.',
    });
  });

  it('reports a result with neither label nor date', () => {
    expect(resolveCollection(years, {})).toEqual({
      ok: false,
      reason: 'The result has neither a period label nor a date to place it in a collection by.',
    });
  });

  it('reports a date that does not exist', () => {
    expect(resolveCollection(years, { date: '2027-02-30' })).toEqual({
      ok: false,
      reason: 'Result date "2027-02-30" is not a real calendar date written as YYYY-MM-DD.',
    });
  });

  it('reports a date outside the school years that have term dates', () => {
    expect(resolveCollection(years, { date: '2031-01-05' })).toEqual({
      ok: false,
      reason:
        'Result date 2031-01-05 is outside the school years with term dates ' +
        '(2025/26 to 2027/28); add the term dates for 2030/31.',
    });
  });

  it('reports that no school year has term dates yet', () => {
    expect(resolveCollection([], { date: '2026-10-12' })).toEqual({
      ok: false,
      reason:
        'Result date 2026-10-12 cannot be placed because no school year has term dates yet; ' +
        'add the term dates for 2026/27.',
    });
  });
});
