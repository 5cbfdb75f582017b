import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessments, nxPoints } from '../../src/db/schema.ts';
import { Report } from '../../src/reports/report.ts';
import { addSchool, ensureBaseline } from '../../src/trust/schools.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST } from '../support/engine.ts';
import { collectionId, createPupil, seedTrust, subjectId, TODAY } from '../support/fixtures.ts';

/**
 * A school that joined the trust this autumn lands its autumn points in its baseline collection.
 * Its autumn report counts them, and leaves out only the pupil with no point, for that reason.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
});
afterAll(() => database.close());

describe("a newly converted school's autumn report", () => {
  it('counts points landed in its baseline and leaves out only the pupil without one', async () => {
    const { db } = database;
    const school = await addSchool(db, ANALYST, {
      name: 'Meadowbank Primary Academy',
      urn: '152904',
      laestab: '8012904',
      phase: 'primary',
      setting: 'mainstream',
      joinedTrustOn: '2026-11-02',
    });
    const baseline = await ensureBaseline(db, school);
    expect(baseline).toMatchObject({ kind: 'baseline', label: 'Baseline (Autumn 2026/27)' });
    const assessed = await createPupil(db, school.id, { upn: 'A801290426001', lastName: 'Kaur' });
    const missing = await createPupil(db, school.id, { upn: 'A801290426002', lastName: 'Lewis' });
    const [nx7] = await db.select().from(nxPoints).where(eq(nxPoints.code, 'NX7'));
    for (const code of ['reading', 'writing', 'mathematics']) {
      await db.insert(assessments).values({
        pupilId: assessed.id,
        schoolId: school.id,
        subjectId: await subjectId(db, code),
        collectionId: baseline!.id,
        nxPointId: nx7!.id,
        rawValue: 'EXS',
      });
    }

    const report = await Report.open(db, {
      schoolIds: [school.id],
      collectionId: await collectionId(db, 'Autumn 2026/27'),
      today: TODAY,
      suppressionThreshold: 0,
      point: null,
    });
    const leftOut = await report.leftOut();
    expect(leftOut.map((entry) => [entry.pupilId, entry.reason, entry.subjectIds.length])).toEqual([
      [missing.id, 'no_point', 3],
    ]);
    const [tallies] = await report.leftOutBySchool();
    expect([...tallies!.tallies.values()].map((tally) => tally.noPoint)).toEqual([1, 1, 1]);
  });
});
