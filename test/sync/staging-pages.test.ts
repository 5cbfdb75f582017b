import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagedResults } from '../../src/db/schema.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust } from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * A run stages each results page either by looking its ids up first and sending only what
 * changed (after a page that changed little), or by sending every row for the database to
 * compare (after a page that changed much). Both must count and stage exactly the same.
 */

// 800 pupils, three subjects each, one result a row: a first page of 2,000 rows and a second
// of 400.
const PUPILS = 800;
const SUBJECTS = ['Reading', 'Writing', 'Maths'];
const CODES = ['reading', 'writing', 'mathematics'];
const HEADER = 'UPN,Surname,Forename,Date of birth,Year group,Assessment date,Subject,Value';

function sheet(gradeOf: (row: number) => string) {
  const lines = [HEADER];
  for (let row = 0; row < PUPILS * 3; row += 1) {
    const pupil = Math.floor(row / 3);
    const upn = makeUpn(801, 2345, 19 + Math.floor(pupil / 1000), pupil % 1000);
    const born = `${String(1 + (pupil % 28)).padStart(2, '0')}/0${1 + (pupil % 9)}/2018`;
    lines.push(
      `${upn},Pupil${pupil},Test,${born},Y3,27/11/2026,${SUBJECTS[row % 3]},${gradeOf(row)}`,
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

let database: TestDatabase;
let source: Awaited<ReturnType<typeof createSource>>;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  const school = await createSchool(database.db);
  source = await createSource(database.db, school.id);
});
afterAll(() => database.close());

async function valuesOf(rows: number[]) {
  const staged = await database.db
    .select({ externalId: stagedResults.externalId, rawValue: stagedResults.rawValue })
    .from(stagedResults)
    .where(eq(stagedResults.sourceId, source.id));
  // A spreadsheet result's id begins with its pupil's UPN and its subject.
  return rows.map((row) => {
    const pupil = Math.floor(row / 3);
    const upn = makeUpn(801, 2345, 19 + Math.floor(pupil / 1000), pupil % 1000);
    return staged.find((each) => each.externalId.startsWith(`${upn}/${CODES[row % 3]}/`))?.rawValue;
  });
}

describe('a re-upload staged page by page', () => {
  it('counts and stages the same whichever way each page is compared', async () => {
    const engine = testEngine(database);
    const first = await uploadAndRun(
      engine,
      source,
      'autumn.csv',
      sheet(() => 'EXS'),
    );
    expect(first).toMatchObject({ status: 'succeeded', resultsNew: 2400, resultsChanged: 0 });

    // The first page is looked up first and every row of it has changed, so the second is sent
    // whole: of its 400 rows, the first 200 changed and the last 200 did not.
    const again = await uploadAndRun(
      engine,
      source,
      'autumn-corrected.csv',
      sheet((row) => (row < 2200 ? 'GDS' : 'EXS')),
    );
    expect(again).toMatchObject({
      status: 'succeeded',
      resultsSeen: 2400,
      resultsNew: 0,
      resultsChanged: 2200,
      resultsUnchanged: 200,
    });
    expect(await valuesOf([0, 1999, 2000, 2199, 2200, 2399])).toEqual([
      'GDS',
      'GDS',
      'GDS',
      'GDS',
      'EXS',
      'EXS',
    ]);

    // Unchanged throughout: every page is looked up first, and nothing is written.
    const unchanged = await uploadAndRun(
      engine,
      source,
      'autumn-corrected.csv',
      sheet((row) => (row < 2200 ? 'GDS' : 'EXS')),
    );
    expect(unchanged).toMatchObject({ resultsChanged: 0, resultsUnchanged: 2400 });
  });
});
