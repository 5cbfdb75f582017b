import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { rows } from './rows.ts';

/**
 * Applies drizzle-kit's migration files in one transaction, under an advisory lock, so that two
 * instances starting together on one PostgreSQL never both migrate: the second waits, then finds
 * nothing left to do. The bookkeeping table is drizzle's own, so drizzle-kit tools agree with it.
 */

// biome-ignore lint/suspicious/noExplicitAny: works for any schema
type AnyDb = PgDatabase<PgQueryResultHKT, any>;

const LOCK_KEY = 7_311_402_026;

export async function applyMigrations(db: AnyDb, folder: string): Promise<number> {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`);
    await tx.execute(sql`create schema if not exists drizzle`);
    await tx.execute(sql`
      create table if not exists drizzle.__drizzle_migrations (
        id serial primary key, hash text not null, created_at bigint
      )`);
    const last = await lastAppliedAt(tx as unknown as AnyDb);
    let applied = 0;
    for (const migration of migrations) {
      if (last !== null && migration.folderMillis <= last) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(sql`
        insert into drizzle.__drizzle_migrations (hash, created_at)
        values (${migration.hash}, ${migration.folderMillis})`);
      applied += 1;
    }
    return applied;
  });
}

export async function migrationsPending(db: AnyDb, folder: string): Promise<boolean> {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const newest = migrations.at(-1)?.folderMillis ?? null;
  if (newest === null) return false;
  const last = await lastAppliedAt(db);
  return last === null || last < newest;
}

async function lastAppliedAt(db: AnyDb): Promise<number | null> {
  const [table] = await rows<{ name: string | null }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations')::text as name`,
  );
  if (!table?.name) return null;
  const [newest] = await rows<{ last: string | null }>(
    db,
    sql`select max(created_at)::text as last from drizzle.__drizzle_migrations`,
  );
  return newest?.last == null ? null : Number(newest.last);
}
