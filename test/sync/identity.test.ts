import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/rows.ts';
import { gradeRules, pupilMatchSuggestions, pupils, subjectMappings } from '../../src/db/schema.ts';
import { decideMatch } from '../../src/sync/identity.ts';
import { decideGradeRules, decideSubjectMappings } from '../../src/sync/mapping.ts';
import { orphanResults } from '../../src/sync/reconcile.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST, testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust, TODAY } from '../support/fixtures.ts';
import { landedPoints } from '../support/landed.ts';
import { makeUpn } from '../support/upn.ts';

const HEADER = 'UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading';

let database: TestDatabase;
let school: { id: string };

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  school = await createSchool(database.db);
  const mis = await createSource(database.db, school.id);
  await uploadAndRun(
    testEngine(database),
    mis,
    'mis.csv',
    `${HEADER}\r\n${makeUpn(801, 2345, 19, 1)},Okafor,Amara,14/03/2020,Y2,27/11/2026,EXS\r\n`,
  );
});
afterAll(() => database.close());

describe('a record that matches a known pupil only on name and date of birth', () => {
  it('is not joined to them: it waits for a person, and its results are listed', async () => {
    const tracker = await createSource(database.db, school.id);
    const run = await uploadAndRun(
      testEngine(database),
      tracker,
      'tracker.csv',
      `${HEADER}\r\n,Okafor,Amara,14/03/2020,Y2,27/11/2026,GDS\r\n`,
    );
    expect(run).toMatchObject({ status: 'succeeded', pupilsSeen: 1, pupilsNew: 0 });
    expect(await database.db.select().from(pupils)).toHaveLength(1);
    expect(await orphanResults(database.db, school.id)).toEqual([
      expect.objectContaining({ reason: 'identity_unconfirmed', results: 1 }),
    ]);
  });

  it('joins the pupil once a person says it is them, and lands at once', async () => {
    const db = database.db;
    const mappings = await db.select({ id: subjectMappings.id }).from(subjectMappings);
    await decideSubjectMappings(
      db,
      ANALYST,
      mappings.map((m) => m.id),
      confirm,
      TODAY,
    );
    const library = await db
      .select({ id: gradeRules.id })
      .from(gradeRules)
      .where(eq(gradeRules.status, 'proposed'));
    await decideGradeRules(
      db,
      ANALYST,
      library.map((r) => r.id),
      confirm,
      TODAY,
    );
    const [suggestion] = await db.select().from(pupilMatchSuggestions);

    await decideMatch(db, ANALYST, suggestion!.id, true, TODAY);

    expect(await orphanResults(db, school.id)).toEqual([]);
    const [reading] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from staged_results sr join source_pupils sp
          on sp.source_id = sr.source_id and sp.external_id = sr.pupil_external_id
          where sp.pupil_id is not null`,
    );
    expect(reading!.n).toBe(2);
    // Both sources gave a reading point on the same day: the later record is kept, and the
    // disagreement is listed for review.
    expect(await landedPoints(db)).toEqual(['Okafor reading NX8 (Autumn 2026/27)']);
    const [conflicts] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from assessment_conflicts`,
    );
    expect(conflicts!.n).toBe(1);
  });
});

const confirm = { decision: 'confirm' as const, reason: 'agreed' };

describe('a record with a UPN whose name and date of birth match a known pupil without one', () => {
  it('waits for a person rather than becoming a second pupil', async () => {
    const db = database.db;
    const brook = await createSchool(db, {
      name: 'Brook Lane Primary',
      urn: '140311',
      laestab: '8012346',
    });
    const tracker = await createSource(db, brook.id);
    await uploadAndRun(
      testEngine(database),
      tracker,
      'tracker.csv',
      `${HEADER}\r\n,Begum,Sana,11/01/2020,Y2,27/11/2026,EXS\r\n`,
    );
    const mis = await createSource(db, brook.id);
    const run = await uploadAndRun(
      testEngine(database),
      mis,
      'mis.csv',
      `${HEADER}\r\n${makeUpn(801, 2346, 19, 7)},Begum,Sana,11/01/2020,Y2,27/11/2026,EXS\r\n`,
    );
    expect(run).toMatchObject({ status: 'succeeded', pupilsSeen: 1, pupilsNew: 0 });
    const roll = await db.select().from(pupils).where(eq(pupils.schoolId, brook.id));
    expect(roll.map((pupil) => [pupil.lastName, pupil.upn])).toEqual([['Begum', null]]);
    const waiting = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from pupil_match_suggestions s
          join pupils p on p.id = s.pupil_id where p.school_id = ${brook.id}`,
    );
    expect(waiting[0]!.n).toBe(1);
  });
});
