import {
  addDays,
  assertIsoDate,
  FRIDAY,
  isIsoDate,
  isoDate,
  MONDAY,
  nextWeekdayOnOrAfter,
  weekdayOf,
} from './iso-date.ts';

/**
 * The English school year: academic years of three terms, each split into two half terms, and
 * the termly collection (8.2) that a result belongs to.
 */

export type TermKind = 'autumn' | 'spring' | 'summer';
export const TERM_KINDS: readonly TermKind[] = ['autumn', 'spring', 'summer'];

export interface HalfTermDates {
  half: 1 | 2;
  startsOn: string;
  endsOn: string;
}

export interface TermDates {
  kind: TermKind;
  startsOn: string;
  endsOn: string;
  halfTerms: [HalfTermDates, HalfTermDates];
}

export interface AcademicYearDates {
  startYear: number;
  label: string;
  startsOn: string;
  endsOn: string;
  terms: [TermDates, TermDates, TermDates];
}

/** A termly collection point, held at the end of the term (8.2). */
export interface TermlyCollection {
  startYear: number;
  term: TermKind;
}

export interface HalfTermRef extends TermlyCollection {
  half: 1 | 2;
}

export interface DatedHalfTerm extends HalfTermRef {
  startsOn: string;
  endsOn: string;
}

/** Where a date falls: in a half term, or in the break after one. */
export type DateLocation =
  | ({ kind: 'term' } & HalfTermRef)
  | { kind: 'holiday'; startYear: number; after: HalfTermRef };

export interface PeriodLabel {
  term: TermKind;
  half?: 1 | 2;
  startYear?: number;
}

export interface CollectionSource {
  label?: string;
  date?: string;
}

export type CollectionResolution =
  | { ok: true; startYear: number; term: TermKind; from: 'label' | 'date' | 'label+date' }
  | { ok: false; reason: string };

const TERM_WORDS: ReadonlyMap<string, TermKind> = new Map<string, TermKind>([
  ['aut', 'autumn'],
  ['autumn', 'autumn'],
  ['spr', 'spring'],
  ['spring', 'spring'],
  ['sum', 'summer'],
  ['summer', 'summer'],
]);

// Words that may sit between a term's name and its half: "Autumn Term 2", "Spring half 1".
const HALF_TERM_FILLERS = new Set(['term', 'half', 'ht']);
// Words, and numbers with an optional second number after / or - ("2025/26", "25-26").
const LABEL_TOKENS = /[a-z]+|\d+(?:\s*[/-]\s*\d+)?/g;
const YEAR_SPAN = /^((?:19|20)\d{2}|\d{2})\s*[/-]\s*((?:19|20)\d{2}|\d{2})$/;
const CALENDAR_YEAR = /^(?:19|20)\d{2}$/;

/**
 * The usual English pattern, as a seed that the trust then edits to its schools' real dates:
 * - the year runs from 1 September to 31 August;
 * - autumn starts on 1 September (or the Monday after, when that is a weekend), breaks for the
 *   week of the last Monday in October and ends on the Friday that falls 16-22 December;
 * - spring starts on 4 January (or the Monday after, when that is a weekend), breaks for the
 *   week of the third Monday in February and ends on the Friday before the Easter break, which
 *   is the fortnight
 *   from the Monday before Easter Sunday;
 * - summer starts on the Monday after the Easter break, breaks for the week of the last Monday
 *   in May and ends on the Friday that falls 17-23 July.
 */
export function englishAcademicYear(startYear: number): AcademicYearDates {
  if (!Number.isInteger(startYear) || startYear < 1900 || startYear > 2999) {
    throw new RangeError(`${startYear} is not a school year's starting year`);
  }

  const endYear = startYear + 1;
  const easterBreak = addDays(easterSunday(endYear), -6);
  // The 25th: a Monday on or after it is the last Monday of a 31-day month (October, May).
  // The 15th: the first Monday on or after it is the month's third Monday.
  const autumn = seedTerm(
    'autumn',
    schoolDayFrom(startYear, 9, 1),
    mondayFrom(startYear, 10, 25),
    fridayFrom(startYear, 12, 16),
  );
  const spring = seedTerm(
    'spring',
    schoolDayFrom(endYear, 1, 4),
    mondayFrom(endYear, 2, 15),
    addDays(easterBreak, -3),
  );
  const summer = seedTerm(
    'summer',
    addDays(easterBreak, 14),
    mondayFrom(endYear, 5, 25),
    fridayFrom(endYear, 7, 17),
  );

  return {
    startYear,
    label: academicYearLabel(startYear),
    startsOn: isoDate(startYear, 9, 1),
    endsOn: isoDate(endYear, 8, 31),
    terms: [autumn, spring, summer],
  };
}

