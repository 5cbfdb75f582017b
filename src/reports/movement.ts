import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import type { SubjectRef } from './attainment.ts';
import { effectiveCollections, onRollOn, type Reach, yearGroupIn } from './cohort.ts';

/**
 * Each pupil's movement on the scale since the previous collection and since their baseline. A
 * pupil's baseline is their first landed point in the subject at the school: the school's
 * baseline collection for a newly converted school (8.3), otherwise the first point they have.
 * Progress in specialist settings may be non-linear (3.2.3, 4.1): a pupil who stays at a point
 * or moves down is counted and listed as they are, never hidden and never treated as an error.
 */

export type Direction = 'up' | 'same' | 'down';

export interface MovementTally {
  up: number;
  same: number;
  down: number;
  /** No point to compare with: none in the previous collection, or this is their first. */
  none: number;
}

export interface PupilMovement {
  pupilId: string;
  name: string;
  upn: string | null;
  year: string;
  subjectId: number;
  code: string;
  position: number;
  previous: { code: string; position: number } | null;
  /** Points moved since the previous collection: positive up, negative down. */
  sincePrevious: number | null;
  baseline: { code: string; position: number; collection: string } | null;
  sinceBaseline: number | null;
}

export interface SubjectMovement {
  subjectId: number;
  subject: string;
  sincePrevious: MovementTally;
  sinceBaseline: MovementTally;
  /** Only for a school's own report; the trust's figures give counts. */
  pupils: PupilMovement[];
}

interface MovementRow extends Record<string, unknown> {
  school_id: string;
  pupil_id: string;
  upn: string | null;
  first_name: string;
  last_name: string;
  year: string;
  subject_id: number;
  code: string;
  position: number;
  previous_code: string | null;
  previous_position: number | null;
  baseline_code: string | null;
  baseline_position: number | null;
  baseline_label: string | null;
  baseline_is_current: boolean | null;
}

export interface MovementCount extends Record<string, unknown> {
  school_id: string;
  subject_id: number;
  since_previous: number | null;
  since_baseline: number | null;
  pupils: number;
}

/** Every counted pupil's point now, in the previous collection and at their baseline. */
export async function pupilMovements(
  executor: Executor,
  reach: Reach,
  previousId: number | null,
): Promise<PupilMovement[]> {
  if (reach.schoolIds.length === 0 || reach.collectionIds.length !== 1) return [];
  const found = await rows<MovementRow>(
    executor,
    sql`${movementQuery(reach, previousId)}
    select * from moved order by last_name, first_name, subject_id`,
  );
  return found.map(movementOf);
}

/** The same as counts per school and subject, by steps moved: for the trust's figures. */
export async function movementCounts(
  executor: Executor,
  reach: Reach,
  previousId: number | null,
): Promise<MovementCount[]> {
  if (reach.schoolIds.length === 0 || reach.collectionIds.length !== 1) return [];
  return rows<MovementCount>(
    executor,
    sql`${movementQuery(reach, previousId)}
    select school_id, subject_id,
      sign(position - previous_position)::int as since_previous,
      case when baseline_is_current then null
        else sign(position - baseline_position)::int end as since_baseline,
      count(*)::int as pupils
    from moved group by 1, 2, 3, 4`,
  );
}

/**
 * One pass over the points the schools in reach hold up to the collection's day: each pupil's
 * point now, in the previous collection and the first they have (their baseline) are read off
 * the same rows with window functions, so no join waits on a guess of how many rows there are.
 */
