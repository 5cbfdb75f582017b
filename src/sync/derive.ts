import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { arrayLiteral } from '../db/bulk.ts';
import type { Tx } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import { aspects, gradeRules, subjectMappings } from '../db/schema.ts';
import { type GradeRule, mapGrade } from '../domain/grade-rules.ts';

/**
 * Landing: turns a school's staged results into one NX point per pupil, subject and collection.
 * Everything is derived from staging and the confirmed rules, so confirming, rejecting or
 * changing a rule re-derives at once without pulling again. Rows a run has not landed yet
 * (pending) are skipped, and what they landed before stays.
 *
 * Matching runs once per distinct (aspect, value, year) rather than per result, then one set-based
 * statement lands the winners. When sources disagree about a pupil, subject and collection, the
 * later assessment date wins (then the later change) and the conflict is listed for review.
 */

export interface DeriveOutcome {
  landed: number;
  removed: number;
  conflicts: number;
}

interface Combination extends Record<string, unknown> {
  aspect_id: number;
  raw_value: string;
  year_ordinal: number | null;
}

interface Mapped {
  aspect_id: number;
  raw_value: string;
  year_ordinal: number | null;
  subject_id: number;
  nx_point_id: string;
  rule_id: number;
}

/** Pending rows of the source become landable: its run has succeeded. Returns how many. */
export async function adoptPending(tx: Tx, sourceId: string): Promise<number> {
  // Counted where they are written: a full run adopts every row it staged.
  const [adopted] = await rows<{ n: number }>(
    tx,
    sql`with adopted as (
        update staged_results set pending = false where source_id = ${sourceId} and pending
        returning 1)
      select count(*)::int as n from adopted`,
  );
  return adopted?.n ?? 0;
}

export interface DeriveOptions {
  /**
   * The confirmed rules as they stood before a decision that changed only rules. Given, and the
   * school last derived in this school year, only the pupils, subjects and collections with a
   * result whose point the decision changes are derived again: everything else already stands as
   * these rules derived it.
   */
  rulesBefore?: readonly GradeRule[];
}

export async function deriveSchool(
  tx: Tx,
  schoolId: string,
  currentStartYear: number,
  options: DeriveOptions = {},
): Promise<DeriveOutcome> {
  return deriveSchools(tx, [schoolId], currentStartYear, options);
}

/**
 * Derives several schools in one pass: each step is one statement over all of them, which costs
 * little more than the same step for one. After a decision on rules, the schools last derived in
 * this school year derive only what it changes and the others derive whole, in a pass of their
 * own. `rulesBefore` may hold every school's rules; each school is mapped by those that apply.
 */
