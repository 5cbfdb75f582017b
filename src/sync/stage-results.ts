import { createHash } from 'node:crypto';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { SourceAspect, SourceDeletion, SourceResult } from '../connectors/contract.ts';
import { arrayLiteral, probeEach, records } from '../db/bulk.ts';
import type { Executor, Tx } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import { aspects, sourcePupils, stagedResults } from '../db/schema.ts';
import { resolveCollection } from '../domain/school-year.ts';
import { fingerprint } from './fingerprint.ts';
import { collectionKey, type PageCounts, type StagingScope } from './staging-scope.ts';

/**
 * Staging a page of results exactly as the school wrote them, each placed in a collection by its
 * label and date. Re-pulling an unchanged result writes nothing; a changed one is marked pending
 * until its run lands.
 *
 * A page is staged by one statement, which also closes the page (`closePage`): the page's rows
 * arrive as arrays, are looked up by their ids, and only the new and the changed are written,
 * counted as they are. A page whose aspects are known and which has no problems to record is
 * that statement alone, atomic on its own; any other page runs it in a transaction after writing
 * its aspects and problems.
 */

type StagedInsert = typeof stagedResults.$inferInsert;

/** What a page gives of each of its results; the run, source and school are the page's. */
type PageRow = Pick<
  StagedInsert,
  | 'externalId'
  | 'pupilExternalId'
  | 'rawValue'
  | 'assessedOn'
  | 'periodLabel'
  | 'sourceModifiedAt'
  | 'fingerprint'
  | 'collectionId'
> & { aspectKey: string };

export interface ResultsPage {
  /** The page's rows, each with its aspect's key until the aspect's id is known. */
  rows: PageRow[];
  aspects: SourceAspect[];
}

/** The page's rows as they would be staged, and its problems counted. Nothing is read. */
export function readResultsPage(
  scope: StagingScope,
  page: SourceResult[],
  location: string,
  counts: PageCounts,
): ResultsPage {
  const results = page.filter((result) => result.value.trim() !== '');
  counts.resultsSeen += results.length;
  const rows: ResultsPage['rows'] = [];
  const seenInPage = new Set<string>();
  for (const result of results) {
    // A source that lists one result twice in a page gives it once.
    if (seenInPage.has(result.externalId)) continue;
    seenInPage.add(result.externalId);
    rows.push(toRow(scope, result, location, counts));
  }
  return { rows, aspects: results.map((result) => result.aspect) };
}

/**
 * The page without the results already staged as they are, which are counted unchanged: for a
 * page that is likely to be mostly unchanged, asking which of its ids and fingerprints differ
 * from what is staged is cheaper than sending every row to be compared by the database. `also`
 * is written by the same statement, with the page's ids as `given` (the run's seen ids, say).
 */
export async function withoutUnchanged(
  executor: Executor,
  scope: StagingScope,
  page: ResultsPage,
  counts: PageCounts,
  also: ((given: SQL) => SQL) | null = null,
): Promise<ResultsPage> {
  if (page.rows.length === 0) return page;
  const ids = arrayLiteral(page.rows.map((row) => row.externalId));
  // Half of each fingerprint (128 bits) tells a changed row as surely, in half the bytes.
  const fingerprints = arrayLiteral(
    page.rows.map((row) => row.fingerprint.slice(0, LOOKUP_FINGERPRINT)),
  );
  const collections = arrayLiteral(page.rows.map((row) => row.collectionId));
  const stagedHalf = sql`left(k.fingerprint, ${sql.raw(String(LOOKUP_FINGERPRINT))})`;
  const differing = await rows<{ external_id: string }>(
    executor,
    sql`with given as (
        select * from unnest(${ids}::text[], ${fingerprints}::text[], ${collections}::int[])
          as g(external_id, fingerprint, collection_id))
      ${also ? sql`, ${also(sql`given`)}` : sql``}
      select g.external_id from given g
      left join lateral (${stagedAs(scope)}) k on true
      where ${stagedDiffers(scope, stagedHalf)}`,
  );
  const changedIds = new Set(differing.map((row) => row.external_id));
  const changed = page.rows.filter((row) => changedIds.has(row.externalId));
  counts.resultsUnchanged += page.rows.length - changed.length;
  return { ...page, rows: changed };
}

