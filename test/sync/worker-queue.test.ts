import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/rows.ts';
import { queueUpload, SyncWorker } from '../../src/sync/worker.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST, testEngine } from '../support/engine.ts';
import { createSchool, createSource, seedTrust } from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';

const SCHOOLS = 3;

/** A school's autumn return: thirty Year 2 pupils with reading and maths. */
function returnFor(establishment: number) {
  const lines = ['UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading,Maths'];
  for (let n = 1; n <= 30; n += 1) {
    lines.push(
      `${makeUpn(801, establishment, 19, n)},Pupil${n},Test,14/03/2020,Y2,27/11/2026,EXS,WTS`,
    );
  }
  return lines.join('\r\n');
}

let database: TestDatabase;
const schoolIds: string[] = [];

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  for (let n = 0; n < SCHOOLS; n += 1) {
    const school = await createSchool(database.db, {
      name: `Willow Academy ${n + 1}`,
      urn: String(140300 + n),
      laestab: String(8014300 + n),
    });
    schoolIds.push(school.id);
    const source = await createSource(database.db, school.id);
    await queueUpload(
      database.db,
      ANALYST,
      source,
      {
        fileName: `autumn-${n}.csv`,
        bytes: Buffer.from(returnFor(4300 + n)),
        contentType: 'text/csv',
      },
      30,
    );
  }
});
afterAll(() => database.close());

describe('the sync worker', () => {
  it('starts the next waiting run as one ends, and counts reports once the queue is quiet', async () => {
    const worker = new SyncWorker(testEngine(database), { concurrency: 1 });
    await worker.tick();
    await worker.idle();
    // One tick, room for one run at a time: every upload was still run, one after another.
    const runs = await rows<{ school_id: string; status: string; finished_at: string }>(
      database.db,
      sql`select school_id, status, finished_at::text from sync_runs order by finished_at`,
    );
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(new Set(runs.map((run) => run.school_id))).toEqual(new Set(schoolIds));

    await worker.reportsCounted();
    const counted = await rows<{ school_id: string; current: boolean }>(
      database.db,
      sql`select r.school_id, bool_and(r.version = coalesce(v.version, 0)) as current
        from report_summaries r left join report_versions v on v.school_id = r.school_id
        group by r.school_id`,
    );
    expect(new Set(counted.map((row) => row.school_id))).toEqual(new Set(schoolIds));
    // Counted after the last run ended, not school by school while the others waited.
    const lastEnded = runs.at(-1)!.finished_at;
    const [order] = await rows<{ after: boolean }>(
      database.db,
      sql`select bool_and(c.first::timestamptz >= ${lastEnded}::timestamptz) as after
        from (select min(counted_at) as first from report_summaries group by school_id) c`,
    );
    expect(order?.after).toBe(true);
    expect(counted.every((row) => row.current)).toBe(true);
    await worker.stop();
  });
});
