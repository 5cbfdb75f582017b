import { sql } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import { keptForSchool, keptJsonForSchool, keptPerSchool } from './kept.ts';

/**
 * Reconciliation, per school, collection and subject: who is missing a point and why, who was
 * left out and why, results that belong to no pupil, values no rule maps yet, and decisions
 * waiting. No figure leaves anyone out without saying who and why. Each read is kept per school
 * until something it reads changes (kept.ts), so a page asked for again costs what reading one
 * row does.
 */

export type MissingReason =
  | 'source_failed'
  | 'not_landed_yet'
  | 'value_unmapped'
  | 'aspect_unmapped'
  | 'not_entered';

export type ExclusionReason = 'left' | 'joined_after';

export const MISSING_REASON_TEXT: Record<MissingReason, string> = {
  source_failed: "The school system's last sync failed, so its results have not landed.",
  not_landed_yet: 'Results have arrived but their sync has not finished landing them.',
  value_unmapped: 'A result has arrived, but no confirmed rule maps its value to a point.',
  aspect_unmapped: 'Results have arrived in an assessment not yet mapped to this subject.',
  not_entered: 'Nothing has been entered for this pupil and subject yet.',
};

export const EXCLUSION_REASON_TEXT: Record<ExclusionReason, string> = {
  left: 'Left the school before the collection date.',
  joined_after: 'Joined the school after the collection date.',
};

export interface Scope {
  schoolId: string;
  /** A termly collection; a school's own baseline stands in for it where it has one then. */
  collectionId: number;
  subjectId: number;
}

export interface MissingPupil extends Record<string, unknown> {
  pupil_id: string;
  upn: string | null;
  first_name: string;
  last_name: string;
  nc_year: string | null;
  reason: MissingReason;
  /** The unmapped value, or the failed source's message. */
  detail: string | null;
}

export interface ExcludedPupil extends Record<string, unknown> {
  pupil_id: string;
  upn: string | null;
  first_name: string;
  last_name: string;
  nc_year: string | null;
  reason: ExclusionReason;
  on: string | null;
}

/** The collection a school's results for a termly collection land in (its baseline, if there). */
function effectiveCollection(scope: Scope) {
  return sql`coalesce(
    (select b.id from collections b join collections t on t.id = ${scope.collectionId}
     where b.kind = 'baseline' and b.school_id = ${scope.schoolId} and b.term_id = t.term_id),
    ${scope.collectionId})`;
}

/** Who is missing a point and why, kept until the school's data changes (kept.ts). */
export function missingPupils(executor: Executor, scope: Scope): Promise<MissingPupil[]> {
  return keptForSchool(
    executor,
    { kind: 'missing', scope: `${scope.collectionId}|${scope.subjectId}` },
    scope.schoolId,
    () => workOutMissingPupils(executor, scope),
    [],
  );
}

/**
 * The school's missing pupils as JSON text, each with the words for its reason (`explanations`,
 * by reason) beside the reason itself: the API's answer, kept in that form beside the list.
 */
export function missingPupilsJson(
  executor: Executor,
  scope: Scope,
  explanations: Readonly<Record<MissingReason, string>>,
): Promise<Buffer> {
  return keptJsonForSchool(
    executor,
    { kind: 'missing_explained', scope: `${scope.collectionId}|${scope.subjectId}` },
    scope.schoolId,
    async () => explained(await missingPupils(executor, scope), explanations),
    [],
  );
}