/**
 * A page's digest, of each row's fingerprint, collection and id in the page's order: two pages
 * with one digest stage the same rows. Null for a page whose rows are not its results one for one
 * (a result left blank, or listed twice), whose seen ids it would not stand for.
 */
export function pageDigest(page: ResultsPage, listed: number): string | null {
  if (page.rows.length === 0 || page.rows.length !== listed) return null;
  const hash = createHash('sha256');
  for (const row of page.rows) {
    hash.update(`${row.fingerprint}${row.collectionId ?? ''}/${row.externalId}\n`);
  }
  return hash.digest('hex');
}

/** Hex digits of a fingerprint that a page's lookup sends and compares. */
const LOOKUP_FINGERPRINT = 32;

/**
 * The staged row of the source with the external id of `g`, looked up on its own (`offset 0`):
 * see `probeEach`.
 */
function stagedAs(scope: StagingScope): SQL {
  return sql`select s.external_id, s.fingerprint, s.collection_id, s.retracted_at, s.pending,
      s.last_changed_run_id
    from staged_results s
    where s.source_id = ${scope.sourceId} and s.external_id = g.external_id
    offset 0`;
}

/**
 * Whether the row `g` must be staged over what is staged for it (`k`, null when nothing is): it
 * is new, its content changed, it is placed in another collection (the school year's calendar
 * has changed since: a year added lets in a result that had no collection), it was retracted, or
 * a run that failed before landing it staged it (`pending`, by another run): that change has not
 * landed and is this run's. `staged` is the staged fingerprint as `g` gives it (a page's lookup
 * gives half of it).
 */
function stagedDiffers(scope: StagingScope, staged: SQL = sql`k.fingerprint`): SQL {
  return sql`${staged} is distinct from g.fingerprint
    or k.collection_id is distinct from g.collection_id or k.retracted_at is not null
    or (k.pending and k.last_changed_run_id is distinct from ${scope.runId}::uuid)`;
}

/** The ids of the page's aspects when this run knows them all as they are now; else null. */
export function knownAspectIds(
  scope: StagingScope,
  seen: readonly SourceAspect[],
): Map<string, number> | null {
  const ids = new Map<string, number>();
  for (const aspect of seen) {
    const known = scope.aspects.get(aspect.key);
    if (!known || known.name !== aspect.name || known.gradeSet !== aspect.gradeSet) return null;
    ids.set(aspect.key, known.id);
  }
  return ids;
}

/** Columns of the run's progress the statement adds to, by how much (as SQL). */
export type StagedCounts = Record<'results_new' | 'results_changed' | 'results_unchanged', SQL>;

/**
 * The common table expressions that stage the page, for the page's closing statement, and the
 * counts they add. A known result is written again only when it differs (`stagedDiffers`).
 */
