import { attainmentGrids, type GridRow, type SubjectRef, type ThresholdMap } from './attainment.ts';
import type { ReportCollection } from './collections.ts';
import { type LeftOutTally, leftOutTallies } from './denominators.ts';
import { type GroupCell, type GroupFigure, groupTables } from './groups.ts';
import type { LeftOutCount, PointCount } from './queries.ts';
import type { ScalePoint } from './thresholds.ts';

/**
 * The same figures across collections, oldest first: how many pupils were counted and left out,
 * the share at or above their year group's point, by year group, and each group's gap. The run
 * starts at the first collection with a point, so years before the school used the service do
 * not read as empty terms.
 */

export interface OverTimePoint {
  collectionId: number;
  label: string;
  pupils: number;
  atOrAbove: number;
  percent: number | null;
  leftOut: LeftOutTally;
  years: GridRow[];
  groups: GroupFigure[];
}

export interface SubjectOverTime {
  subjectId: number;
  subject: string;
  points: OverTimePoint[];
}

export interface OverTimeInput {
  collections: readonly ReportCollection[];
  counts: readonly PointCount[];
  thresholds: ThresholdMap;
  cells: readonly GroupCell[];
  leftOut: readonly LeftOutCount[];
  columns: readonly ScalePoint[];
  subjects: readonly SubjectRef[];
  suppressionThreshold: number;
}

export function overTime(input: OverTimeInput): SubjectOverTime[] {
  const withPoints = new Set(input.counts.map((count) => count.collection_id));
  const first = input.collections.findIndex((collection) => withPoints.has(collection.id));
  const shown = first === -1 ? input.collections.slice(-1) : input.collections.slice(first);
  const subjectIds = input.subjects.map((subject) => subject.id);

  const perCollection = shown.map((collection) => ({
    collection,
    grids: attainmentGrids(
      input.counts,
      collection.id,
      input.thresholds,
      input.columns,
      input.subjects,
      leftOutTallies(input.leftOut, collection.id, subjectIds),
    ),
  }));

  return input.subjects.map((subject) => ({
    subjectId: subject.id,
    subject: subject.name,
    points: perCollection.map(({ collection, grids }) => {
      const grid = grids.find((candidate) => candidate.subjectId === subject.id)!;
      const cells = input.cells.filter(
        (cell) => cell.collectionId === collection.id && cell.subjectId === subject.id,
      );
      const [all] = groupTables(cells, input.suppressionThreshold, []);
      return {
        collectionId: collection.id,
        label: collection.label,
        pupils: grid.total.pupils,
        atOrAbove: grid.total.atOrAbove,
        percent: grid.total.percent,
        leftOut: grid.leftOut,
        years: grid.rows,
        groups: all!.figures,
      };
    }),
  }));
}
