import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.ts';
import { rows } from '../../src/db/rows.ts';
import { queueUpload, SyncWorker } from '../../src/sync/worker.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST, testEngine } from '../support/engine.ts';
import { createSchool, createSource, seedTrust } from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';

const SCHOOLS = 6;

function returnFor(establishment: number) {
  const lines = ['UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading,Maths'];
  for (let n = 1; n <= 40; n += 1) {
    lines.push(
      `${makeUpn(801, establishment, 19, n)},Pupil${n},Test,14/03/2020,Y2,27/11/2026,EXS,WTS`,
    );
  }
  return lines.join('\r\n');
}

let database: TestDatabase;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  for (let n = 0; n < SCHOOLS; n += 1) {
    const school = await createSchool(database.db, {
      name: `Academy ${n + 1}`,
      urn: String(140100 + n),
      laestab: String(8014100 + n),
    });
    const source = await createSource(database.db, school.id);
    await queueUpload(
      database.db,
      ANALYST,
      source,
      {
        fileName: `return-${n}.csv`,
        bytes: Buffer.from(returnFor(4100 + n)),
        contentType: 'text/csv',
      },
      30,
    );
  }
});
afterAll(() => database.close());

async function queuedRuns() {
  const [queued] = await rows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from sync_runs where status = 'queued'`,
  );
  return queued!.n;
}

describe('several service instances on one database', () => {
  it('run every queued sync exactly once between them', async () => {
    // A second instance has its own connections where the engine allows (PostgreSQL).
    const other = database.url
      ? await openDatabase({ url: database.url, dataDir: 'memory', migrate: false })
      : null;
    try {
      const first = new SyncWorker(testEngine(database, { owner: 'instance-a' }), {
        concurrency: 2,
      });
      const second = new SyncWorker(
        testEngine(other ? { ...database, db: other.db } : database, { owner: 'instance-b' }),
        { concurrency: 2 },
      );
      // Both instances tick together, as their schedules would, until the queue is empty.
      for (let round = 0; round < 10 && (await queuedRuns()) > 0; round += 1) {
        await Promise.all([first.tick(), second.tick()]);
        await Promise.all([first.idle(), second.idle()]);
      }

      const runs = await rows<{ status: string; attempt: number; starts: number }>(
        database.db,
        sql`select r.status, r.attempt,
              (select count(*)::int from sync_run_events e
               where e.run_id = r.id and e.code = 'started') as starts
            from sync_runs r`,
      );
      expect(runs).toHaveLength(SCHOOLS);
      expect(runs.map((run) => run.status)).toEqual(Array(SCHOOLS).fill('succeeded'));
      expect(runs.map((run) => run.attempt)).toEqual(Array(SCHOOLS).fill(1));
      expect(runs.map((run) => run.starts)).toEqual(Array(SCHOOLS).fill(1));
      const [pupils] = await rows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from pupils`,
      );
      expect(pupils!.n).toBe(SCHOOLS * 40);
    } finally {
      await other?.close();
    }
  });
});
