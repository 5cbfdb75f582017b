import { asc, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import { academicYears, collections, terms } from '../db/schema.ts';

/**
 * The termly collections reports run over (8.2): the one asked for, the one before it, the
 * collections of its school year that review the most likely outcomes (December, March and
 * July, 5.1.5), and the run of recent ones that "over time" shows.
 */

export interface ReportCollection {
  id: number;
  label: string;
  kind: string;
  date: string;
  termStartsOn: string;
  academicYearId: number;
  startYear: number;
  yearLabel: string;
}

/** At most this many collections in "over time": two school years. */
export const OVER_TIME_COLLECTIONS = 6;

/** Every termly collection, oldest first. */
export function reportCollections(executor: Executor): Promise<ReportCollection[]> {
  return executor
    .select({
      id: collections.id,
      label: collections.label,
      kind: collections.kind,
      date: collections.collectionDate,
      termStartsOn: terms.startsOn,
      academicYearId: collections.academicYearId,
      startYear: academicYears.startYear,
      yearLabel: academicYears.label,
    })
    .from(collections)
    .innerJoin(academicYears, eq(academicYears.id, collections.academicYearId))
    .innerJoin(terms, eq(terms.id, collections.termId))
    .where(isNull(collections.schoolId))
    .orderBy(asc(collections.collectionDate), asc(collections.id));
}

/** The termly collection just before, or null for the first. */
export function previousOf(
  all: readonly ReportCollection[],
  collectionId: number,
): ReportCollection | null {
  const index = all.findIndex((collection) => collection.id === collectionId);
  return index > 0 ? all[index - 1]! : null;
}

/** The last few collections up to and including the one given, oldest first. */
export function recentUpTo(
  all: readonly ReportCollection[],
  collectionId: number,
  limit = OVER_TIME_COLLECTIONS,
): ReportCollection[] {
  const index = all.findIndex((collection) => collection.id === collectionId);
  if (index === -1) return [];
  return all.slice(Math.max(0, index - limit + 1), index + 1);
}

/** The autumn, spring and summer collections of a school year. */
export function reviewsOf(all: readonly ReportCollection[], startYear: number) {
  return all.filter((collection) => collection.startYear === startYear);
}

/**
 * The collection asked for, else the current one: during a term, that term's collection (the one
 * schools are working towards); in a holiday, the one just held; before any, the first to come.
 */
export function currentCollection<T extends { id: number; termStartsOn: string; date: string }>(
  all: readonly T[],
  today: string,
  requested: number | null = null,
): T | null {
  const asked = all.find((collection) => collection.id === requested);
  if (asked) return asked;
  const current = all.find((c) => c.termStartsOn <= today && today <= c.date);
  if (current) return current;
  const past = all.filter((collection) => collection.date <= today);
  return past.at(-1) ?? all.find((collection) => collection.date > today) ?? null;
}