export function resultsStatement(
  scope: StagingScope,
  page: ResultsPage,
  aspectIds: ReadonlyMap<string, number>,
): { ctes: (open: SQL) => SQL; counts: StagedCounts; changed: SQL } | null {
  if (page.rows.length === 0) return null;
  const given = records(
    stagedResults,
    page.rows.map(({ aspectKey, ...row }) => ({ ...row, aspectId: aspectIds.get(aspectKey)! })),
  );
  // New rows are inserted as they are, without the work of watching for a conflict: a source's
  // rows are written only by its run that holds the lease, so a row the lookup did not find is
  // not there.
  const written = (name: string, which: SQL) => sql`${sql.identifier(name)} as (
      insert into staged_results (source_id, school_id, external_id, pupil_external_id,
        aspect_id, raw_value, assessed_on, period_label, source_modified_at, fingerprint,
        collection_id, pending, last_changed_run_id)
      select ${scope.sourceId}::uuid, ${scope.schoolId}::uuid, external_id, pupil_external_id,
        aspect_id, raw_value, assessed_on, period_label, source_modified_at, fingerprint,
        collection_id, true, ${scope.runId}::uuid
      from changed where ${which}`;
  // `open`: whether the run may still write, which the closing statement works out.
  const ctes = (open: SQL) => sql`
    given as (${given.select}),
    known as (select k.* from given g cross join lateral (${stagedAs(scope)}) k),
    changed as (
      select g.*, k.external_id is null as new
      from given g left join known k on k.external_id = g.external_id
      where ${open} and (${stagedDiffers(scope)})),
    ${written('added', sql`new`)}),
    ${written('rewritten', sql`not new`)}
      on conflict (source_id, external_id) do update set
        pupil_external_id = excluded.pupil_external_id, aspect_id = excluded.aspect_id,
        raw_value = excluded.raw_value, assessed_on = excluded.assessed_on,
        period_label = excluded.period_label, source_modified_at = excluded.source_modified_at,
        fingerprint = excluded.fingerprint, collection_id = excluded.collection_id,
        pending = true, last_changed_run_id = excluded.last_changed_run_id,
        retracted_at = null, last_changed_at = now())`;
  return {
    ctes,
    counts: {
      results_new: sql`(select count(*) from changed where new)::int`,
      results_changed: sql`(select count(*) from changed where not new)::int`,
      results_unchanged: sql`(${page.rows.length} - (select count(*) from changed))::int`,
    },
    changed: sql`(select count(*) from changed)::int`,
  };
}

/** Deletions the source reports: results are retracted, pupils unlinked from this source. */
export async function stageDeletions(
  tx: Tx,
  scope: StagingScope,
  deletions: SourceDeletion[],
  counts: PageCounts,
) {
  const resultIds = deletions.filter((d) => d.entity === 'result').map((d) => d.externalId);
  const pupilIds = deletions.filter((d) => d.entity === 'pupil').map((d) => d.externalId);
  if (resultIds.length > 0) {
    const retracted = await tx
      .update(stagedResults)
      .set({ retractedAt: new Date(), pending: true, lastChangedRunId: scope.runId })
      .where(
        inArray(
          stagedResults.id,
          probeEach(
            resultIds,
            (id) => sql`select id from staged_results
              where source_id = ${scope.sourceId} and external_id = ${id} and retracted_at is null`,
          ),
        ),
      )
      .returning({ id: stagedResults.id });
    counts.resultsRetracted += retracted.length;
  }
  if (pupilIds.length > 0) {
    await tx
      .update(sourcePupils)
      .set({ removedAt: new Date(), lastChangedRunId: scope.runId })
      .where(
        inArray(
          sourcePupils.id,
          probeEach(
            pupilIds,
            (id) => sql`select id from source_pupils
              where source_id = ${scope.sourceId} and external_id = ${id} and removed_at is null`,
          ),
        ),
      );
  }
}

function toRow(
  scope: StagingScope,
  result: SourceResult,
  location: string,
  counts: PageCounts,
): PageRow {
  const value = result.value.trim();
  return {
    externalId: result.externalId,
    pupilExternalId: result.pupilExternalId,
    aspectKey: result.aspect.key,
    rawValue: value,
    assessedOn: result.assessedOn,
    periodLabel: result.periodLabel,
    sourceModifiedAt: result.modifiedAt ? new Date(result.modifiedAt) : null,
    // The source's own modified time is not content: a touched but unchanged result is unchanged.
    // Written in key order, which the fingerprint keeps to without sorting.
    fingerprint: fingerprint({
      aspect: result.aspect.key,
      assessedOn: result.assessedOn,
      collection: scope.collectionOverride,
      periodLabel: result.periodLabel,
      pupil: result.pupilExternalId,
      value,
    }),
    collectionId: placeResult(scope, result, location, counts),
  };
}

