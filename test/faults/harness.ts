import { and, eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Actor } from '../../src/audit.ts';
import type { Db } from '../../src/db/index.ts';
import { rows } from '../../src/db/rows.ts';
import { aspects, nxPoints, subjectMappings, syncRuns } from '../../src/db/schema.ts';
import type { Engine } from '../../src/sync/engine.ts';
import {
  decideGradeRules,
  decideSubjectMappings,
  proposeGradeRule,
} from '../../src/sync/mapping.ts';
import { requestRun, type SyncRun } from '../../src/sync/runs.ts';
import { drain } from '../support/engine.ts';
import { TODAY } from '../support/fixtures.ts';

/**
 * What the fault tests share: a full run to its end, the school's agreed mapping of its own
 * grades, and the landed points of a source in a form that compares whole.
 */

export const SUBJECT_LEADER: Actor = { userId: null, label: 'Dev Raman (subject leader)' };

/**
 * How Oakfield's subject leaders map the grades their tracker records, whatever the year: the
 * statutory codes and the school's own "Y4 Secure" scheme, agreed at the autumn moderation.
 */
export const AGREED_POINTS: Readonly<Record<string, string>> = {
  WTS: 'NX6',
  EXS: 'NX7',
  GDS: 'NX8',
  'Y3 Emerging': 'NX3',
  'Y3 Secure': 'NX4',
  'Y3 Mastery': 'NX5',
  'Y4 Emerging': 'NX4',
  'Y4 Secure': 'NX5',
  'Y4 Mastery': 'NX6',
  'Y5 Emerging': 'NX5',
  'Y5 Secure': 'NX6',
  'Y5 Mastery': 'NX7',
};

export interface RunSource {
  id: string;
  schoolId: string;
}

/** Queues a full pull of the source and runs it to its end on one worker. */
export async function fullRun(engine: Engine, source: RunSource): Promise<SyncRun> {
  const { run } = await requestRun(engine.db, {
    sourceId: source.id,
    schoolId: source.schoolId,
    trigger: 'manual',
    mode: 'full',
    requestedBy: null,
  });
  await drain(engine);
  return runById(engine.db, run.id);
}

export async function runById(db: Db, runId: string): Promise<SyncRun> {
  const [found] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  return found!;
}

/** Confirms the suggested subjects of the school's aspects and a rule for each agreed grade. */
export async function agreeMappings(db: Db, schoolId: string) {
  await agreeMappingsOfSubjects(db, schoolId);
  await agreeGrades(db, schoolId);
}

/** Confirms the subjects the system suggested for the school's aspects. */
export async function agreeMappingsOfSubjects(db: Db, schoolId: string) {
  const proposed = await db
    .select({ id: subjectMappings.id })
    .from(subjectMappings)
    .innerJoin(aspects, eq(aspects.id, subjectMappings.aspectId))
    .where(and(eq(aspects.schoolId, schoolId), eq(subjectMappings.status, 'proposed')));
  await decideSubjectMappings(
    db,
    SUBJECT_LEADER,
    proposed.map((mapping) => mapping.id),
    { decision: 'confirm', reason: 'Agreed at the trust PLC' },
    TODAY,
  );
}

/** Proposes and confirms a school rule for each of the agreed grades. */
export async function agreeGrades(db: Db, schoolId: string) {
  const points = await db.select({ id: nxPoints.id, code: nxPoints.code }).from(nxPoints);
  const pointId = new Map(points.map((point) => [point.code, point.id]));
  const ruleIds: number[] = [];
  for (const [value, code] of Object.entries(AGREED_POINTS)) {
    const rule = await proposeGradeRule(db, SUBJECT_LEADER, {
      schoolId,
      subjectId: null,
      aspectId: null,
      gradeSet: null,
      yearFrom: null,
      yearTo: null,
      match: 'value',
      value,
      rangeMin: null,
      rangeMax: null,
      aliasOf: null,
      nxPointId: pointId.get(code)!,
      reason: `Oakfield records ${value} where the trust scale has ${code}`,
    });
    ruleIds.push(rule.id);
  }
  await decideGradeRules(
    db,
    SUBJECT_LEADER,
    ruleIds,
    { decision: 'confirm', reason: 'Agreed at the autumn moderation' },
    TODAY,
  );
}

