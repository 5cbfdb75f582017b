import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import type { Executor } from './index.ts';
import { rows } from './rows.ts';

/**
 * One text value read as its UTF-8 bytes, for answers the database writes whole (a page of
 * landed points as JSON, a kept list of missing pupils). Read as a string, half a megabyte is
 * decoded by the driver, then measured and encoded again on its way out; read as bytes, it goes
 * from the database's socket to the client's as it came. The query gives one row whose first
 * column is the text, or no row (null).
 *
 * postgres.js hands a value over undecoded when asked for raw rows; PGlite lives in the process
 * and gives a string, encoded here.
 */
const dialect = new PgDialect();

export async function textAsBytes(executor: Executor, query: SQL): Promise<Buffer | null> {
  const client = (executor as { $client?: unknown }).$client;
  if (isPostgresJs(client)) {
    const compiled = dialect.sqlToQuery(query);
    const found = await client.unsafe(compiled.sql, compiled.params as never[]).raw();
    return found[0]?.[0] ?? null;
  }
  const [found] = await rows<Record<string, string | null>>(executor, query);
  const value = found ? Object.values(found)[0] : null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : null;
}

function isPostgresJs(client: unknown): client is postgres.Sql {
  return typeof client === 'function' && typeof (client as postgres.Sql).unsafe === 'function';
}