async function workOutMissingPupils(executor: Executor, scope: Scope): Promise<MissingPupil[]> {
  // Each pupil's staged results are summed up once, then joined: one pass over the school.
  return rows<MissingPupil>(
    executor,
    sql`
    with target as (select ${effectiveCollection(scope)} as id),
    day as (select c.collection_date as d from collections c, target where c.id = target.id),
    expected as (
      select p.* from pupils p, day
      where p.school_id = ${scope.schoolId}
        and (p.on_roll_from is null or p.on_roll_from <= day.d)
        and (p.on_roll_to is null or p.on_roll_to >= day.d)
    ),
    staged as (
      select sp.pupil_id,
        bool_or(sr.pending and (sm.subject_id = ${scope.subjectId} or sm.subject_id is null))
          as pending,
        bool_or(sm.subject_id = ${scope.subjectId}) as mapped,
        bool_or(sm.subject_id is null and sm.ignored is not true) as aspect_unmapped,
        string_agg(distinct case when sm.subject_id = ${scope.subjectId} and not sr.pending
          then sr.raw_value end, ', ') as unmapped_values
      from staged_results sr
      join source_pupils sp on sp.source_id = sr.source_id
        and sp.external_id = sr.pupil_external_id and sp.pupil_id is not null
      left join subject_mappings sm on sm.aspect_id = sr.aspect_id and sm.status = 'confirmed'
      where sr.school_id = ${scope.schoolId} and sr.retracted_at is null
        and sr.collection_id = (select id from target)
      group by sp.pupil_id
    ),
    failing as (
      select s.name || ': ' || coalesce(r.message, '') as detail from sources s
      join lateral (select status, message from sync_runs where source_id = s.id
        order by queued_at desc limit 1) r on true
      where s.school_id = ${scope.schoolId} and s.archived_at is null and r.status = 'failed'
      limit 1
    )
    select e.id as pupil_id, e.upn, e.first_name, e.last_name, e.nc_year,
      case
        when st.pending then
          case when f.detail is not null then 'source_failed' else 'not_landed_yet' end
        when st.mapped then 'value_unmapped'
        when st.aspect_unmapped then 'aspect_unmapped'
        when f.detail is not null then 'source_failed'
        else 'not_entered'
      end as reason,
      case
        when st.mapped and not st.pending then st.unmapped_values
        when f.detail is not null then f.detail
        else null
      end as detail
    from expected e
    left join staged st on st.pupil_id = e.id
    left join failing f on true
    where not exists (
      select 1 from assessments a where a.pupil_id = e.id and a.subject_id = ${scope.subjectId}
        and a.collection_id = (select id from target))
    order by e.last_name, e.first_name`,
  );
}

/** Pupils of the school left out of the collection, with why. */
export function excludedPupils(executor: Executor, scope: Scope): Promise<ExcludedPupil[]> {
  return keptForSchool(
    executor,
    { kind: 'excluded', scope: `${scope.collectionId}` },
    scope.schoolId,
    () => workOutExcludedPupils(executor, scope),
    [],
  );
}

/** The pupils left out of the school's figures as JSON text, each with the words for its reason. */
export function excludedPupilsJson(
  executor: Executor,
  scope: Scope,
  explanations: Readonly<Record<ExclusionReason, string>>,
): Promise<Buffer> {
  return keptJsonForSchool(
    executor,
    { kind: 'excluded_explained', scope: `${scope.collectionId}` },
    scope.schoolId,
    async () => explained(await excludedPupils(executor, scope), explanations),
    [],
  );
}

function explained<Row extends { reason: string }>(
  list: readonly Row[],
  explanations: Readonly<Record<Row['reason'], string>>,
) {
  return list.map((row) => ({ ...row, explanation: explanations[row.reason as Row['reason']] }));
}

async function workOutExcludedPupils(executor: Executor, scope: Scope): Promise<ExcludedPupil[]> {
  return rows<ExcludedPupil>(
    executor,
    sql`
    with target as (select ${effectiveCollection(scope)} as id),
    day as (select c.collection_date as d from collections c, target where c.id = target.id)
    select p.id as pupil_id, p.upn, p.first_name, p.last_name, p.nc_year,
      case when p.on_roll_from > day.d then 'joined_after' else 'left' end as reason,
      case when p.on_roll_from > day.d then p.on_roll_from::text else p.on_roll_to::text end as on
    from pupils p, day
    where p.school_id = ${scope.schoolId}
      and (p.on_roll_from > day.d or p.on_roll_to < day.d)
    order by p.last_name, p.first_name`,
  );
}

export interface UnmappedValue extends Record<string, unknown> {
  aspect_id: number;
  aspect_name: string;
  grade_set: string | null;
  subject_id: number | null;
  raw_value: string;
  pupils: number;
  results: number;
  first_seen: string;
  last_seen: string;
}

/**
 * Values that have arrived in an aspect mapped to a subject, landed nowhere because no confirmed
 * rule covers them, with how many pupils and when they were first and last seen.
 */
