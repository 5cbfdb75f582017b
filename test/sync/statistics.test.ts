import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/rows.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust } from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * A school's first sync takes its tables from empty to thousands of rows; the planner is told at
 * once, so the pages read after it are not planned for empty tables.
 */

const HEADER =
  'UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading,Writing,Maths';
const SURNAMES = ['Okafor', 'Nowak', 'Patel', 'Hughes', 'Evans', 'Begum', 'Clarke', 'Murphy'];

function termlyReturn(pupils: number, establishment: number) {
  const lines = [HEADER];
  for (let n = 1; n <= pupils; n += 1) {
    const surname = SURNAMES[n % SURNAMES.length];
    const year = 1 + (n % 6);
    lines.push(
      `${makeUpn(801, establishment, 19, n)},${surname},Pupil${n},01/09/${2020 - year},Y${year},` +
        '27/11/2026,EXS,WTS,GDS',
    );
  }
  return lines.join('\r\n');
}

/** The planner's row estimate for a table: -1 until it has been analysed. */
async function estimatedRows(database: TestDatabase, table: string): Promise<number> {
  const [found] = await rows<{ n: number }>(
    database.db,
    sql`select reltuples::int as n from pg_class where relname = ${table}`,
  );
  return found!.n;
}

let database: TestDatabase;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
});
afterAll(() => database.close());

describe("the planner's statistics", () => {
  // Fewer rows than autovacuum's own threshold (50), so nothing else analyses them meanwhile.
  it('are left to autovacuum after a small run', async () => {
    const school = await createSchool(database.db);
    const source = await createSource(database.db, school.id);
    const run = await uploadAndRun(
      testEngine(database),
      source,
      'small.csv',
      termlyReturn(15, 2345),
    );
    expect(run).toMatchObject({ status: 'succeeded', resultsNew: 45 });
    expect(await estimatedRows(database, 'staged_results')).toBe(-1);
  });

  it('are refreshed after a run that writes more than a thousand rows', async () => {
    const school = await createSchool(database.db, {
      name: 'Riverside Primary',
      urn: '141003',
      laestab: '8014003',
    });
    const source = await createSource(database.db, school.id);
    const run = await uploadAndRun(
      testEngine(database),
      source,
      'big.csv',
      termlyReturn(400, 4003),
    );
    expect(run).toMatchObject({ status: 'succeeded', pupilsNew: 400, resultsNew: 1200 });
    expect(await estimatedRows(database, 'staged_results')).toBe(1245);
    expect(await estimatedRows(database, 'pupils')).toBe(415);
  });
});
