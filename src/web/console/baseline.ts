import type { Db } from '../../db/index.ts';
import { baselineCollection } from '../../domain/baseline.ts';
import {
  type AcademicYearDates,
  type HalfTermRef,
  halfTermsOf,
  locateDate,
} from '../../domain/school-year.ts';
import { loadSchoolYears } from '../../trust/school-year.ts';
import { ensureBaseline, type School } from '../../trust/schools.ts';
import type { BaselineFacts, BaselineReason } from '../views/onboarding.ts';
import { baselineCollections } from './queries.ts';

/**
 * A school's baseline (8.3) as the rule works it out from its conversion date, with the facts
 * that say why: where the date falls in the school year, and the first full half term after it.
 */

const TERM_NAME = { autumn: 'Autumn', spring: 'Spring', summer: 'Summer' } as const;

/**
 * Where the school's baseline stands. With `create`, the baseline collection is set up when the
 * rule finds one and it is missing (the calendar gained the year after the school was added);
 * `ensureBaseline` only ever adds that one collection, so asking twice changes nothing.
 */
export async function baselineFacts(
  db: Db,
  school: School,
  options: { create: boolean; years?: AcademicYearDates[] },
): Promise<BaselineFacts> {
  const years = options.years ?? (await loadSchoolYears(db));
  const convertedOn = school.joinedTrustOn;
  const rule = baselineCollection(years, convertedOn);
  if (!rule) {
    const first = years[0];
    if (first && convertedOn < first.startsOn) {
      return { kind: 'not_needed', convertedOn, firstYear: first.label };
    }
    return { kind: 'beyond_calendar', convertedOn, lastYear: years.at(-1)?.label ?? null };
  }

  let [collection] = await baselineCollections(db, school.id);
  if (!collection && options.create) {
    await ensureBaseline(db, school);
    [collection] = await baselineCollections(db, school.id);
  }
  const year = years.find((candidate) => candidate.startYear === rule.startYear)!;
  const reason: BaselineReason = {
    convertedOn,
    ...placeOf(years, convertedOn),
    firstFullHalfTerm: halfName(rule.firstFullHalfTerm),
    termly: `${TERM_NAME[rule.term]} ${year.label}`,
  };
  return {
    kind: 'due',
    reason,
    collection: collection
      ? { id: collection.id, label: collection.label, date: collection.date }
      : null,
  };
}

/** Whether the conversion date opens a half term, falls inside one, or falls in a holiday. */
function placeOf(
  years: readonly AcademicYearDates[],
  convertedOn: string,
): Pick<BaselineReason, 'at' | 'half'> {
  const location = locateDate(years, convertedOn)!;
  if (location.kind === 'holiday') return { at: 'holiday', half: halfName(location.after) };
  const year = years.find((candidate) => candidate.startYear === location.startYear)!;
  const opens = halfTermsOf(year).some(
    (half) =>
      half.term === location.term && half.half === location.half && half.startsOn === convertedOn,
  );
  return { at: opens ? 'first_day' : 'during', half: halfName(location) };
}

function halfName(ref: HalfTermRef) {
  return { term: ref.term, half: ref.half };
}