export function unmappedValues(
  executor: Executor,
  schoolId: string,
  collectionId: number | null,
): Promise<UnmappedValue[]> {
  return keptForSchool(
    executor,
    unmappedRead(collectionId),
    schoolId,
    () => workOutUnmappedValues(executor, schoolId, collectionId),
    [],
  );
}

/** Each school's unmapped values, as `unmappedValues` gives them, in one read of what is kept. */
export function unmappedValuesOfSchools(
  executor: Executor,
  schoolIds: readonly string[],
  collectionId: number | null,
): Promise<Map<string, UnmappedValue[]>> {
  return keptPerSchool(executor, unmappedRead(collectionId), schoolIds, (schoolId) =>
    workOutUnmappedValues(executor, schoolId, collectionId),
  );
}

function unmappedRead(collectionId: number | null) {
  return { kind: 'unmapped', scope: collectionId === null ? 'all' : `${collectionId}` };
}

async function workOutUnmappedValues(
  executor: Executor,
  schoolId: string,
  collectionId: number | null,
): Promise<UnmappedValue[]> {
  return rows<UnmappedValue>(
    executor,
    sql`
    select sr.aspect_id, a.name as aspect_name, a.grade_set, sm.subject_id, sr.raw_value,
      count(distinct sr.pupil_external_id)::int as pupils, count(*)::int as results,
      min(sr.first_seen_at)::text as first_seen, max(sr.last_changed_at)::text as last_seen
    from staged_results sr
    -- The school's own aspects: read through them, a school's values cost what its rows do,
    -- however many schools the trust has.
    join aspects a on a.id = sr.aspect_id and a.school_id = ${schoolId}
    join subject_mappings sm on sm.aspect_id = sr.aspect_id and sm.status = 'confirmed'
      and not sm.ignored
    where sr.school_id = ${schoolId} and sr.retracted_at is null and not sr.pending
      and (${collectionId}::int is null or sr.collection_id = ${collectionId}::int)
      and not exists (select 1 from assessments x where x.staged_result_id = sr.id)
      and not exists (
        select 1 from assessments x join source_pupils sp on sp.pupil_id = x.pupil_id
        where sp.source_id = sr.source_id and sp.external_id = sr.pupil_external_id
          and x.subject_id = sm.subject_id and x.collection_id = sr.collection_id)
    group by sr.aspect_id, a.name, a.grade_set, sm.subject_id, sr.raw_value
    order by count(distinct sr.pupil_external_id) desc, a.name, sr.raw_value`,
  );
}

export interface Orphan extends Record<string, unknown> {
  source_id: string;
  pupil_external_id: string;
  results: number;
  reason: 'unknown_pupil' | 'identity_unconfirmed';
}

/** Results whose pupil the source never listed, or whose identity waits for a person. */
export function orphanResults(executor: Executor, schoolId: string): Promise<Orphan[]> {
  return keptForSchool(
    executor,
    { kind: 'orphans', scope: '' },
    schoolId,
    () => workOutOrphanResults(executor, schoolId),
    [],
  );
}

/** Each school's results with no pupil, in one read of what is kept. */
export function orphanResultsOfSchools(
  executor: Executor,
  schoolIds: readonly string[],
): Promise<Map<string, Orphan[]>> {
  return keptPerSchool(executor, { kind: 'orphans', scope: '' }, schoolIds, (schoolId) =>
    workOutOrphanResults(executor, schoolId),
  );
}

async function workOutOrphanResults(executor: Executor, schoolId: string): Promise<Orphan[]> {
  return rows<Orphan>(
    executor,
    sql`
    select sr.source_id, sr.pupil_external_id, count(*)::int as results,
      case when sp.id is null then 'unknown_pupil' else 'identity_unconfirmed' end as reason
    from staged_results sr
    left join source_pupils sp on sp.source_id = sr.source_id
      and sp.external_id = sr.pupil_external_id
    where sr.school_id = ${schoolId} and sr.retracted_at is null
      and (sp.id is null or sp.pupil_id is null)
    group by sr.source_id, sr.pupil_external_id, sp.id
    order by count(*) desc`,
  );
}
