import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type Database, openDatabase } from '../../src/db/index.ts';

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or, when TEST_DATABASE_URL
 * names a PostgreSQL, a new database on that server that is dropped again on close.
 */

export interface TestDatabase extends Database {
  /** The PostgreSQL URL of this test's own database, or null on PGlite. */
  url: string | null;
}

export const testServerUrl = process.env.TEST_DATABASE_URL || null;

export async function testDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (!testServerUrl) {
    const database = await openDatabase({ url: null, dataDir: 'memory', ...options });
    return { ...database, url: null };
  }
  const url = await createScratchDatabase(testServerUrl);
  const database = await openDatabase({ url, dataDir: 'memory', poolSize: 4, ...options });
  return {
    ...database,
    url,
    close: async () => {
      await database.close();
      await dropScratchDatabase(testServerUrl, url);
    },
  };
}

export async function createScratchDatabase(serverUrl: string): Promise<string> {
  const name = `nss_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropScratchDatabase(serverUrl: string, url: string) {
  const name = new URL(url).pathname.slice(1);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}
