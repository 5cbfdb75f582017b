import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReady, MIGRATIONS_FOLDER, openDatabase, rows } from '../../src/db/index.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { createSchool } from '../support/fixtures.ts';

describe('the database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await testDatabase();
  });
  afterAll(() => database.close());

  it('is ready once migrated, and migrating again applies nothing', async () => {
    expect(await isReady(database.db)).toBe(true);
    expect(await applyMigrations(database.db, MIGRATIONS_FOLDER)).toBe(0);
  });

  it('returns counts as numbers on either engine when cast in SQL', async () => {
    await createSchool(database.db);
    const [count] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from schools`,
    );
    expect(count).toEqual({ n: 1 });
  });

  it('returns dates as ISO strings on either engine', async () => {
    const [school] = await database.db.query.schools.findMany({ limit: 1 });
    expect(school?.joinedTrustOn).toBe('2019-09-01');
  });

  it('refuses a second school with the same URN', async () => {
    await expect(createSchool(database.db, { laestab: '8019999' })).rejects.toThrow();
  });
});

describe('an unmigrated database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await testDatabase({ migrate: false });
  });
  afterAll(() => database.close());

  it('is not ready', async () => {
    expect(await isReady(database.db)).toBe(false);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('two instances starting at once', () => {
  let scratch: TestDatabase;
  beforeAll(async () => {
    scratch = await testDatabase({ migrate: false });
  });
  afterAll(() => scratch.close());

  it('migrate exactly once between them', async () => {
    const [first, second] = await Promise.all([
      openDatabase({ url: scratch.url, dataDir: 'memory', migrate: false }),
      openDatabase({ url: scratch.url, dataDir: 'memory', migrate: false }),
    ]);
    try {
      const applied = await Promise.all([
        applyMigrations(first.db, MIGRATIONS_FOLDER),
        applyMigrations(second.db, MIGRATIONS_FOLDER),
      ]);
      const [journal] = await rows<{ n: number }>(
        first.db,
        sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
      );
      expect(applied.sort()).toEqual([0, journal!.n]);
      expect(journal!.n).toBeGreaterThan(0);
      expect(await isReady(second.db)).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
