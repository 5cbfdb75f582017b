import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collections } from '../../src/db/schema.ts';
import { confirmLibrary } from '../bad-input/helpers.ts';
import { agreeMappingsOfSubjects } from '../faults/harness.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust } from '../support/fixtures.ts';
import { landedPoints, syncedRows } from '../support/landed.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * A run whose staging changed nothing leaves the school's points as the last landing left them,
 * without deriving them again; what else can move a point (a collection added since, such as a
 * newly converted school's baseline) still derives.
 */

const upn = (serial: number) => makeUpn(801, 2345, 19, serial);

const RETURN = [
  'UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading,Writing,Maths',
  `${upn(1)},Okafor,Amara,14/03/2020,Y2,27/11/2026,EXS,WTS,EXS`,
  `${upn(2)},Nowak,Tomasz,02/09/2019,Y2,27/11/2026,GDS,EXS,EXS`,
  `${upn(3)},Hughes,Ellie-May,21/06/2016,Y6,27/11/2026,EXS,EXS,GDS`,
  '',
].join('\r\n');

let database: TestDatabase;
let school: Awaited<ReturnType<typeof createSchool>>;
let source: Awaited<ReturnType<typeof createSource>>;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  school = await createSchool(database.db);
  source = await createSource(database.db, school.id);
  await uploadAndRun(testEngine(database), source, 'autumn.csv', RETURN);
  await agreeMappingsOfSubjects(database.db, school.id);
  await confirmLibrary(database);
});
afterAll(() => database.close());

describe('a run that changes nothing', () => {
  it('lands nothing again and writes no row', async () => {
    const points = await landedPoints(database.db);
    expect(points).toHaveLength(9);
    expect(points.every((point) => point.endsWith('(Autumn 2026/27)'))).toBe(true);
    const before = await syncedRows(database.db);
    const run = await uploadAndRun(testEngine(database), source, 'autumn-again.csv', RETURN);
    expect(run).toMatchObject({ status: 'succeeded', resultsUnchanged: 9, resultsLanded: 0 });
    expect(await syncedRows(database.db)).toEqual(before);
  });

  it("still places the points in a baseline added since, the school's own collection", async () => {
    const [autumn] = await database.db
      .select()
      .from(collections)
      .where(eq(collections.label, 'Autumn 2026/27'));
    await database.db.insert(collections).values({
      academicYearId: autumn!.academicYearId,
      termId: autumn!.termId,
      kind: 'baseline',
      schoolId: school.id,
      label: 'Baseline (Autumn 2026/27)',
      collectionDate: autumn!.collectionDate,
    });
    const run = await uploadAndRun(testEngine(database), source, 'autumn-third.csv', RETURN);
    expect(run).toMatchObject({ status: 'succeeded', resultsUnchanged: 9, resultsLanded: 9 });
    const points = await landedPoints(database.db);
    expect(points).toHaveLength(9);
    expect(points.every((point) => point.endsWith('(Baseline (Autumn 2026/27))'))).toBe(true);
  });
});
