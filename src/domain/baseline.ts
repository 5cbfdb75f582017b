import { assertIsoDate } from './iso-date.ts';
import {
  type AcademicYearDates,
  type HalfTermRef,
  halfTermsOf,
  type TermlyCollection,
} from './school-year.ts';

export interface BaselineCollection extends TermlyCollection {
  firstFullHalfTerm: HalfTermRef;
}

/**
 * The collection at which a school new to the trust submits its baseline (8.3): "the first data
 * collection point after conversion when there has been a full half term as a trust academy".
 *
 * The first full half term is the first one that starts on or after the conversion date; a
 * school that converts on a half term's first day has that whole half term as an academy.
 * Collections are held at the end of each term (8.2), and a half term always ends on or before
 * the end of its own term, so the baseline is the collection for the term of that half term.
 *
 * Null when the years given do not hold the conversion date, or run out before that half term.
 */
export function baselineCollection(
  years: readonly AcademicYearDates[],
  convertedOn: string,
): BaselineCollection | null {
  assertIsoDate(convertedOn);
  const first = years.find((year) => year.startsOn <= convertedOn && convertedOn <= year.endsOn);
  if (!first) return null;

  // Walk forward one academic year at a time, so a gap in the years given ends the search
  // instead of skipping a half term that we hold no dates for.
  for (let startYear = first.startYear; ; startYear += 1) {
    const year = years.find((candidate) => candidate.startYear === startYear);
    if (!year) return null;

    const half = halfTermsOf(year).find((candidate) => candidate.startsOn >= convertedOn);
    if (half) {
      const firstFullHalfTerm = { startYear, term: half.term, half: half.half };
      return { startYear, term: half.term, firstFullHalfTerm };
    }
  }
}
