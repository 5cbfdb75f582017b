import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { ExtractTablesWithRelations } from 'drizzle-orm/relations';
import postgres from 'postgres';
import { applyMigrations, migrationsPending } from './migrate.ts';
import * as schema from './schema.ts';

/**
 * The one place that knows which engine the service runs on: PostgreSQL through postgres.js, or
 * PGlite embedded in the process. Everything else receives a drizzle instance of type `Db`.
 */

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or a transaction on it. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  engine: 'postgres' | 'pglite';
  /** Connections the engine allows at once: 1 for PGlite. */
  poolSize: number;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A PostgreSQL URL, or null for PGlite. */
  url: string | null;
  /** Where PGlite keeps its files, or 'memory'. */
  dataDir: string;
  poolSize?: number;
  /** Apply pending migrations on open (the default). */
  migrate?: boolean;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = options.url
    ? openPostgres(options.url, options.poolSize ?? 10)
    : await openPglite(options.dataDir);
  if (options.migrate !== false) {
    try {
      await applyMigrations(database.db, MIGRATIONS_FOLDER);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

function openPostgres(url: string, poolSize: number): Database {
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    // Just-in-time compilation costs a second or more on a report's first read of a large
    // trust and never pays that back on queries of this size; a school's history of points
    // sorts in memory rather than on disk.
    connection: { application_name: 'next-steps-sync', jit: 'off', work_mem: '16MB' },
  });
  return {
    db: drizzlePostgres({ client, schema }),
    engine: 'postgres',
    poolSize,
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir === 'memory';
  const directory = inMemory ? undefined : path.resolve(dataDir, 'pglite');
  if (directory) mkdirSync(directory, { recursive: true });
  const client = await PGlite.create(directory ? { dataDir: directory } : {});
  return {
    db: drizzlePglite({ client, schema }),
    engine: 'pglite',
    poolSize: 1,
    close: () => client.close(),
  };
}

/** True when the database answers and every migration in the folder has been applied. */
export async function isReady(db: Db): Promise<boolean> {
  try {
    return !(await migrationsPending(db, MIGRATIONS_FOLDER));
  } catch {
    return false;
  }
}

// What postgres.js and the socket say when the server has gone (restarted, failed over or out
// of reach), and the SQLSTATEs of a server shutting down or still starting up.
const CONNECTION_LOST = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
]);

/**
 * True when the error, or one it wraps, says the database itself went away rather than that a
 * statement was wrong: the work can be done again once it is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let cause = error;
  // drizzle wraps the driver's error once; a few levels is all any wrapper goes.
  for (let depth = 0; depth < 4 && typeof cause === 'object' && cause !== null; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_LOST.has(code) || code.startsWith('08'))) {
      return true;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

export { rows } from './rows.ts';
export { schema };