/** Each landed point of the source as "result id: raw value -> NX point (run)", sorted. */
export async function landedFrom(db: Db, sourceId: string): Promise<string[]> {
  const found = await rows<{ line: string }>(
    db,
    sql`
    select s.external_id || ': ' || a.raw_value || ' -> ' || n.code || ' (' || a.run_id || ')'
      as line
    from assessments a
    join staged_results s on s.id = a.staged_result_id
    join nx_points n on n.id = a.nx_point_id
    where a.source_id = ${sourceId}
    order by 1`,
  );
  return found.map((row) => row.line);
}

/**
 * What the confirmed mapping implies from staging alone, worked out here rather than by the
 * engine: every live result of a pupil on the source, with an agreed grade, on a confirmed
 * subject, as "result id: raw value -> NX point". One result per pupil, subject and collection
 * is all the synthetic schools have, so no tie needs breaking.
 */
export async function impliedBy(db: Db, sourceId: string): Promise<string[]> {
  const staged = await rows<{ externalId: string; raw: string }>(
    db,
    sql`
    select s.external_id as "externalId", s.raw_value as raw
    from staged_results s
    join source_pupils sp on sp.source_id = s.source_id
      and sp.external_id = s.pupil_external_id and sp.pupil_id is not null
    join subject_mappings m on m.aspect_id = s.aspect_id and m.status = 'confirmed'
      and not m.ignored
    where s.source_id = ${sourceId} and s.retracted_at is null and not s.pending
      and s.collection_id is not null`,
  );
  return staged
    .filter((row) => AGREED_POINTS[row.raw] !== undefined)
    .map((row) => `${row.externalId}: ${row.raw} -> ${AGREED_POINTS[row.raw]}`)
    .sort();
}

/** Landed lines without the run that landed them. */
export function withoutRun(lines: string[]): string[] {
  return lines.map((line) => line.replace(/ \([0-9a-f-]{36}\)$/, '')).sort();
}

/** Staged values of the source that no agreed rule covers: the fakes must serve none. */
export async function unagreedValues(db: Db, sourceId: string): Promise<string[]> {
  const found = await rows<{ raw: string }>(
    db,
    sql`select distinct raw_value as raw from staged_results where source_id = ${sourceId}`,
  );
  return found.map((row) => row.raw).filter((raw) => AGREED_POINTS[raw] === undefined);
}

/** Points that name the run as the one that landed them. */
export async function pointsOfRun(db: Db, runId: string): Promise<number> {
  const [found] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from assessments where run_id = ${runId}`,
  );
  return found!.n;
}

/** Pupil, subject and collection keys landed more than once (there must be none). */
export async function duplicatePoints(db: Db): Promise<number> {
  const [found] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from (
      select 1 from assessments group by pupil_id, subject_id, collection_id
      having count(*) > 1) d`,
  );
  return found!.n;
}

/** Lines of `after` that are not in `before`, by result id. */
export function changedIds(before: string[], after: string[]): string[] {
  const known = new Set(before);
  return after.filter((line) => !known.has(line)).map((line) => line.split(': ')[0]!);
}

/**
 * Calls `apply` when the fake receives its n-th request matching `matching`. Every fake records
 * a request before it answers it, so faults set here already apply to that very request.
 */
export function onRequest(
  requests: { url: string }[],
  matching: (url: string) => boolean,
  nth: number,
  apply: () => void,
) {
  let seen = 0;
  const record = requests.push.bind(requests);
  requests.push = (...added) => {
    for (const request of added) {
      if (matching(request.url)) {
        seen += 1;
        if (seen === nth) apply();
      }
    }
    return record(...added);
  };
  return () => {
    requests.push = record;
  };
}

