import { and, eq, inArray, sql } from 'drizzle-orm';
import type { SourceAspect, SourceDeletion, SourceResult } from '../connectors/contract.ts';
import { probeEach, records } from '../db/bulk.ts';
import type { Tx } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import { aspects, sourcePupils, stagedResults } from '../db/schema.ts';
import { resolveCollection } from '../domain/school-year.ts';
import { fingerprint } from './fingerprint.ts';
import { collectionKey, type PageCounts, type StagingScope } from './staging-scope.ts';

/**
 * Staging a page of results exactly as the school wrote them, each placed in a collection by its
 * label and date. Re-pulling an unchanged result writes nothing; a changed one is marked pending
 * until its run lands.
 */

type StagedInsert = typeof stagedResults.$inferInsert;

export async function stageResults(
  tx: Tx,
  scope: StagingScope,
  page: SourceResult[],
  location: string,
  counts: PageCounts,
) {
  const results = page.filter((result) => result.value.trim() !== '');
  counts.resultsSeen += results.length;
  if (results.length === 0) return;

  const aspectIds = await ensureAspects(
    tx,
    scope,
    results.map((result) => result.aspect),
  );
  const staged: StagedInsert[] = [];
  const seenInPage = new Set<string>();
  for (const result of results) {
    // A source that lists one result twice in a page gives it once.
    if (seenInPage.has(result.externalId)) continue;
    seenInPage.add(result.externalId);
    staged.push(toRow(scope, result, aspectIds.get(result.aspect.key)!, location, counts));
  }

  const known = await rows<{
    external_id: string;
    fingerprint: string;
    retracted_at: string | null;
    pending: boolean;
    last_changed_run_id: string | null;
  }>(
    tx,
    probeEach(
      staged.map((row) => row.externalId),
      (id) => sql`
        select external_id, fingerprint, retracted_at, pending, last_changed_run_id
        from staged_results where source_id = ${scope.sourceId} and external_id = ${id}`,
    ),
  );
  const byExternalId = new Map(known.map((row) => [row.external_id, row]));

  const changed: StagedInsert[] = [];
  for (const row of staged) {
    const before = byExternalId.get(row.externalId);
    if (!before) {
      changed.push(row);
      counts.resultsNew += 1;
    } else if (
      before.fingerprint !== row.fingerprint ||
      before.retracted_at !== null ||
      staleChange(before, scope.runId)
    ) {
      changed.push(row);
      counts.resultsChanged += 1;
    } else {
      counts.resultsUnchanged += 1;
    }
  }
  if (changed.length === 0) return;
  // The new and the changed in one statement; an unchanged result is not written at all.
  const written = records(stagedResults, changed);
  await tx.execute(sql`
    insert into staged_results ${written.columns}
    ${written.select}
    on conflict (source_id, external_id) do update set
      pupil_external_id = excluded.pupil_external_id, aspect_id = excluded.aspect_id,
      raw_value = excluded.raw_value, assessed_on = excluded.assessed_on,
      period_label = excluded.period_label, source_modified_at = excluded.source_modified_at,
      fingerprint = excluded.fingerprint, collection_id = excluded.collection_id,
      pending = true, last_changed_run_id = excluded.last_changed_run_id,
      retracted_at = null, last_changed_at = now()`);
}

/**
 * A change staged by a run that failed before landing it has not landed yet: it is this run's
 * change, counted and landed as this run's, not an unchanged result.
 */
function staleChange(
  known: { pending: boolean; last_changed_run_id: string | null },
  runId: string,
) {
  return known.pending && known.last_changed_run_id !== runId;
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
  aspectId: number,
  location: string,
  counts: PageCounts,
): StagedInsert {
  const value = result.value.trim();
  return {
    sourceId: scope.sourceId,
    schoolId: scope.schoolId,
    externalId: result.externalId,
    pupilExternalId: result.pupilExternalId,
    aspectId,
    rawValue: value,
    assessedOn: result.assessedOn,
    periodLabel: result.periodLabel,
    sourceModifiedAt: result.modifiedAt ? new Date(result.modifiedAt) : null,
    // The source's own modified time is not content: a touched but unchanged result is unchanged.
    fingerprint: fingerprint({
      pupil: result.pupilExternalId,
      aspect: result.aspect.key,
      value,
      assessedOn: result.assessedOn,
      periodLabel: result.periodLabel,
      collection: scope.collectionOverride,
    }),
    collectionId: placeResult(scope, result, location, counts),
    pending: true,
    lastChangedRunId: scope.runId,
  };
}

function placeResult(
  scope: StagingScope,
  result: SourceResult,
  location: string,
  counts: PageCounts,
): number | null {
  if (scope.collectionOverride !== null) return scope.collectionOverride;
  const placed = resolveCollection(scope.years, {
    label: result.periodLabel ?? undefined,
    date: result.assessedOn ?? undefined,
  });
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

async function ensureAspects(
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
