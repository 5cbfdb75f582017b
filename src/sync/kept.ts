import { sql } from 'drizzle-orm';
import { textAsBytes } from '../db/bytes.ts';
import type { Executor } from '../db/index.ts';
import { rows } from '../db/rows.ts';

/**
 * Reconciliation kept per school. What a school's missing pupils, unmapped values and progress
 * come to is worked out again only when one of its versions has moved since it was kept:
 * triggers move the report version on any change to its pupils, landed points, the scale,
 * subjects or collections (migration 0001), and the reconcile version on any change to its
 * staged results, source links, aspects, subject mappings, rules, sources or runs' outcomes
 * (migration 0004). Both come from one sequence, so the greater of the two moves whenever either
 * does.
 *
 * The version is read before the work is done, so what is kept under a version can only be newer
 * than it: a reader who finds the version moved works it out again.
 */

/** A school's current version, of its `report_versions` row `v`: the greater of its two. */
const CURRENT_VERSION = sql`greatest(coalesce(v.version, 0), coalesce(v.reconcile_version, 0))`;

interface KeptRow extends Record<string, unknown> {
  school_id: string;
  rows: unknown;
}

export async function keptPerSchool<T>(
  executor: Executor,
  read: { kind: string; scope: string },
  schoolIds: readonly string[],
  work: (schoolId: string) => Promise<T>,
): Promise<Map<string, T>> {
  const kept = new Map<string, T>();
  if (schoolIds.length === 0) return kept;
  const ids = [...new Set(schoolIds)];
  const found = await rows<KeptRow & { version: string; kept_version: string | null }>(
    executor,
    sql`select s.id as school_id, ${CURRENT_VERSION}::text as version,
          k.version::text as kept_version, k.rows
        from schools s
        left join report_versions v on v.school_id = s.id
        left join reconcile_summaries k on k.school_id = s.id
          and k.kind = ${read.kind} and k.scope = ${read.scope}
        where s.id in ${ids}`,
  );
  const versions = new Map<string, string>();
  for (const row of found) {
    versions.set(row.school_id, row.version);
    if (row.kept_version === row.version) {
      kept.set(
        row.school_id,
        (typeof row.rows === 'string' ? JSON.parse(row.rows) : row.rows) as T,
      );
    }
  }
  for (const id of ids) {
    const version = versions.get(id);
    if (kept.has(id) || version === undefined) continue;
    kept.set(
      id,
      await once(executor, `${read.kind}|${read.scope}|${id}|${version}`, async () => {
        const value = await work(id);
        await executor.execute(sql`
        insert into reconcile_summaries (school_id, kind, scope, version, rows, counted_at)
        values (${id}::uuid, ${read.kind}, ${read.scope}, ${version}::bigint,
          ${JSON.stringify(value)}::jsonb, now())
        on conflict (school_id, kind, scope) do update
          set version = excluded.version, rows = excluded.rows, counted_at = excluded.counted_at
          where reconcile_summaries.version <= excluded.version`);
        return value;
      }),
    );
  }
  return kept;
}

/**
 * Readers who find the same school's read out of date at once, twenty people opening the
 * overview after a trust-wide rule, wait for one working-out rather than each doing it.
 */
const working = new WeakMap<object, Map<string, Promise<unknown>>>();

function once<T>(executor: Executor, key: string, work: () => Promise<T>): Promise<T> {
  let inFlight = working.get(executor);
  if (!inFlight) {
    inFlight = new Map();
    working.set(executor, inFlight);
  }
  const running = inFlight.get(key);
  if (running) return running as Promise<T>;
  const started = work().finally(() => inFlight.delete(key));
  inFlight.set(key, started);
  return started;
}

/** One school's kept read. */
export async function keptForSchool<T>(
  executor: Executor,
  read: { kind: string; scope: string },
  schoolId: string,
  work: () => Promise<T>,
  empty: T,
): Promise<T> {
  const kept = await keptPerSchool(executor, read, [schoolId], () => work());
  return kept.get(schoolId) ?? empty;
}

/**
 * One school's kept read as JSON, the bytes of the text the database keeps: for answers that
 * pass the rows on as they are, a school's thousand missing pupils are then neither parsed nor
 * written out again by the service.
 */
export async function keptJsonForSchool<T>(
  executor: Executor,
  read: { kind: string; scope: string },
  schoolId: string,
  work: () => Promise<T>,
  empty: T,
): Promise<Buffer> {
  const found = await textAsBytes(
    executor,
    sql`select k.rows::text as text
        from reconcile_summaries k
        left join report_versions v on v.school_id = k.school_id
        where k.school_id = ${schoolId} and k.kind = ${read.kind} and k.scope = ${read.scope}
          and k.version = ${CURRENT_VERSION}`,
  );
  if (found) return found;
  // Not kept under the school's current version: worked out (and kept) as any reader would.
  return Buffer.from(JSON.stringify(await keptForSchool(executor, read, schoolId, work, empty)));
}