export async function deriveSchools(
  tx: Tx,
  schoolIds: readonly string[],
  currentStartYear: number,
  options: DeriveOptions = {},
): Promise<DeriveOutcome> {
  const sorted = [...new Set(schoolIds)].sort();
  if (sorted.length === 0) return { landed: 0, removed: 0, conflicts: 0 };
  // One derivation of a school at a time: a run landing and rules being confirmed at once would
  // otherwise upsert the same points in different orders and deadlock. Locked in one order.
  for (const schoolId of sorted) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`derive:${schoolId}`}))`);
  }
  if (options.rulesBefore === undefined) return derivePass(tx, sorted, currentStartYear, null);
  const derivedIn = await lastDerivedIn(tx, sorted);
  const partly = sorted.filter((schoolId) => derivedIn.get(schoolId) === currentStartYear);
  const wholly = sorted.filter((schoolId) => derivedIn.get(schoolId) !== currentStartYear);
  const total = await derivePass(tx, partly, currentStartYear, options.rulesBefore);
  const whole = await derivePass(tx, wholly, currentStartYear, null);
  return {
    landed: total.landed + whole.landed,
    removed: total.removed + whole.removed,
    conflicts: total.conflicts + whole.conflicts,
  };
}

async function derivePass(
  tx: Tx,
  schoolIds: readonly string[],
  currentStartYear: number,
  rulesBefore: readonly GradeRule[] | null,
): Promise<DeriveOutcome> {
  const none = { landed: 0, removed: 0, conflicts: 0 };
  if (schoolIds.length === 0) return none;
  const subjectOf = await confirmedSubjects(tx, schoolIds);
  await readLandable(tx, schoolIds, currentStartYear, subjectOf);
  const combinations = await schoolCombinations(tx, subjectOf);
  const mapped = combinations.mapWith(await allConfirmedRules(tx));
  const partial = rulesBefore !== null;
  if (partial) {
    const changed = changedCombinations(combinations.mapWith(rulesBefore), mapped);
    if (changed.length === 0) return none;
    await keysOfChanged(tx, changed);
  }
  // After a decision on rules, the rows of the changed keys are picked out first (by hash, fenced
  // so that the planner keeps that order) and only they are mapped and ranked.
  const rowsOfKeys = partial
    ? sql`(select d.* from derive_rows d
        where (d.pupil_id, d.subject_id, d.collection_id) in (
          select pupil_id, subject_id, collection_id from derive_keys)
        offset 0)`
    : sql`derive_rows`;
  await tx.execute(sql`drop table if exists derive_winners`);
  await tx.execute(sql`
    create temp table derive_winners on commit drop as
    with m as (
      select * from jsonb_to_recordset(${JSON.stringify(mapped)}::jsonb) as m(
        aspect_id int, raw_value text, year_ordinal int, subject_id int, nx_point_id uuid,
        rule_id bigint)
    ),
    candidates as (
      select d.school_id, d.pupil_id, m.subject_id, d.collection_id, m.nx_point_id, m.rule_id,
        d.staged_id, d.source_id, d.raw_value, d.assessed_on, d.source_modified_at,
        d.last_changed_run_id
      from ${rowsOfKeys} d
      join m on ${matching()}
    )
    select *,
      row_number() over w as rank,
      min(source_id::text) over key <> max(source_id::text) over key as disputed
    from candidates
    window key as (partition by pupil_id, subject_id, collection_id),
      w as (key order by assessed_on desc nulls last, source_modified_at desc nulls last,
        staged_id desc)`);
  // The statements below look winners up by their key. Indexed and counted, the lookups stay
  // cheap whatever the planner believes about a school it has not seen before.
  await tx.execute(
    sql`create index on derive_winners (pupil_id, subject_id, collection_id) where rank = 1`,
  );
  await tx.execute(sql`analyze derive_winners (pupil_id, subject_id, collection_id, rank)`);

  const [landed] = await rows<{ n: number }>(
    tx,
    sql`
    with upserted as (
      insert into assessments (pupil_id, school_id, subject_id, collection_id, nx_point_id,
        source_id, run_id, staged_result_id, raw_value, grade_rule_id, assessed_on)
      select pupil_id, school_id, subject_id, collection_id, nx_point_id, source_id,
        last_changed_run_id, staged_id, raw_value, rule_id, assessed_on
      from derive_winners where rank = 1
      on conflict (pupil_id, subject_id, collection_id) do update set
        nx_point_id = excluded.nx_point_id, source_id = excluded.source_id,
        run_id = excluded.run_id, staged_result_id = excluded.staged_result_id,
        raw_value = excluded.raw_value, grade_rule_id = excluded.grade_rule_id,
        assessed_on = excluded.assessed_on, landed_at = now()
      where (assessments.nx_point_id, assessments.staged_result_id, assessments.grade_rule_id,
          assessments.raw_value)
        is distinct from (excluded.nx_point_id, excluded.staged_result_id,
          excluded.grade_rule_id, excluded.raw_value)
      returning 1
    )
    select count(*)::int as n from upserted`,
  );

  // A point stays while its pupil, subject and collection still has a winner, or while a run
  // that may replace it has not landed. After a decision on rules, only the changed keys can
  // lose theirs: those without a winner are found among the keys first, then looked up.
  const lost = partial
    ? sql`join (select k.pupil_id, k.subject_id, k.collection_id from derive_keys k
          where not exists (select 1 from derive_winners w where w.rank = 1
            and w.pupil_id = k.pupil_id and w.subject_id = k.subject_id
            and w.collection_id = k.collection_id)) lost
        on lost.pupil_id = a.pupil_id and lost.subject_id = a.subject_id
          and lost.collection_id = a.collection_id`
    : sql``;
  const [removed] = await rows<{ n: number }>(
    tx,
    sql`
    with gone as (
      delete from assessments a
      where a.id in (
        select a.id from assessments a
        ${lost}
        where a.school_id in ${schoolIds}
          and not exists (
            select 1 from derive_winners w where w.rank = 1 and w.pupil_id = a.pupil_id
              and w.subject_id = a.subject_id and w.collection_id = a.collection_id)
          and not exists (
            select 1 from staged_results s where s.id = a.staged_result_id and s.pending))
      returning 1
    )
    select count(*)::int as n from gone`,
  );

  const [conflicts] = await rows<{ n: number }>(
    tx,
    sql`
    with listed as (
      insert into assessment_conflicts (pupil_id, subject_id, collection_id,
        kept_staged_result_id, other_staged_result_id, reason)
      select kept.pupil_id, kept.subject_id, kept.collection_id, kept.staged_id, other.staged_id,
        'Two sources gave a point; the later assessment date was kept.'
      from derive_winners kept
      join derive_winners other on other.pupil_id = kept.pupil_id
        and other.subject_id = kept.subject_id and other.collection_id = kept.collection_id
        and other.source_id <> kept.source_id and other.rank > 1
      where kept.rank = 1 and kept.disputed
        -- Listed once; listed again only if either value changed after someone reviewed it.
        and not exists (
          select 1 from assessment_conflicts c
          join staged_results ks on ks.id = c.kept_staged_result_id
          join staged_results os on os.id = c.other_staged_result_id
          where c.kept_staged_result_id = kept.staged_id
            and c.other_staged_result_id = other.staged_id
            and (c.resolved_at is null
              or c.resolved_at >= greatest(ks.last_changed_at, os.last_changed_at)))
      returning 1
    )
    select count(*)::int as n from listed`,
  );

  await tx.execute(sql`
    insert into school_derivations (school_id, start_year, derived_at)
    select school_id, ${currentStartYear}, now()
    from unnest(${arrayLiteral(schoolIds)}::uuid[]) as derived(school_id)
    on conflict (school_id) do update
      set start_year = excluded.start_year, derived_at = excluded.derived_at`);
  return { landed: landed?.n ?? 0, removed: removed?.n ?? 0, conflicts: conflicts?.n ?? 0 };
}

async function lastDerivedIn(tx: Tx, schoolIds: readonly string[]) {
  const found = await rows<{ school_id: string; start_year: number }>(
    tx,
    sql`select school_id, start_year from school_derivations where school_id in ${schoolIds}`,
  );
  return new Map(found.map((row) => [row.school_id, row.start_year]));
}

/** The combinations whose point or rule differs between two mappings, either way round. */
function changedCombinations(before: readonly Mapped[], after: readonly Mapped[]) {
  const key = (each: Mapped) => `${each.aspect_id}|${each.year_ordinal}|${each.raw_value}`;
  const was = new Map(before.map((each) => [key(each), each]));
  const now = new Map(after.map((each) => [key(each), each]));
  const changed: Mapped[] = [];
  for (const [combination, mapped] of now) {
    const old = was.get(combination);
    if (!old || old.nx_point_id !== mapped.nx_point_id || old.rule_id !== mapped.rule_id) {
      changed.push(mapped);
    }
  }
  for (const [combination, old] of was) if (!now.has(combination)) changed.push(old);
  return changed;
}

/**
 * The pupil, subject and collection of every result of the school in a changed combination: the
 * points the decision can change, and no others. Each is derived again from all its candidates
 * (another source's result for the same point may now win), found by equality alone, so that the
 * derivation below joins them by hash whatever the school's size.
 */
async function keysOfChanged(tx: Tx, changed: readonly Mapped[]) {
  await tx.execute(sql`drop table if exists derive_keys`);
  await tx.execute(sql`
    create temp table derive_keys on commit drop as
    with m as (
      select * from jsonb_to_recordset(${JSON.stringify(changed)}::jsonb) as m(
        aspect_id int, raw_value text, year_ordinal int, subject_id int)
    )
    select distinct d.pupil_id, d.subject_id, d.collection_id
    from derive_rows d
    join m on ${matching()}`);
  await tx.execute(sql`create index on derive_keys (pupil_id, subject_id, collection_id)`);
  await tx.execute(sql`analyze derive_keys`);
}

/**
 * The schools' landable results, read once into `derive_rows` for every step of the derivation:
 * each with its pupil, the subject its aspect is confirmed as, its year group as an ordinal in the
 * school year of its collection, and the collection it lands in (the school's baseline, where it
 * has one for that term). Results of aspects with no confirmed subject are not read. A source's
 * pupils are only ever linked to pupils of its own school; saying so lets the planner read just
 * those schools' pupils rather than hash the whole trust's roll. The steps below join it only to
 * the mapped combinations and the changed keys, by hash; planned on its size on disk, they need
 * no statistics of it (gathering them cost more than the steps they would plan). A school with
 * no subject confirmed yet lands nothing, and its results are not read at all.
 */
async function readLandable(
  tx: Tx,
  schoolIds: readonly string[],
  currentStartYear: number,
  subjectOf: SubjectsOfAspects,
) {
  const reading = schoolIds.filter((schoolId) => subjectOf.schools.has(schoolId));
  const aspectIds = [...subjectOf.aspects.keys()];
  const subjectIds = aspectIds.map((aspectId) => subjectOf.aspects.get(aspectId)!.subjectId);
  await tx.execute(sql`drop table if exists derive_rows`);
  await tx.execute(sql`
    create temp table derive_rows on commit drop as
    select sr.school_id, sr.id as staged_id, sp.pupil_id, sr.aspect_id, a.subject_id,
      sr.raw_value,
      (p.nc_year_ordinal - (${currentStartYear}::int - ay.start_year))::int as year_ordinal,
      coalesce(baseline.id, sr.collection_id) as collection_id, sr.source_id, sr.assessed_on,
      sr.source_modified_at, sr.last_changed_run_id
    from staged_results sr
    join unnest(${arrayLiteral(aspectIds)}::int[], ${arrayLiteral(subjectIds)}::int[])
      as a(aspect_id, subject_id) on a.aspect_id = sr.aspect_id
    join source_pupils sp on sp.source_id = sr.source_id
      and sp.external_id = sr.pupil_external_id and sp.pupil_id is not null
    join pupils p on p.id = sp.pupil_id and p.school_id = sr.school_id
    join collections c on c.id = sr.collection_id
    join academic_years ay on ay.id = c.academic_year_id
    left join collections baseline on baseline.kind = 'baseline'
      and baseline.school_id = sr.school_id and baseline.term_id = c.term_id
    where ${reading.length > 0 ? sql`sr.school_id in ${reading}` : sql`false`}
      and not sr.pending and sr.retracted_at is null`);
}

/** A row of `derive_rows` (as `d`) against the mapped combinations in `m`: aspect, value, year. */
function matching(): SQL {
  return sql`m.aspect_id = d.aspect_id and m.raw_value = d.raw_value
    and m.year_ordinal is not distinct from d.year_ordinal`;
}

/**
 * Each distinct (aspect, value, year) of the schools' landable results, read once, and a way to
 * map them all through a set of rules: each by the rules that apply at its school.
 */
async function schoolCombinations(tx: Tx, subjectOf: SubjectsOfAspects) {
  const combinations =
    subjectOf.schools.size === 0
      ? []
      : await rows<Combination & { school_id: string }>(
          tx,
          sql`select school_id, aspect_id, raw_value, year_ordinal from derive_rows
            group by 1, 2, 3, 4`,
        );

  const mapWith = (rules: readonly GradeRule[]) => {
    const atSchool = new Map<string, GradeRule[]>();
    const mapped: Mapped[] = [];
    for (const { school_id: schoolId, ...combination } of combinations) {
      const aspect = subjectOf.aspects.get(combination.aspect_id);
      if (!aspect) continue;
      let applying = atSchool.get(schoolId);
      if (!applying) {
        applying = rulesAtSchool(rules, schoolId);
        atSchool.set(schoolId, applying);
      }
      const match = mapGrade(applying, {
        schoolId,
        subjectId: aspect.subjectId,
        aspectId: combination.aspect_id,
        gradeSet: aspect.gradeSet,
        value: combination.raw_value,
        yearOrdinal: combination.year_ordinal,
      });
      if (!match) continue;
      mapped.push({
        ...combination,
        subject_id: aspect.subjectId,
        nx_point_id: match.nxPointId,
        rule_id: match.ruleId,
      });
    }
    return mapped;
  };
  return { mapWith };
}

/** The confirmed subject of each aspect of the schools, and the schools with any. */
interface SubjectsOfAspects {
  aspects: Map<number, { subjectId: number; gradeSet: string | null }>;
  schools: Set<string>;
}

async function confirmedSubjects(tx: Tx, schoolIds: readonly string[]): Promise<SubjectsOfAspects> {
  const found = await tx
    .select({
      schoolId: aspects.schoolId,
      aspectId: subjectMappings.aspectId,
      subjectId: subjectMappings.subjectId,
      gradeSet: aspects.gradeSet,
    })
    .from(subjectMappings)
    .innerJoin(aspects, eq(aspects.id, subjectMappings.aspectId))
    .where(
      and(
        inArray(aspects.schoolId, [...schoolIds]),
        eq(subjectMappings.status, 'confirmed'),
        eq(subjectMappings.ignored, false),
      ),
    );
  const subjectOf: SubjectsOfAspects = { aspects: new Map(), schools: new Set() };
  for (const row of found) {
    if (row.subjectId === null) continue;
    subjectOf.aspects.set(row.aspectId, { subjectId: row.subjectId, gradeSet: row.gradeSet });
    subjectOf.schools.add(row.schoolId);
  }
  return subjectOf;
}

/** Every confirmed rule of the trust, each school's and the library's. */
export async function allConfirmedRules(tx: Tx): Promise<GradeRule[]> {
  const found = await tx.select().from(gradeRules).where(eq(gradeRules.status, 'confirmed'));
  return found.map((rule) => ({
    ...rule,
    rangeMin: rule.rangeMin === null ? null : Number(rule.rangeMin),
    rangeMax: rule.rangeMax === null ? null : Number(rule.rangeMax),
  }));
}

/** Of every confirmed rule, those that can apply at the school. */
function rulesAtSchool(rules: readonly GradeRule[], schoolId: string): GradeRule[] {
  return rules.filter((rule) => rule.schoolId === null || rule.schoolId === schoolId);
}