/** Easter Sunday in the Gregorian calendar, by the anonymous (Meeus/Jones/Butcher) computus. */
export function easterSunday(year: number): string {
  const golden = year % 19;
  const century = Math.floor(year / 100);
  const yearOfCentury = year % 100;
  const leapCenturies = Math.floor(century / 4);
  const centuryRest = century % 4;
  const moonCorrection = Math.floor((century - Math.floor((century + 8) / 25) + 1) / 3);
  const epact = (19 * golden + century - leapCenturies - moonCorrection + 15) % 30;
  const weekdayShift =
    (32 + 2 * centuryRest + 2 * Math.floor(yearOfCentury / 4) - epact - (yearOfCentury % 4)) % 7;
  const lateFullMoon = Math.floor((golden + 11 * epact + 22 * weekdayShift) / 451);
  const marchDay = epact + weekdayShift - 7 * lateFullMoon + 114;
  return isoDate(year, Math.floor(marchDay / 31), (marchDay % 31) + 1);
}

/** The calendar year in which the academic year holding `date` began (it begins 1 September). */
export function academicYearStartOf(date: string): number {
  assertIsoDate(date);
  const [year, month] = date.split('-').map(Number) as [number, number];
  return month >= 9 ? year : year - 1;
}

/** The six half terms of a year, in order. */
export function halfTermsOf(year: AcademicYearDates): DatedHalfTerm[] {
  return year.terms.flatMap((term) =>
    term.halfTerms.map((half) => ({
      startYear: year.startYear,
      term: term.kind,
      half: half.half,
      startsOn: half.startsOn,
      endsOn: half.endsOn,
    })),
  );
}

/**
 * The half term a date falls in, or the break it falls in and the half term that break follows.
 * Weekends inside a half term count as part of it. Null when no year given holds the date.
 */
export function locateDate(years: readonly AcademicYearDates[], date: string): DateLocation | null {
  const year = yearContaining(years, date);
  if (!year) return null;

  const halves = halfTermsOf(year);
  const current = halves.find((half) => half.startsOn <= date && date <= half.endsOn);
  if (current) return { kind: 'term', ...refOf(current) };

  const previous = halves.findLast((half) => half.endsOn < date);
  // Before the autumn term starts, it is still the summer holiday of the year before.
  const after: HalfTermRef = previous
    ? refOf(previous)
    : { startYear: year.startYear - 1, term: 'summer', half: 2 };
  return { kind: 'holiday', startYear: year.startYear, after };
}

/**
 * The termly collection a result dated `date` counts towards: the term the date falls in, or,
 * in a holiday, the term that has just ended, because schools often enter results in the first
 * days of the break. Null when no year given holds the date.
 */
export function collectionTermFor(
  years: readonly AcademicYearDates[],
  date: string,
): TermlyCollection | null {
  const location = locateDate(years, date);
  if (!location) return null;
  return collectionAt(location);
}

/**
 * Reads the term, half term and academic year from a source's result-set or period label
 * ("Y3 Spring", "Spring 2 2026", "Aut1", "2025-26 Summer"). A calendar year means the academic
 * year holding that term, so "Spring 2026" is in 2025/26. Null when the label names no single
 * term, or names a half or years that cannot be read without guessing.
 */
export function parsePeriodLabel(label: string): PeriodLabel | null {
  const tokens = label.toLowerCase().match(LABEL_TOKENS) ?? [];
  const termAt = tokens.findIndex((token) => TERM_WORDS.has(token));
  const term = TERM_WORDS.get(tokens[termAt] ?? '');
  if (!term) return null;
  if (tokens.some((token) => (TERM_WORDS.get(token) ?? term) !== term)) return null;

  const half = halfAfter(tokens, termAt);
  const startYears = new Set(tokens.flatMap((token) => startYearsIn(token, term)));
  if (half === null || startYears.size > 1) return null;

  const period: PeriodLabel = { term };
  if (half !== undefined) period.half = half;
  const [startYear] = startYears;
  if (startYear !== undefined) period.startYear = startYear;
  return period;
}

/**
 * Places a result in a termly collection from its period label and its date. A label naming the
 * term and the year decides alone. A label naming only the term takes the year from the date,
 * unless that term had not started by the date: then the two disagree and we say so rather than
 * guess. Without a readable label, the date decides alone.
 */
export function resolveCollection(
  years: readonly AcademicYearDates[],
  source: CollectionSource,
): CollectionResolution {
  const label = source.label?.trim() || undefined;
  const date = source.date?.trim() || undefined;
  const period = label === undefined ? null : parsePeriodLabel(label);
  if (period?.startYear !== undefined) return placed(period.startYear, period.term, 'label');
  if (date === undefined) return unplaced(noDateReason(label, period));
  if (!isIsoDate(date)) return unplaced(invalidDateReason(date));

  const location = locateDate(years, date);
  if (!location) return unplaced(outsideYearsReason(years, date));

  const collection = collectionAt(location);
  if (!period) return placed(collection.startYear, collection.term, 'date');
  return placeLabelledTerm(years, { label: label ?? '', date }, period.term, collection);
}

