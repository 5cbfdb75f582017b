import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

// biome-ignore lint/suspicious/noExplicitAny: any schema, and transactions too
type AnyExecutor = Pick<PgDatabase<PgQueryResultHKT, any>, 'execute'>;

/**
 * Runs raw SQL and returns its rows, whichever engine answers: postgres.js returns an array and
 * PGlite an object with `rows`. Cast counts in SQL (`count(*)::int`): postgres.js gives bigints as
 * strings.
 */
export async function rows<T extends Record<string, unknown>>(
  executor: AnyExecutor,
  query: SQL,
): Promise<T[]> {
  const result: unknown = await executor.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