/** One misbehaviour of a school's system, and what the run must say about it. */
export interface FaultCase<Faults> {
  title: string;
  /** Faults the fake has from the start of the run (aimed at a page in the middle). */
  faults?: Faults;
  /** Faults that start with the n-th request for a page of results, part-way through. */
  midway?: { nth: number; faults: Faults };
  /** Source settings for this run only, such as a shorter deadline. */
  config?: Record<string, unknown>;
  /** Failed; or succeeded, riding the fault out; or warned, naming a drop it did not believe. */
  status: 'failed' | 'succeeded' | 'succeeded_with_warnings';
  category?: SyncRun['failureCategory'];
  code?: string;
  /** What the data lead reads on the run, exactly. */
  message?: string;
}

export interface FaultRig {
  engine: Engine;
  source: RunSource;
  pupils: number;
  results: number;
  /** The pages of pupils, all staged before any fault in the middle of the results. */
  pupilPages: number;
  /** Gives a few results another grade in the school's system; returns how many. */
  change(): number;
  /** Sets the case's faults and settings; the function returned clears them again. */
  arm(fault: FaultCase<unknown>): Promise<() => Promise<void>>;
}

/**
 * Lands changed grades through a fault: the run fails with the case's category, code and
 * message and lands nothing, the points landed before stay exactly as they were, and the next
 * clean run lands the new grades (or the run rides the fault out and lands them itself).
 */
export async function throughFault(rig: FaultRig, fault: FaultCase<unknown>) {
  const { db } = rig.engine;
  const before = await landedFrom(db, rig.source.id);
  expect(before.length).toBeGreaterThan(100);
  const changed = rig.change();

  const disarm = await rig.arm(fault);
  let run: SyncRun;
  try {
    run = await fullRun(rig.engine, rig.source);
  } finally {
    await disarm();
  }

  if (fault.status === 'failed') {
    expect(run).toMatchObject({
      status: 'failed',
      failureCategory: fault.category,
      failureCode: fault.code,
      resultsLanded: 0,
    });
    expect(run.message).toBe(fault.message);
    // Pupils and some results were staged before the fault: none of it landed.
    expect(run.pagesDone).toBeGreaterThan(rig.pupilPages);
    expect(await landedFrom(db, rig.source.id)).toEqual(before);
    expect(await pointsOfRun(db, run.id)).toBe(0);

    run = await fullRun(rig.engine, rig.source);
  }
  let landedEarly = 0;
  if (fault.status === 'succeeded_with_warnings') {
    // The pull ended early and said it was complete: what it did bring lands, nothing else moves.
    expect(run).toMatchObject({ status: fault.status, resultsRetracted: 0, pupilsLeft: 0 });
    expect(run.message).toBe(fault.message);
    expect(run.resultsSeen).toBeLessThan(rig.results / 2);
    landedEarly = await pointsOfRun(db, run.id);
    expect(run.resultsLanded).toBe(landedEarly);
    const warned = await landedFrom(db, rig.source.id);
    expect(warned).toHaveLength(before.length);
    expect(changedIds(before, warned)).toHaveLength(landedEarly);

    run = await fullRun(rig.engine, rig.source);
  }

  expect(run).toMatchObject({
    status: 'succeeded',
    failureCategory: null,
    message: null,
    pupilsSeen: rig.pupils,
    resultsSeen: rig.results,
    resultsChanged: changed - landedEarly,
    resultsLanded: changed - landedEarly,
  });
  const after = await landedFrom(db, rig.source.id);
  expect(withoutRun(after)).toEqual(await impliedBy(db, rig.source.id));
  expect(after).toHaveLength(before.length);
  // Exactly the changed results moved, each to another grade, landed by this run.
  const moved = changedIds(before, after);
  expect(moved).toHaveLength(changed);
  for (const id of moved) {
    const grade = (lines: string[]) =>
      lines.find((line) => line.startsWith(`${id}: `))?.split(' (')[0];
    expect(grade(after)).not.toBe(grade(before));
  }
  expect(await pointsOfRun(db, run.id)).toBe(changed - landedEarly);
  expect(await duplicatePoints(db)).toBe(0);
}
