import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/rows.ts';
import { stagedResults } from '../../src/db/schema.ts';
import { generateSchool, lastTerms } from '../../src/fakes/school.ts';
import { startWondeFake, type WondeFake } from '../../src/fakes/wonde/index.ts';
import { createSource } from '../../src/sync/sources.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST, pullAndRun, testEngine } from '../support/engine.ts';
import { createSchool, seedTrust } from '../support/fixtures.ts';

/**
 * A full pull that finds almost everything as staged looks each page's ids up first and sends
 * nothing back; the ids it saw are remembered by that lookup. Whatever the school's system no
 * longer lists is retracted at the end, and nothing it still lists.
 */

let database: TestDatabase;
let fake: WondeFake;
let source: { id: string; schoolId: string };

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  const synthetic = generateSchool({
    seed: 41,
    name: 'Hollybank Primary Academy',
    urn: '141871',
    la: 801,
    establishment: 1871,
    pupils: 60,
    style: 'primary',
    terms: lastTerms(2026, 2),
    currentStartYear: 2026,
  });
  const school = await createSchool(database.db, {
    name: synthetic.name,
    urn: '141871',
    laestab: '8011871',
  });
  fake = await startWondeFake({ schools: [{ school: synthetic }] });
  const created = await createSource(database.db, testEngine(database).secretKey, ANALYST, {
    schoolId: school.id,
    kind: 'wonde',
    name: 'Wonde',
    config: { baseUrl: fake.url, schoolId: fake.store().id, pageDelayMs: 0, pageSize: 25 },
    secrets: { token: fake.token },
  });
  source = { id: created.id, schoolId: school.id };
});
afterAll(async () => {
  await fake.close();
  await database.close();
});

const fullPull = () => pullAndRun(testEngine(database), source);

/** Staged results by whether they are retracted, by the pupil (`upi`) their id begins with. */
async function stagedByPupil(retracted: boolean) {
  const found = await database.db
    .select({ externalId: stagedResults.externalId })
    .from(stagedResults)
    .where(
      and(
        eq(stagedResults.sourceId, source.id),
        retracted ? isNotNull(stagedResults.retractedAt) : isNull(stagedResults.retractedAt),
      ),
    );
  return found.map((row) => row.externalId.split(':')[0]!);
}

describe('a full re-pull of a school that barely changed', () => {
  it('retracts the results of the pupils the system removed, and nothing else', async () => {
    const first = await fullPull();
    expect(first).toMatchObject({ status: 'succeeded', resultsRetracted: 0 });
    const staged = first.resultsNew;
    expect(staged).toBeGreaterThan(200);

    const unchanged = await fullPull();
    expect(unchanged).toMatchObject({
      status: 'succeeded',
      resultsChanged: 0,
      resultsUnchanged: staged,
      resultsRetracted: 0,
    });
    expect(await stagedByPupil(true)).toEqual([]);

    // Two pupils were removed in Wonde an hour ago: their results leave the listing unlogged.
    const removed = fake.store().deletePupils(2, Date.now() - 3_600_000);
    const upis = new Set(removed.map((student) => student.upi));
    const withResults = (await stagedByPupil(false)).filter((upi) => upis.has(upi));
    const theirs = withResults.length;
    expect(theirs).toBeGreaterThan(0);

    const after = await fullPull();
    expect(after).toMatchObject({
      resultsChanged: 0,
      resultsUnchanged: staged - theirs,
      resultsRetracted: theirs,
    });
    expect(new Set(await stagedByPupil(true))).toEqual(new Set(withResults));
    const [live] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from staged_results
        where source_id = ${source.id} and retracted_at is null`,
    );
    expect(live?.n).toBe(staged - theirs);
  });
});
