import { type ThresholdMap, thresholdKey } from './attainment.ts';
import type { CellCount } from './queries.ts';
import {
  compare,
  type PublishedComparison,
  protectParts,
  publish,
  type Tally,
} from './suppression.ts';
import { compareYearGroups } from './year-groups.ts';

/**
 * The groups governors and the central team look at (7.3, 8.4.2): disadvantaged pupils, SEN
 * support and EHC plans, EAL, and girls and boys. Each is set beside the other pupils counted
 * with it, and a pupil whose membership the school's system does not record counts among the
 * other pupils, as the note on every table says.
 */

export const GROUP_KEYS = ['disadvantaged', 'sen_support', 'ehcp', 'eal', 'girls', 'boys'] as const;

export type GroupKey = (typeof GROUP_KEYS)[number];

/** For a narrow column heading. */
export const GROUP_SHORT_LABELS: Record<GroupKey, string> = {
  disadvantaged: 'Disadvantaged',
  sen_support: 'SEN support',
  ehcp: 'EHC plan',
  eal: 'EAL',
  girls: 'Girls',
  boys: 'Boys',
};

export const GROUP_LABELS: Record<GroupKey, string> = {
  disadvantaged: 'Disadvantaged',
  sen_support: 'SEN support (K)',
  ehcp: 'EHC plan (E)',
  eal: 'English as an additional language',
  girls: 'Girls',
  boys: 'Boys',
};

/** Counts for one school, subject and year group of one collection. */
export interface GroupCell {
  collectionId: number;
  schoolId: string;
  subjectId: number;
  year: string;
  whole: Tally;
  groups: Record<GroupKey, { tally: Tally; unknown: number }>;
}

export interface GroupFigure {
  group: GroupKey;
  label: string;
  comparison: PublishedComparison;
  /** Pupils whose membership is not recorded: counted among the other pupils. */
  notRecorded: number;
}

export type GroupPart =
  | { kind: 'all' }
  | { kind: 'year'; year: string }
  | { kind: 'school'; schoolId: string };

export interface GroupTable {
  part: GroupPart;
  pupils: number;
  atOrAbove: number;
  figures: GroupFigure[];
}

/**
 * One subject's groups in one collection: for all its pupils, then for each year group and (for
 * more than one school) each school, with the parts protected against working back a group.
 */
export function groupTables(
  cells: readonly GroupCell[],
  threshold: number,
  partitions: readonly ('year' | 'school')[],
): GroupTable[] {
  const whole = sumCells(cells);
  const all = { part: { kind: 'all' } as GroupPart, ...figuresOf(whole, threshold) };
  const tables: GroupTable[] = [all];
  for (const partition of partitions) {
    const keyOf = (cell: GroupCell) => (partition === 'year' ? cell.year : cell.schoolId);
    const keys = [...new Set(cells.map(keyOf))];
    if (partition === 'year') keys.sort(compareYearGroups);
    const parts = keys.map((key) => {
      const sum = sumCells(cells.filter((cell) => keyOf(cell) === key));
      const part: GroupPart =
        partition === 'year' ? { kind: 'year', year: key } : { kind: 'school', schoolId: key };
      return { part, sum };
    });
    tables.push(...protectedParts(whole, parts, threshold));
  }
  return tables;
}

interface Summed {
  whole: Tally;
  groups: Record<GroupKey, { tally: Tally; unknown: number }>;
}

function protectedParts(
  whole: Summed,
  parts: readonly { part: GroupPart; sum: Summed }[],
  threshold: number,
): GroupTable[] {
  const byGroup = new Map<GroupKey, ReturnType<typeof compare>[]>();
  for (const key of GROUP_KEYS) {
    const wholeComparison = compare(whole.groups[key].tally, whole.whole, threshold);
    const comparisons = parts.map((part) => ({
      comparison: compare(part.sum.groups[key].tally, part.sum.whole, threshold),
    }));
    const shownWhole =
      wholeComparison.group.suppressed === null && wholeComparison.other.suppressed === null;
    const guarded = shownWhole ? protectParts(comparisons, threshold) : comparisons;
    byGroup.set(
      key,
      guarded.map((entry) => entry.comparison),
    );
  }
  return parts.map((part, index) => ({
    part: part.part,
    pupils: part.sum.whole.pupils,
    atOrAbove: part.sum.whole.atOrAbove,
    figures: GROUP_KEYS.map((key) => ({
      group: key,
      label: GROUP_LABELS[key],
      comparison: publish(byGroup.get(key)![index]!),
      notRecorded: part.sum.groups[key].unknown,
    })),
  }));
}

function figuresOf(summed: Summed, threshold: number) {
  return {
    pupils: summed.whole.pupils,
    atOrAbove: summed.whole.atOrAbove,
    figures: GROUP_KEYS.map((key) => ({
      group: key,
      label: GROUP_LABELS[key],
      comparison: publish(compare(summed.groups[key].tally, summed.whole, threshold)),
      notRecorded: summed.groups[key].unknown,
    })),
  };
}

function sumCells(cells: readonly GroupCell[]): Summed {
  const empty = () => ({ tally: { pupils: 0, atOrAbove: 0 }, unknown: 0 });
  const groups = Object.fromEntries(GROUP_KEYS.map((key) => [key, empty()])) as Summed['groups'];
  const whole = { pupils: 0, atOrAbove: 0 };
  for (const cell of cells) {
    whole.pupils += cell.whole.pupils;
    whole.atOrAbove += cell.whole.atOrAbove;
    for (const key of GROUP_KEYS) {
      groups[key].tally.pupils += cell.groups[key].tally.pupils;
      groups[key].tally.atOrAbove += cell.groups[key].tally.atOrAbove;
      groups[key].unknown += cell.groups[key].unknown;
    }
  }
  return { whole, groups };
}

/**
 * The counted cells summed per collection, school, subject and year group, each pupil counted
 * "at or above" against the point for their collection, subject and year group.
 */
export function groupCellsOf(cells: readonly CellCount[], thresholds: ThresholdMap): GroupCell[] {
  const summed = new Map<string, GroupCell>();
  for (const cell of cells) {
    const key = `${cell.collection_id}|${cell.school_id}|${cell.subject_id}|${cell.year}`;
    const entry = summed.get(key) ?? emptyCell(cell);
    const threshold = thresholds.get(thresholdKey(cell.collection_id, cell.subject_id, cell.year));
    const above = threshold !== undefined && cell.position >= threshold.position;
    entry.whole.pupils += cell.pupils;
    if (above) entry.whole.atOrAbove += cell.pupils;
    for (const group of GROUP_KEYS) {
      const members = cell[`${group}_pupils`];
      entry.groups[group].tally.pupils += members;
      if (above) entry.groups[group].tally.atOrAbove += members;
      entry.groups[group].unknown += cell[`${group}_unknown`];
    }
    summed.set(key, entry);
  }
  return [...summed.values()];
}

function emptyCell(cell: CellCount): GroupCell {
  return {
    collectionId: cell.collection_id,
    schoolId: cell.school_id,
    subjectId: cell.subject_id,
    year: cell.year,
    whole: { pupils: 0, atOrAbove: 0 },
    groups: Object.fromEntries(
      GROUP_KEYS.map((group) => [group, { tally: { pupils: 0, atOrAbove: 0 }, unknown: 0 }]),
    ) as GroupCell['groups'],
  };
}
