import { type SQL, sql } from 'drizzle-orm';
import { academicYearStartOf } from '../domain/school-year.ts';

/**
 * The SQL every report shares: which collection a school's points for a termly collection sit
 * in, who was on roll on its day, and the year group each pupil was in then. Reports read the
 * same rules as reconciliation (src/sync/reconcile.ts), so a figure and the missing-pupils page
 * never disagree about who is expected.
 */

export interface Reach {
  schoolIds: readonly string[];
  /** Termly collections; each school's baseline stands in at its term. */
  collectionIds: readonly number[];
  /** The day the pupils' year groups are as of: the school year they are in now. */
  today: string;
}

/**
 * One row per school and termly collection: `collection_id` is the termly one, `landed_in` the
 * collection the school's points sit in (its baseline, at the baseline's term, 8.3), `day` the
 * collection date, and the academic year's first and last days.
 */
export function effectiveCollections(reach: Reach): SQL {
  return sql`
    select t.id as collection_id, s.id as school_id, coalesce(b.id, t.id) as landed_in,
      coalesce(b.collection_date, t.collection_date) as day,
      ay.start_year, ay.starts_on as year_starts_on, ay.ends_on as year_ends_on
    from collections t
    join academic_years ay on ay.id = t.academic_year_id
    join schools s on s.id in ${reach.schoolIds}
    left join collections b on b.kind = 'baseline' and b.school_id = s.id and b.term_id = t.term_id
    where t.id in ${reach.collectionIds} and t.school_id is null`;
}

/**
 * The year group of pupil `p` in the academic year starting in `startYear`, as 'N1', 'R', 'Y4',
 * 'X' or '?'. The same shift the engine uses when a rule's year range is matched (derive.ts).
 */
export function yearGroupIn(today: string, startYear: SQL): SQL {
  const ordinal = sql`(p.nc_year_ordinal - (${academicYearStartOf(today)}::int - ${startYear}))`;
  return sql`(case
    when p.nc_year = 'X' then 'X'
    when p.nc_year_ordinal is null then '?'
    when ${ordinal} = -2 then 'N1'
    when ${ordinal} = -1 then 'N2'
    when ${ordinal} = 0 then 'R'
    when ${ordinal} between 1 and 14 then 'Y' || ${ordinal}::text
    else '?' end)`;
}

/** Pupil `p` was on roll on `day`: an unknown end or start counts as on roll. */
export function onRollOn(day: SQL): SQL {
  return sql`((p.on_roll_from is null or p.on_roll_from <= ${day})
    and (p.on_roll_to is null or p.on_roll_to >= ${day}))`;
}

/** Pupil `p` was on roll at some time in the academic year of `e`. */
export const ON_ROLL_IN_YEAR = sql`((p.on_roll_from is null or p.on_roll_from <= e.year_ends_on)
  and (p.on_roll_to is null or p.on_roll_to >= e.year_starts_on))`;
