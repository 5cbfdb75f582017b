import { sql } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import { academicYearStartOf } from '../domain/school-year.ts';
import type { Reach } from './cohort.ts';

/**
 * Report counts kept per school and collection. A school's counts are read again from
 * `assessments` only when its report version has moved on since they were kept: triggers move
 * it whenever its pupils, landed points or targets change, or the scale, subjects or collections
 * do. The version is read before the counts, so counts kept under an old version can only be
 * newer than it, never older, and a reader who sees the new version counts again.
 */

export interface SummaryRow extends Record<string, unknown> {
  school_id: string;
  collection_id: number;
}

export async function summarised<T extends SummaryRow>(
  executor: Executor,
  read: { kind: string; variant?: string },
  reach: Reach,
  count: (reach: Reach) => Promise<T[]>,
): Promise<T[]> {
  if (reach.schoolIds.length === 0 || reach.collectionIds.length === 0) return [];
  const variant = read.variant ?? '';
  const asOfYear = academicYearStartOf(reach.today);
  const versions = new Map(
    (
      await rows<{ school_id: string; version: string }>(
        executor,
        sql`select s.id as school_id, coalesce(v.version, 0)::text as version
            from schools s left join report_versions v on v.school_id = s.id
            where s.id in ${reach.schoolIds}`,
      )
    ).map((row) => [row.school_id, row.version]),
  );
  const kept = await rows<{ school_id: string; collection_id: number; rows: T[] | string }>(
    executor,
    sql`select r.school_id, r.collection_id, r.rows
        from report_summaries r
        left join report_versions v on v.school_id = r.school_id
        where r.version = coalesce(v.version, 0)
          and r.kind = ${read.kind} and r.variant = ${variant} and r.as_of_year = ${asOfYear}
          and r.school_id in ${reach.schoolIds} and r.collection_id in ${reach.collectionIds}`,
  );
  const listOf = new Map<string, T[]>();
  for (const entry of kept) {
    const list = typeof entry.rows === 'string' ? (JSON.parse(entry.rows) as T[]) : entry.rows;
    listOf.set(`${entry.school_id}|${entry.collection_id}`, list);
  }
  // Schools by collection in the order asked for, each list in the order it was kept: the same
  // rows in the same order whether they were just counted or read back.
  const inOrder = () =>
    reach.schoolIds.flatMap((id) =>
      reach.collectionIds.flatMap((collection) => listOf.get(`${id}|${collection}`) ?? []),
    );
  const stale = reach.schoolIds.filter((id) =>
    reach.collectionIds.some((collection) => !listOf.has(`${id}|${collection}`)),
  );
  if (stale.length === 0) return inOrder();

  const staleCollections = reach.collectionIds.filter((collection) =>
    stale.some((id) => !listOf.has(`${id}|${collection}`)),
  );
  const counted = await count({ ...reach, schoolIds: stale, collectionIds: staleCollections });
  const fresh = new Map<string, T[]>();
  for (const id of stale) {
    for (const collection of staleCollections) {
      const pair = `${id}|${collection}`;
      if (!listOf.has(pair)) fresh.set(pair, []);
    }
  }
  for (const row of counted) fresh.get(`${row.school_id}|${row.collection_id}`)?.push(row);
  const values = [...fresh].map(([pair, list]) => {
    const [schoolId, collectionId] = pair.split('|');
    const sorted = inStableOrder(list);
    listOf.set(pair, sorted);
    return sql`(${schoolId}::uuid, ${read.kind}, ${Number(collectionId)}::int, ${variant},
      ${asOfYear}::smallint, ${versions.get(schoolId!) ?? '0'}::bigint,
      ${JSON.stringify(sorted)}::jsonb, now())`;
  });
  for (let start = 0; start < values.length; start += 100) {
    await executor.execute(sql`
      insert into report_summaries
        (school_id, kind, collection_id, variant, as_of_year, version, rows, counted_at)
      values ${sql.join(values.slice(start, start + 100), sql`, `)}
      on conflict (school_id, kind, collection_id, variant, as_of_year) do update
        set version = excluded.version, rows = excluded.rows, counted_at = excluded.counted_at
        where report_summaries.version <= excluded.version`);
  }
  return inOrder();
}

/** Rows sorted by their content, so that two countings of the same data keep the same order. */
function inStableOrder<T>(list: readonly T[]): T[] {
  return list
    .map((row) => ({ row, key: JSON.stringify(row) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => entry.row);
}
