import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import {
  effectiveCollections,
  ON_ROLL_IN_YEAR,
  onRollOn,
  type Reach,
  yearGroupIn,
} from './cohort.ts';
import { GROUP_KEYS, type GroupKey } from './groups.ts';

/**
 * The reports' reads: set-based, one statement per report over every school and collection in
 * reach, each joining `assessments` through its (collection_id, school_id, subject_id) index.
 * They return counts, never pupils, except where a school's own page lists who is left out or
 * how each pupil moved.
 */

/**
 * Pupils counted in one collection, school, subject and year group at one point: how many, and
 * how many of them are in each group or of unknown membership. Every figure of attainment and of
 * groups is a sum of these cells, so one pass over `assessments` serves both, whichever point
 * the reader counts "at or above".
 */
export type CellCount = {
  collection_id: number;
  school_id: string;
  subject_id: number;
  year: string;
  position: number;
  pupils: number;
} & Record<`${GroupKey}_pupils` | `${GroupKey}_unknown`, number>;

/** Pupils at each point, by collection, school, subject and year group. */
export type PointCount = Pick<
  CellCount,
  'collection_id' | 'school_id' | 'subject_id' | 'year' | 'position' | 'pupils'
>;

/** Who is in a group, and whose membership is known, for pupil `p`. */
const GROUP_SQL: Record<GroupKey, { member: SQL; known: SQL }> = {
  disadvantaged: { member: sql`p.disadvantaged`, known: sql`p.disadvantaged is not null` },
  sen_support: { member: sql`p.sen_status = 'K'`, known: sql`p.sen_status is not null` },
  ehcp: { member: sql`p.sen_status = 'E'`, known: sql`p.sen_status is not null` },
  eal: { member: sql`p.eal`, known: sql`p.eal is not null` },
  girls: { member: sql`p.sex = 'F'`, known: sql`p.sex is not null` },
  boys: { member: sql`p.sex = 'M'`, known: sql`p.sex is not null` },
};

export async function cellCounts(executor: Executor, reach: Reach): Promise<CellCount[]> {
  if (isEmpty(reach)) return [];
  const columns = GROUP_KEYS.map((key) => {
    const { member, known } = GROUP_SQL[key];
    return sql`count(*) filter (where ${member})::int as ${sql.raw(`${key}_pupils`)},
      count(*) filter (where not (${known}))::int as ${sql.raw(`${key}_unknown`)}`;
  });
  return rows<CellCount & Record<string, unknown>>(
    executor,
    sql`
    with e as (${effectiveCollections(reach)})
    select e.collection_id, e.school_id, a.subject_id,
      ${yearGroupIn(reach.today, sql`e.start_year`)} as year, n.position,
      count(*)::int as pupils, ${sql.join(columns, sql`, `)}
    from e
    join assessments a on a.collection_id = e.landed_in and a.school_id = e.school_id
    join subjects s on s.id = a.subject_id and s.active
    join pupils p on p.id = a.pupil_id and p.school_id = e.school_id
    join nx_points n on n.id = a.nx_point_id
    where ${onRollOn(sql`e.day`)}
    group by 1, 2, 3, 4, 5`,
  );
}

function isEmpty(reach: Reach): boolean {
  return reach.schoolIds.length === 0 || reach.collectionIds.length === 0;
}

export type LeftOutReason = 'no_point' | 'left' | 'joined_after';

export interface LeftOutRow extends Record<string, unknown> {
  collection_id: number;
  school_id: string;
  pupil_id: string;
  upn: string | null;
  first_name: string;
  last_name: string;
  year: string;
  /** The subject with no point; null for a pupil not on roll, left out of every subject. */
  subject_id: number | null;
  reason: LeftOutReason;
  /** A pupil not on roll on the day whose point landed all the same: it is not counted. */
  had_point: boolean;
  on: string | null;
}

/**
 * Everyone of the year left out of each figure, and why: on roll with no point in a subject,
 * or not on roll on the collection's day (left before it, or joined after it).
 */
export async function leftOutPupils(executor: Executor, reach: Reach): Promise<LeftOutRow[]> {
  if (isEmpty(reach)) return [];
  return rows<LeftOutRow>(executor, sql`${leftOutQuery(reach)} order by last_name, first_name`);
}

export interface LeftOutCount extends Record<string, unknown> {
  collection_id: number;
  school_id: string;
  subject_id: number | null;
  reason: LeftOutReason;
  pupils: number;
}

/** The same as counts, for figures over many schools or collections. */
export async function leftOutCounts(executor: Executor, reach: Reach): Promise<LeftOutCount[]> {
  if (isEmpty(reach)) return [];
  return rows<LeftOutCount>(
    executor,
    sql`select collection_id, school_id, subject_id, reason, count(*)::int as pupils
    from (${leftOutQuery(reach)}) l group by 1, 2, 3, 4`,
  );
}

function leftOutQuery(reach: Reach): SQL {
  const year = yearGroupIn(reach.today, sql`e.start_year`);
  const pointThen = sql`exists (select 1 from assessments x
    where x.pupil_id = p.id and x.collection_id = e.landed_in)`;
  return sql`
    with e as (${effectiveCollections(reach)})
    select e.collection_id, e.school_id, p.id as pupil_id, p.upn, p.first_name, p.last_name,
      ${year} as year, null::int as subject_id,
      case when p.on_roll_from > e.day then 'joined_after' else 'left' end as reason,
      ${pointThen} as had_point,
      (case when p.on_roll_from > e.day then p.on_roll_from else p.on_roll_to end)::text as on
    from e
    join pupils p on p.school_id = e.school_id
    where not ${onRollOn(sql`e.day`)} and (${ON_ROLL_IN_YEAR} or ${pointThen})
    union all
    select e.collection_id, e.school_id, p.id, p.upn, p.first_name, p.last_name, ${year},
      s.id, 'no_point', false, null
    from e
    join pupils p on p.school_id = e.school_id
    join subjects s on s.active
    where ${onRollOn(sql`e.day`)}
      -- Looked up for each pupil and subject through the key's index alone, kept whole by
      -- offset 0: joined instead, the planner may hash every point of the trust for each school
      -- counted, or walk each pupil's points of every collection.
      and not exists (select 1 from assessments x where x.pupil_id = p.id
        and x.subject_id = s.id and x.collection_id = e.landed_in offset 0)`;
}
