import type { LeftOutTally } from './denominators.ts';
import type { PointCount } from './queries.ts';
import { percentOf } from './suppression.ts';
import {
  type Distribution,
  type ScalePoint,
  type Threshold,
  type ThresholdOptions,
  thresholdFor,
} from './thresholds.ts';
import { compareYearGroups } from './year-groups.ts';

/**
 * Attainment: how many pupils are at each Next Steps point, by subject and year group, and how
 * many are at or above their year group's point. Figures over several schools are counted over
 * their pupils, never averaged over the schools.
 */

export interface SubjectRef {
  id: number;
  name: string;
}

export type ThresholdMap = ReadonlyMap<string, Threshold>;

export interface GridRow {
  year: string;
  /** Pupils at each point, in the order of the report's columns. */
  counts: number[];
  pupils: number;
  threshold: Threshold | null;
  atOrAbove: number;
  percent: number | null;
}

export interface SubjectGrid {
  subjectId: number;
  subject: string;
  rows: GridRow[];
  /** Every year group: each pupil is counted against their own year group's point. */
  total: Omit<GridRow, 'year' | 'threshold'>;
  leftOut: LeftOutTally;
}

export function thresholdKey(collectionId: number, subjectId: number, year: string): string {
  return `${collectionId}|${subjectId}|${year}`;
}

/**
 * The point for each collection, subject and year group, from the distribution of every pupil
 * in the counts given: one school's for its own report, the trust's for the trust's.
 */
export function thresholdsOf(
  counts: readonly PointCount[],
  scale: readonly ScalePoint[],
  options: ThresholdOptions,
): Map<string, Threshold> {
  const distributions = new Map<string, { year: string; distribution: Map<number, number> }>();
  for (const count of counts) {
    const key = thresholdKey(count.collection_id, count.subject_id, count.year);
    const entry = distributions.get(key) ?? { year: count.year, distribution: new Map() };
    entry.distribution.set(
      count.position,
      (entry.distribution.get(count.position) ?? 0) + count.pupils,
    );
    distributions.set(key, entry);
  }
  const thresholds = new Map<string, Threshold>();
  for (const [key, { year, distribution }] of distributions) {
    const threshold = thresholdFor(year, distribution as Distribution, scale, options);
    if (threshold) thresholds.set(key, threshold);
  }
  return thresholds;
}

/** The scale's points as columns, with any inactive point some pupil is still at. */
export function columnsOf(
  scale: readonly (ScalePoint & { active: boolean })[],
  counts: readonly PointCount[],
): ScalePoint[] {
  const used = new Set(counts.map((count) => count.position));
  return scale
    .filter((point) => point.active || used.has(point.position))
    .map(({ id, code, position }) => ({ id, code, position }))
    .sort((a, b) => a.position - b.position);
}

/** The year group by NX point grid of each subject, for the counts of one collection. */
export function attainmentGrids(
  counts: readonly PointCount[],
  collectionId: number,
  thresholds: ThresholdMap,
  columns: readonly ScalePoint[],
  subjects: readonly SubjectRef[],
  leftOut: ReadonlyMap<number, LeftOutTally>,
): SubjectGrid[] {
  const inCollection = counts.filter((count) => count.collection_id === collectionId);
  return subjects.map((subject) => {
    const mine = inCollection.filter((count) => count.subject_id === subject.id);
    const years = [...new Set(mine.map((count) => count.year))].sort(compareYearGroups);
    const rows = years.map((year) =>
      gridRow(
        year,
        mine.filter((count) => count.year === year),
        columns,
        thresholds.get(thresholdKey(collectionId, subject.id, year)) ?? null,
      ),
    );
    const counts = columns.map((_, index) => sum(rows.map((row) => row.counts[index] ?? 0)));
    const pupils = sum(rows.map((row) => row.pupils));
    const atOrAbove = sum(rows.map((row) => row.atOrAbove));
    return {
      subjectId: subject.id,
      subject: subject.name,
      rows,
      total: { counts, pupils, atOrAbove, percent: percentOf({ pupils, atOrAbove }) },
      leftOut: leftOut.get(subject.id) ?? { noPoint: 0, left: 0, joinedAfter: 0, total: 0 },
    };
  });
}

function gridRow(
  year: string,
  counts: readonly PointCount[],
  columns: readonly ScalePoint[],
  threshold: Threshold | null,
): GridRow {
  const at = (position: number) =>
    sum(counts.filter((count) => count.position === position).map((count) => count.pupils));
  const pupils = sum(counts.map((count) => count.pupils));
  const atOrAbove = threshold
    ? sum(counts.filter((c) => c.position >= threshold.position).map((c) => c.pupils))
    : 0;
  return {
    year,
    counts: columns.map((column) => at(column.position)),
    pupils,
    threshold,
    atOrAbove,
    percent: percentOf({ pupils, atOrAbove }),
  };
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