function movementQuery(reach: Reach, previousId: number | null): SQL {
  const previous =
    previousId === null
      ? sql`select null::uuid as school_id, null::int as landed_in where false`
      : sql`select school_id, landed_in
          from (${effectiveCollections({ ...reach, collectionIds: [previousId] })}) pe`;
  const pupilSubject = sql`partition by a.pupil_id, a.subject_id`;
  return sql`
    with e as (${effectiveCollections(reach)}),
    pe as (${previous}),
    held as (
      select a.pupil_id, a.school_id, a.subject_id, a.collection_id, n.position, n.code,
        first_value(n.position) over first_held as baseline_position,
        first_value(n.code) over first_held as baseline_code,
        first_value(c.label) over first_held as baseline_label,
        first_value(a.collection_id) over first_held as baseline_collection,
        max(n.position) filter (where pe.landed_in is not null) over (${pupilSubject})
          as previous_position,
        max(n.code) filter (where pe.landed_in is not null) over (${pupilSubject})
          as previous_code
      from assessments a
      join collections c on c.id = a.collection_id
      join subjects s on s.id = a.subject_id and s.active
      join nx_points n on n.id = a.nx_point_id
      left join pe on pe.school_id = a.school_id and pe.landed_in = a.collection_id
      where a.school_id in ${reach.schoolIds}
        -- Through the report index: every collection held by the collection's day.
        and a.collection_id = any(array(select id from collections
          where collection_date <= (select max(day) from e)))
      window first_held as (${pupilSubject} order by c.collection_date, c.id)
    ),
    moved as (
      select e.school_id, p.id as pupil_id, p.upn, p.first_name, p.last_name,
        ${yearGroupIn(reach.today, sql`e.start_year`)} as year, h.subject_id, h.code, h.position,
        h.previous_code, h.previous_position, h.baseline_code, h.baseline_position,
        h.baseline_label, h.baseline_collection = e.landed_in as baseline_is_current
      from e
      join held h on h.collection_id = e.landed_in and h.school_id = e.school_id
      join pupils p on p.id = h.pupil_id and p.school_id = e.school_id
      where ${onRollOn(sql`e.day`)}
    )`;
}

function movementOf(row: MovementRow): PupilMovement {
  const hasBaseline = row.baseline_code !== null && row.baseline_is_current === false;
  return {
    pupilId: row.pupil_id,
    name: `${row.first_name} ${row.last_name}`,
    upn: row.upn,
    year: row.year,
    subjectId: row.subject_id,
    code: row.code,
    position: row.position,
    previous:
      row.previous_code === null
        ? null
        : { code: row.previous_code, position: row.previous_position! },
    sincePrevious: row.previous_position === null ? null : row.position - row.previous_position,
    baseline: hasBaseline
      ? {
          code: row.baseline_code!,
          position: row.baseline_position!,
          collection: row.baseline_label!,
        }
      : null,
    sinceBaseline: hasBaseline ? row.position - row.baseline_position! : null,
  };
}

/** Tallies of one subject's pupils, with the pupils listed. */
export function subjectMovements(
  pupils: readonly PupilMovement[],
  subjects: readonly SubjectRef[],
): SubjectMovement[] {
  return subjects.map((subject) => {
    const mine = pupils.filter((pupil) => pupil.subjectId === subject.id);
    return {
      subjectId: subject.id,
      subject: subject.name,
      sincePrevious: tally(mine.map((pupil) => ({ step: pupil.sincePrevious, pupils: 1 }))),
      sinceBaseline: tally(mine.map((pupil) => ({ step: pupil.sinceBaseline, pupils: 1 }))),
      pupils: mine,
    };
  });
}

/** Tallies from counts, over the schools given. */
export function countedMovements(
  counts: readonly MovementCount[],
  subjects: readonly SubjectRef[],
  schoolId: string | null = null,
): SubjectMovement[] {
  return subjects.map((subject) => {
    const mine = counts.filter(
      (count) =>
        count.subject_id === subject.id && (schoolId === null || count.school_id === schoolId),
    );
    const weighted = (field: 'since_previous' | 'since_baseline') =>
      mine.map((count) => ({ step: count[field], pupils: count.pupils }));
    return {
      subjectId: subject.id,
      subject: subject.name,
      sincePrevious: tally(weighted('since_previous')),
      sinceBaseline: tally(weighted('since_baseline')),
      pupils: [],
    };
  });
}

export function directionOf(steps: number): Direction {
  if (steps > 0) return 'up';
  return steps < 0 ? 'down' : 'same';
}

function tally(entries: readonly { step: number | null; pupils: number }[]): MovementTally {
  const result: MovementTally = { up: 0, same: 0, down: 0, none: 0 };
  for (const { step, pupils } of entries) {
    if (step === null) result.none += pupils;
    else result[directionOf(step)] += pupils;
  }
  return result;
}
