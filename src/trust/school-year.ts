import { asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import { academicYears, collections, halfTerms, terms } from '../db/schema.ts';
import {
  type AcademicYearDates,
  academicYearStartOf,
  englishAcademicYear,
  type TermKind,
} from '../domain/school-year.ts';

/**
 * The school year as stored: seeded with the usual English pattern for the current and next
 * academic year, then edited by the trust to its schools' real dates.
 */

const TERM_LABEL: Record<TermKind, string> = {
  autumn: 'Autumn',
  spring: 'Spring',
  summer: 'Summer',
};

/** Years of history seeded behind the current one: a converting school brings its history. */
const YEARS_BACK = 5;

/**
 * Adds the recent academic years, the current one and the next (with their termly collections)
 * where missing.
 */
export async function seedSchoolYears(executor: Executor, today: string): Promise<void> {
  const current = academicYearStartOf(today);
  for (let startYear = current - YEARS_BACK; startYear <= current + 1; startYear += 1) {
    await ensureAcademicYear(executor, englishAcademicYear(startYear));
  }
}

async function ensureAcademicYear(executor: Executor, year: AcademicYearDates) {
  const [existing] = await executor
    .select({ id: academicYears.id })
    .from(academicYears)
    .where(eq(academicYears.startYear, year.startYear));
  if (existing) return;

  const [created] = await executor
    .insert(academicYears)
    .values({
      startYear: year.startYear,
      label: year.label,
      startsOn: year.startsOn,
      endsOn: year.endsOn,
    })
    .returning({ id: academicYears.id });
  for (const term of year.terms) {
    const [termRow] = await executor
      .insert(terms)
      .values({
        academicYearId: created!.id,
        kind: term.kind,
        startsOn: term.startsOn,
        endsOn: term.endsOn,
      })
      .returning({ id: terms.id });
    await executor.insert(halfTerms).values(
      term.halfTerms.map((half) => ({
        termId: termRow!.id,
        half: half.half,
        startsOn: half.startsOn,
        endsOn: half.endsOn,
      })),
    );
    // Collections are held at the end of each term (8.2).
    await executor.insert(collections).values({
      academicYearId: created!.id,
      termId: termRow!.id,
      kind: term.kind,
      label: `${TERM_LABEL[term.kind]} ${year.label}`,
      collectionDate: term.endsOn,
    });
  }
}

/** Every stored academic year in the shape the school-year rules take. */
export async function loadSchoolYears(executor: Executor): Promise<AcademicYearDates[]> {
  const years = await executor.select().from(academicYears).orderBy(asc(academicYears.startYear));
  if (years.length === 0) return [];
  const termRows = await executor
    .select()
    .from(terms)
    .where(
      inArray(
        terms.academicYearId,
        years.map((year) => year.id),
      ),
    );
  const halfRows = await executor
    .select()
    .from(halfTerms)
    .where(
      inArray(
        halfTerms.termId,
        termRows.map((term) => term.id),
      ),
    )
    .orderBy(asc(halfTerms.half));

  return years.map((year) => {
    const yearTerms = termRows
      .filter((term) => term.academicYearId === year.id)
      .sort((a, b) => a.startsOn.localeCompare(b.startsOn))
      .map((term) => {
        const halves = halfRows.filter((half) => half.termId === term.id);
        return {
          kind: term.kind,
          startsOn: term.startsOn,
          endsOn: term.endsOn,
          halfTerms: halves.map((half) => ({
            half: half.half as 1 | 2,
            startsOn: half.startsOn,
            endsOn: half.endsOn,
          })) as AcademicYearDates['terms'][number]['halfTerms'],
        };
      });
    return {
      startYear: year.startYear,
      label: year.label,
      startsOn: year.startsOn,
      endsOn: year.endsOn,
      terms: yearTerms as AcademicYearDates['terms'],
    };
  });
}