/** A label naming only the term: the year is the date's, if that term had begun by the date. */
function placeLabelledTerm(
  years: readonly AcademicYearDates[],
  source: { label: string; date: string },
  term: TermKind,
  collection: TermlyCollection,
): CollectionResolution {
  if (term === collection.term) return placed(collection.startYear, term, 'label+date');

  const year = yearContaining(years, source.date)!;
  const termDates = year.terms.find((candidate) => candidate.kind === term);
  if (!termDates || termDates.startsOn > source.date) {
    return unplaced(disagreementReason(source, term, year.label));
  }
  return placed(year.startYear, term, 'label+date');
}

function seedTerm(
  kind: TermKind,
  startsOn: string,
  breakMonday: string,
  endsOn: string,
): TermDates {
  const first: HalfTermDates = { half: 1, startsOn, endsOn: addDays(breakMonday, -3) };
  const second: HalfTermDates = { half: 2, startsOn: addDays(breakMonday, 7), endsOn };
  return { kind, startsOn, endsOn, halfTerms: [first, second] };
}

/** The day itself when it is a school day of the week, else the Monday after. */
function schoolDayFrom(year: number, month: number, day: number): string {
  const date = isoDate(year, month, day);
  return weekdayOf(date) <= FRIDAY ? date : nextWeekdayOnOrAfter(date, MONDAY);
}

function mondayFrom(year: number, month: number, day: number): string {
  return nextWeekdayOnOrAfter(isoDate(year, month, day), MONDAY);
}

function fridayFrom(year: number, month: number, day: number): string {
  return nextWeekdayOnOrAfter(isoDate(year, month, day), FRIDAY);
}

function academicYearLabel(startYear: number): string {
  return `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`;
}

function yearContaining(
  years: readonly AcademicYearDates[],
  date: string,
): AcademicYearDates | undefined {
  assertIsoDate(date);
  return years.find((year) => year.startsOn <= date && date <= year.endsOn);
}

function refOf(half: DatedHalfTerm): HalfTermRef {
  return { startYear: half.startYear, term: half.term, half: half.half };
}

function collectionAt(location: DateLocation): TermlyCollection {
  const ref = location.kind === 'term' ? location : location.after;
  return { startYear: ref.startYear, term: ref.term };
}

/** The half named right after the term ("Spring 2", "Autumn Term 1"); null for "Autumn 3". */
function halfAfter(tokens: readonly string[], termAt: number): 1 | 2 | undefined | null {
  let next = termAt + 1;
  while (HALF_TERM_FILLERS.has(tokens[next] ?? '')) next += 1;

  const token = tokens[next];
  if (token === undefined || !/^\d{1,2}$/.test(token)) return undefined;
  if (token === '1' || token === '2') return Number(token) as 1 | 2;
  return null;
}

/** The academic year a label's token names, if any: "2025/26" and "25-26" give 2025. */
function startYearsIn(token: string, term: TermKind): number[] {
  const span = YEAR_SPAN.exec(token);
  if (span) {
    const start = fullYear(span[1]!);
    return fullYear(span[2]!) === start + 1 ? [start] : [];
  }
  if (!CALENDAR_YEAR.test(token)) return [];

  // Autumn falls in the calendar year the academic year starts; spring and summer in the next.
  const calendarYear = Number(token);
  return [term === 'autumn' ? calendarYear : calendarYear - 1];
}

function fullYear(digits: string): number {
  return digits.length === 2 ? 2000 + Number(digits) : Number(digits);
}

function placed(startYear: number, term: TermKind, from: 'label' | 'date' | 'label+date') {
  return { ok: true, startYear, term, from } as const;
}

function unplaced(reason: string) {
  return { ok: false, reason } as const;
}

function noDateReason(label: string | undefined, period: PeriodLabel | null): string {
  if (label === undefined) {
    return 'The result has neither a period label nor a date to place it in a collection by.';
  }
  if (!period) {
    return (
      `Period label "${label}" does not name the autumn, spring or summer term, ` +
      'and the result has no date to place it by.'
    );
  }
  return (
    `Period label "${label}" names the ${period.term} term but not the school year, ` +
    'and the result has no date to tell which year it is.'
  );
}

function invalidDateReason(date: string): string {
  return `Result date "${date}" is not a real calendar date written as YYYY-MM-DD.`;
}

function outsideYearsReason(years: readonly AcademicYearDates[], date: string): string {
  const missing = academicYearLabel(academicYearStartOf(date));
  if (years.length === 0) {
    return (
      `Result date ${date} cannot be placed because no school year has term dates yet; ` +
      `add the term dates for ${missing}.`
    );
  }
  const known = [...years].sort((a, b) => a.startYear - b.startYear).map((year) => year.label);
  return (
    `Result date ${date} is outside the school years with term dates ` +
    `(${known[0]} to ${known.at(-1)}); add the term dates for ${missing}.`
  );
}

function disagreementReason(
  source: { label: string; date: string },
  term: TermKind,
  year: string,
): string {
  return (
    `Period label "${source.label}" names the ${term} term, but the result is dated ` +
    `${source.date}, before the ${term} term of ${year} starts; ` +
    "check the label and the date in the school's system."
  );
}