function placeResult(
  scope: StagingScope,
  result: SourceResult,
  location: string,
  counts: PageCounts,
): number | null {
  if (scope.collectionOverride !== null) return scope.collectionOverride;
  const placed = placement(scope, result.periodLabel, result.assessedOn);
  const id = placed.ok ? scope.collections.get(collectionKey(placed.startYear, placed.term)) : null;
  if (id !== undefined && id !== null) return id;
  counts.problems.push({
    location,
    row: null,
    field: 'collection',
    code: 'result_unplaced',
    message:
      `Result ${result.externalId} (${result.aspect.name}) could not be placed in a collection: ` +
      (placed.ok
        ? `the ${placed.term} term of ${placed.startYear}/${(placed.startYear + 1) % 100} ` +
          'is not in the school year calendar; the trust admin can add that year.'
        : placed.reason),
  });
  return null;
}

/** The collection a label and date place a result in, worked out once a run for each pair. */
function placement(scope: StagingScope, label: string | null, date: string | null) {
  // An empty label or date places a result as a missing one does.
  const key = `${label ?? ''}\u0000${date ?? ''}`;
  let placed = scope.placements.get(key);
  if (!placed) {
    placed = resolveCollection(scope.years, {
      label: label ?? undefined,
      date: date ?? undefined,
    });
    // A source with a date of its own on every result gives thousands; they are few again soon.
    if (scope.placements.size >= MAX_PLACEMENTS) scope.placements.clear();
    scope.placements.set(key, placed);
  }
  return placed;
}

const MAX_PLACEMENTS = 10_000;

/** The page's aspects found or written, as ids by key. */
export async function ensureAspects(
  tx: Tx,
  scope: StagingScope,
  seen: SourceAspect[],
): Promise<Map<string, number>> {
  const unique = new Map(seen.map((aspect) => [aspect.key, aspect]));
  const ids = new Map<string, number>();
  const unknown: string[] = [];
  for (const [key, aspect] of unique) {
    const known = scope.aspects.get(key);
    if (known && known.name === aspect.name && known.gradeSet === aspect.gradeSet) {
      ids.set(key, known.id);
    } else {
      unknown.push(key);
    }
  }
  if (unknown.length === 0) return ids;

  const rows = await tx
    .select()
    .from(aspects)
    .where(and(eq(aspects.sourceId, scope.sourceId), inArray(aspects.key, unknown)));
  for (const row of rows) {
    const latest = unique.get(row.key)!;
    ids.set(row.key, row.id);
    scope.aspects.set(row.key, { id: row.id, name: latest.name, gradeSet: latest.gradeSet });
    if (row.name === latest.name && row.gradeSet === latest.gradeSet) continue;
    await tx
      .update(aspects)
      .set({ name: latest.name, gradeSet: latest.gradeSet, lastSeenAt: new Date() })
      .where(eq(aspects.id, row.id));
  }
  const missing = unknown.filter((key) => !ids.has(key)).map((key) => unique.get(key)!);
  if (missing.length > 0) {
    const created = await tx
      .insert(aspects)
      .values(
        missing.map((aspect) => ({
          sourceId: scope.sourceId,
          schoolId: scope.schoolId,
          key: aspect.key,
          name: aspect.name,
          gradeSet: aspect.gradeSet,
        })),
      )
      .returning({ id: aspects.id, key: aspects.key });
    for (const row of created) {
      const aspect = unique.get(row.key)!;
      ids.set(row.key, row.id);
      scope.aspects.set(row.key, { id: row.id, name: aspect.name, gradeSet: aspect.gradeSet });
    }
  }
  return ids;
}
