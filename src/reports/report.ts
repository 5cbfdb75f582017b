import { asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import { schools, subjects } from '../db/schema.ts';
import { MISSING_REASON_TEXT, missingPupils } from '../sync/reconcile.ts';
import { listScale } from '../trust/scale.ts';
import {
  attainmentGrids,
  columnsOf,
  type SubjectGrid,
  type SubjectRef,
  thresholdsOf,
} from './attainment.ts';
import type { Reach } from './cohort.ts';
import {
  previousOf,
  type ReportCollection,
  recentUpTo,
  reportCollections,
  reviewsOf,
} from './collections.ts';
import {
  type LeftOutPupil,
  type LeftOutTally,
  leftOutList,
  leftOutTallies,
} from './denominators.ts';
import { type GroupTable, groupCellsOf, groupTables } from './groups.ts';
import {
  countedMovements,
  movementCounts,
  pupilMovements,
  type SubjectMovement,
  subjectMovements,
} from './movement.ts';
import { overTime, type SubjectOverTime } from './over-time.ts';
import { cellCounts, leftOutCounts, leftOutPupils, type PointCount } from './queries.ts';
import { summarised } from './summaries.ts';
import { type TargetYear, targetCohort, targetYear } from './targets.ts';
import {
  addTargetsReports,
  pointLookup,
  reviewPoints,
  type TargetsReport,
  targetsReport,
} from './targets-report.ts';
import type { ScalePoint, Threshold } from './thresholds.ts';

/**
 * A report over some schools for one termly collection: a school's own (the School Performance
 * Dashboard, 6.5) or the trust's (the Standards Report's summary, 7.4). Each section loads what it
 * needs once, so the dashboard and a single API section cost the same queries.
 */

export interface ReportOptions {
  /** The schools the report counts: one, or every school the reader may see. */
  schoolIds: readonly string[];
  /** A termly collection; null for the latest one. */
  collectionId: number | null;
  today: string;
  suppressionThreshold: number;
  /** An NX code to count "at or above" for every year group, instead of the defaults. */
  point: string | null;
}

export interface ReportSchool {
  id: string;
  name: string;
  setting: 'mainstream' | 'specialist';
}

export interface SchoolGrids {
  school: ReportSchool;
  grids: SubjectGrid[];
}

export interface GroupSection {
  subjectId: number;
  subject: string;
  tables: GroupTable[];
}

export class ReportError extends Error {
  override name = 'ReportError';
}

export class Report {
  private readonly memo = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly executor: Executor,
    readonly options: ReportOptions,
    readonly schools: readonly ReportSchool[],
    readonly collection: ReportCollection,
    readonly previous: ReportCollection | null,
    readonly range: readonly ReportCollection[],
    readonly reviews: readonly ReportCollection[],
    readonly scale: readonly (ScalePoint & { active: boolean })[],
    readonly subjects: readonly SubjectRef[],
    readonly chosen: ScalePoint | null,
  ) {}

  static async open(executor: Executor, options: ReportOptions): Promise<Report> {
    const all = await reportCollections(executor);
    const collection =
      options.collectionId === null
        ? latestUpTo(all, options.today)
        : all.find((candidate) => candidate.id === options.collectionId);
    if (!collection) throw new ReportError('There is no such termly collection.');
    const scale = await listScale(executor);
    const chosen = options.point
      ? (scale.find((point) => point.code.toUpperCase() === options.point!.toUpperCase()) ?? null)
      : null;
    if (options.point && !chosen) {
      throw new ReportError(`${options.point} is not a point on the Next Steps scale.`);
    }
    const found = options.schoolIds.length
      ? await executor
          .select({ id: schools.id, name: schools.name, setting: schools.setting })
          .from(schools)
          .where(inArray(schools.id, [...options.schoolIds]))
          .orderBy(asc(schools.name))
      : [];
    const active = await executor
      .select({ id: subjects.id, name: subjects.name })
      .from(subjects)
      .where(eq(subjects.active, true))
      .orderBy(asc(subjects.position));
    return new Report(
      executor,
      options,
      found,
      collection,
      previousOf(all, collection.id),
      recentUpTo(all, collection.id),
      reviewsOf(all, collection.startYear),
      scale,
      active,
      chosen ? { id: chosen.id, code: chosen.code, position: chosen.position } : null,
    );
  }

  /** One school's own report counts Y2 and Y6 against their standards unless it is specialist. */
  get statutory(): boolean {
    return !(this.schools.length === 1 && this.schools[0]!.setting === 'specialist');
  }

  get schoolIds(): string[] {
    return this.schools.map((school) => school.id);
  }

  async attainment(): Promise<{ columns: ScalePoint[]; grids: SubjectGrid[] }> {
    const counts = await this.counts([this.collection.id]);
    const thresholds = await this.thresholds([this.collection.id]);
    const leftOut = await this.leftOutCounts([this.collection.id]);
    const columns = columnsOf(this.scale, counts);
    const tallies = leftOutTallies(leftOut, this.collection.id, this.subjectIds);
    return {
      columns,
      grids: attainmentGrids(
        counts,
        this.collection.id,
        thresholds,
        columns,
        this.subjects,
        tallies,
      ),
    };
  }

  /** Each school's grids against the report's points: the trust's figures school by school. */
  async bySchool(): Promise<SchoolGrids[]> {
    const counts = await this.counts([this.collection.id]);
    const thresholds = await this.thresholds([this.collection.id]);
    const leftOut = await this.leftOutCounts([this.collection.id]);
    const columns = columnsOf(this.scale, counts);
    return this.schools.map((school) => ({
      school,
      grids: attainmentGrids(
        counts.filter((count) => count.school_id === school.id),
        this.collection.id,
        thresholds,
        columns,
        this.subjects,
        leftOutTallies(leftOut, this.collection.id, this.subjectIds, school.id),
      ),
    }));
  }

  async groups(): Promise<GroupSection[]> {
    const cells = await this.cells([this.collection.id]);
    const partitions =
      this.schools.length > 1 ? (['year', 'school'] as const) : (['year'] as const);
    return this.subjects.map((subject) => ({
      subjectId: subject.id,
      subject: subject.name,
      tables: groupTables(
        cells.filter((cell) => cell.subjectId === subject.id),
        this.options.suppressionThreshold,
        partitions,
      ),
    }));
  }

  async overTime(): Promise<SubjectOverTime[]> {
    const ids = this.range.map((collection) => collection.id);
    const counts = await this.counts(ids);
    return overTime({
      collections: this.range,
      counts,
      thresholds: await this.thresholds(ids),
      cells: await this.cells(ids),
      leftOut: await this.leftOutCounts(ids),
      columns: columnsOf(this.scale, counts),
      subjects: this.subjects,
      suppressionThreshold: this.options.suppressionThreshold,
    });
  }

  /** How many pupils moved up, stayed or moved down, by subject, from the kept counts. */
  async movement(): Promise<SubjectMovement[]> {
    const schoolId = this.schools.length === 1 ? this.schools[0]!.id : null;
    return countedMovements(await this.movementCounts(), this.subjects, schoolId);
  }

  /** The same with every counted pupil listed: for one school's report only. */
  async movementPupils(): Promise<SubjectMovement[]> {
    if (this.schools.length !== 1) return this.movement();
    const reach = this.reach([this.collection.id]);
    return subjectMovements(
      await pupilMovements(this.executor, reach, this.previous?.id ?? null),
      this.subjects,
    );
  }

  async movementBySchool(): Promise<{ school: ReportSchool; movement: SubjectMovement[] }[]> {
    const counts = await this.movementCounts();
    return this.schools.map((school) => ({
      school,
      movement: countedMovements(counts, this.subjects, school.id),
    }));
  }

  /** Who each figure leaves out and why, pupil by pupil: for one school's report. */
  async leftOut(): Promise<LeftOutPupil[]> {
    const found = await leftOutPupils(this.executor, this.reach([this.collection.id]));
    const list = leftOutList(found, this.collection.id);
    if (this.schools.length !== 1) return list;
    // Reconciliation knows why a point is missing: a value no rule maps, a failing source...
    const missingBySubject = await Promise.all(
      this.subjects.map((subject) =>
        missingPupils(this.executor, {
          schoolId: this.schools[0]!.id,
          collectionId: this.collection.id,
          subjectId: subject.id,
        }),
      ),
    );
    for (const [index, subject] of this.subjects.entries()) {
      const missing = missingBySubject[index]!;
      const why = new Map(missing.map((pupil) => [pupil.pupil_id, pupil]));
      for (const entry of list) {
        const reason = why.get(entry.pupilId);
        if (entry.reason === 'no_point' && reason && entry.subjectIds.includes(subject.id)) {
          const detail = reason.detail ? ` (${reason.detail})` : '';
          entry.details[subject.id] = `${MISSING_REASON_TEXT[reason.reason]}${detail}`;
        }
      }
    }
    return list;
  }

  /** How many each school leaves out of each subject's figures, and why. */
  async leftOutBySchool(): Promise<{ school: ReportSchool; tallies: Map<number, LeftOutTally> }[]> {
    const counts = await this.leftOutCounts([this.collection.id]);
    return this.schools.map((school) => ({
      school,
      tallies: leftOutTallies(counts, this.collection.id, this.subjectIds, school.id),
    }));
  }

  /**
   * Most likely outcomes and phonics projections of the collection's school year. Over several
   * schools, each school's summary is kept and the trust's is their sum.
   */
  async targets(): Promise<{ report: TargetsReport; bySchool: TargetsBySchool[] } | null> {
    const year = await targetYear(this.executor, this.collection.startYear);
    if (!year) return null;
    if (this.schools.length === 1) {
      const reportOf = await this.targetBuilder(year, this.schoolIds);
      return { report: reportOf(this.schoolIds[0]!, true), bySchool: [] };
    }
    const bySchool = await this.keptTargets(year, (schoolIds) =>
      this.targetBuilder(year, schoolIds),
    );
    return {
      report: addTargetsReports(
        bySchool.map((entry) => entry.report),
        this.reviews,
      ),
      bySchool,
    };
  }

  /**
   * Counts every kept read the trust's dashboard makes of these schools, so that the first
   * reader after a sync finds them ready.
   */
  async warm(): Promise<void> {
    const ids = this.range.map((collection) => collection.id);
    await Promise.all([this.counts(ids), this.leftOutCounts(ids), this.movementCounts()]);
    const year = await targetYear(this.executor, this.collection.startYear);
    if (year) await this.keptTargets(year, (schoolIds) => this.targetBuilder(year, schoolIds));
  }

  private async targetBuilder(year: TargetYear, schoolIds: readonly string[]) {
    const cohort = await targetCohort(this.executor, schoolIds, year, this.options.today);
    const reach = { ...this.reach(this.reviews.map((review) => review.id)), schoolIds };
    const find = pointLookup(await reviewPoints(this.executor, reach));
    return (schoolId: string, withPupils = false) =>
      targetsReport(
        cohort.filter((pupil) => pupil.schoolId === schoolId),
        find,
        this.reviews,
        this.subjects,
        this.scale,
        withPupils,
      );
  }

  private async keptTargets(
    year: TargetYear,
    build: (schoolIds: readonly string[]) => Promise<(schoolId: string) => TargetsReport>,
  ): Promise<TargetsBySchool[]> {
    const collectionId = this.collection.id;
    const kept = await summarised(
      this.executor,
      { kind: 'targets', variant: String(year.id) },
      this.reach([collectionId]),
      async (stale) => {
        const reportOf = await build(stale.schoolIds);
        return stale.schoolIds.map((schoolId) => ({
          school_id: schoolId,
          collection_id: collectionId,
          report: reportOf(schoolId),
        }));
      },
    );
    const reportOf = new Map(kept.map((entry) => [entry.school_id, entry.report]));
    return this.schools.map((school) => ({ school, report: reportOf.get(school.id)! }));
  }

  /** The point each year group of the collection is counted against, by subject. */
  async thresholdsOfCollection(): Promise<
    { subjectId: number; year: string; threshold: Threshold }[]
  > {
    const thresholds = await this.thresholds([this.collection.id]);
    return [...thresholds].map(([key, threshold]) => {
      const [, subjectId, year] = key.split('|');
      return { subjectId: Number(subjectId), year: year!, threshold };
    });
  }

  private get subjectIds(): number[] {
    return this.subjects.map((subject) => subject.id);
  }

  private reach(collectionIds: readonly number[]): Reach {
    return { schoolIds: this.schoolIds, collectionIds, today: this.options.today };
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.memo.has(key)) this.memo.set(key, load());
    return this.memo.get(key) as Promise<T>;
  }

  /**
   * Rows of a per-collection read for the collections given, each collection read once however
   * many sections ask: the dashboard's collection is shared by attainment, groups and over time.
   */
  private async perCollection<T extends { collection_id: number }>(
    name: string,
    ids: readonly number[],
    load: (reach: Reach) => Promise<T[]>,
  ): Promise<T[]> {
    const missing = ids.filter((id) => !this.memo.has(`${name}:${id}`));
    if (missing.length > 0) {
      const loading = load(this.reach(missing));
      for (const id of missing) {
        const mine = loading.then((found) => found.filter((row) => row.collection_id === id));
        this.memo.set(`${name}:${id}`, mine);
      }
    }
    const parts = await Promise.all(
      ids.map((id) => this.memo.get(`${name}:${id}`) as Promise<T[]>),
    );
    return parts.flat();
  }

  private counts(ids: readonly number[]): Promise<PointCount[]> {
    return this.perCollection('cells', ids, (reach) => this.cellCounts(reach));
  }

  private cellCounts(reach: Reach) {
    return summarised(this.executor, { kind: 'cells' }, reach, (stale) =>
      cellCounts(this.executor, stale),
    );
  }

  private async thresholds(ids: readonly number[]) {
    return thresholdsOf(await this.counts(ids), this.scale, {
      statutory: this.statutory,
      chosen: this.chosen,
    });
  }

  private async cells(ids: readonly number[]) {
    const counted = await this.perCollection('cells', ids, (reach) => this.cellCounts(reach));
    return groupCellsOf(counted, await this.thresholds(ids));
  }

  private leftOutCounts(ids: readonly number[]) {
    return this.perCollection('left-out', ids, (reach) =>
      summarised(this.executor, { kind: 'left-out' }, reach, (stale) =>
        leftOutCounts(this.executor, stale),
      ),
    );
  }

  private movementCounts() {
    const collectionId = this.collection.id;
    const previousId = this.previous?.id ?? null;
    return this.once('movement', () =>
      summarised(
        this.executor,
        { kind: 'movement', variant: String(previousId ?? '') },
        this.reach([collectionId]),
        async (stale) =>
          (await movementCounts(this.executor, stale, previousId)).map((count) => ({
            ...count,
            collection_id: collectionId,
          })),
      ),
    );
  }
}

export interface TargetsBySchool {
  school: ReportSchool;
  report: TargetsReport;
}

/** The latest termly collection held by today, else the first one. */
function latestUpTo(all: readonly ReportCollection[], today: string): ReportCollection | undefined {
  const held = all.filter((collection) => collection.date <= today);
  return held.at(-1) ?? all[0];
}
