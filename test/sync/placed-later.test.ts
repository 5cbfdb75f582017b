import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordProblems, stagedResults } from '../../src/db/schema.ts';
import { seedSchoolYears } from '../../src/trust/school-year.ts';
import { confirmLibrary } from '../bad-input/helpers.ts';
import { agreeMappingsOfSubjects } from '../faults/harness.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust } from '../support/fixtures.ts';
import { landedPoints } from '../support/landed.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * A result that could not be placed in a collection, because its school year was not in the
 * calendar, is placed by the next sync once the year is added, though the school's system gives
 * it just as before: the staged row's collection is compared as well as its content.
 */

const upn = (serial: number) => makeUpn(801, 2345, 14, serial);

// A school converting with its history: two pupils' results from autumn 2019, when they were in
// Y2, a year further back than the calendar holds, and one pupil's from this autumn.
const HISTORY = [
  'UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading,Writing,Maths',
  `${upn(1)},Okafor,Amara,14/03/2013,Y9,20/11/2019,EXS,WTS,EXS`,
  `${upn(2)},Nowak,Tomasz,02/09/2012,Y9,20/11/2019,GDS,EXS,EXS`,
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
  await uploadAndRun(testEngine(database), source, 'history.csv', HISTORY);
  await agreeMappingsOfSubjects(database.db, school.id);
  await confirmLibrary(database);
});
afterAll(() => database.close());

describe('a result whose school year was missing', () => {
  it('is staged unplaced, with a problem that says which year to add', async () => {
    const unplaced = await database.db
      .select({ id: stagedResults.id })
      .from(stagedResults)
      .where(eq(stagedResults.sourceId, source.id));
    expect(unplaced).toHaveLength(9);
    const problems = await database.db
      .select({ code: recordProblems.code, message: recordProblems.message })
      .from(recordProblems);
    expect(problems.filter((problem) => problem.code === 'result_unplaced')).toHaveLength(6);
    expect(problems[0]!.message).toBe(
      'Result U801234514001/reading/2019-11-20/ (Reading) could not be placed in a collection: ' +
        'Result date 2019-11-20 is outside the school years with term dates (2021/22 to ' +
        '2027/28); add the term dates for 2019/20.',
    );
    expect((await landedPoints(database.db)).map((point) => point.split(' (')[1])).toEqual(
      Array(3).fill('Autumn 2026/27)'),
    );
  });

  it('lands in that year once it is added, from the same file', async () => {
    await seedSchoolYears(database.db, '2024-09-10');
    const run = await uploadAndRun(testEngine(database), source, 'history-again.csv', HISTORY);
    expect(run).toMatchObject({ status: 'succeeded', resultsChanged: 6, resultsUnchanged: 3 });
    const points = await landedPoints(database.db);
    expect(points.filter((point) => point.endsWith('(Autumn 2019/20)'))).toEqual([
      'Nowak reading NX8 (Autumn 2019/20)',
      'Nowak writing NX7 (Autumn 2019/20)',
      'Nowak mathematics NX7 (Autumn 2019/20)',
      'Okafor reading NX7 (Autumn 2019/20)',
      'Okafor writing NX6 (Autumn 2019/20)',
      'Okafor mathematics NX7 (Autumn 2019/20)',
    ]);
  });
});
