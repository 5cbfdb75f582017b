import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import {
  assessments,
  gradeRules,
  nxPoints,
  pupils,
  schoolDerivations,
  subjects,
} from '../../src/db/schema.ts';
import { academicYearStartOf } from '../../src/domain/school-year.ts';
import {
  decideGradeRules,
  type GradeRuleProposal,
  proposeGradeRule,
} from '../../src/sync/mapping.ts';
import { agreeGrades, agreeMappingsOfSubjects, SUBJECT_LEADER } from '../faults/harness.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust, TODAY } from '../support/fixtures.ts';
import { derivingAloneWouldChange, landedPoints } from '../support/landed.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * A rule decided in the school year the school was last derived in derives again only the
 * pupils, subjects and collections whose results it changes. After every decision the points
 * must be exactly those a whole derivation gives, conflicts between two sources included.
 */

const upn = (serial: number) => makeUpn(801, 2345, 19, serial);
const HEADER =
  'UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading,Writing,Maths';
const TRACKER = [
  HEADER,
  `${upn(1)},Okafor,Amara,14/03/2017,Y4,27/11/2026,Y4 Secure,Y4 Emerging,Y4 Secure`,
  `${upn(2)},Nowak,Tomasz,02/09/2016,Y4,27/11/2026,Y4 Mastery,Y4 Secure,Y4 Secure+`,
  `${upn(3)},Hughes,Ellie-May,21/06/2016,Y4,27/11/2026,Y4 Secure,Y4 Secure,Y4 Emerging`,
  '',
].join('\r\n');
// The maths lead's own check later in the term disagrees about Okafor's maths.
const MATHS_CHECK = [
  HEADER,
  `${upn(1)},Okafor,Amara,14/03/2017,Y4,02/12/2026,,,Y4 Secure+`,
  '',
].join('\r\n');

let database: TestDatabase;
let db: Db;
let oakfield: string;
let maths: number;

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  await seedTrust(db);
  oakfield = (await createSchool(db)).id;
  const tracker = await createSource(db, oakfield);
  const check = await createSource(db, oakfield);
  await uploadAndRun(testEngine(database), tracker, 'tracker-autumn.csv', TRACKER);
  await uploadAndRun(testEngine(database), check, 'maths-check.csv', MATHS_CHECK);
  await agreeMappingsOfSubjects(db, oakfield);
  await agreeGrades(db, oakfield);
  maths = (await db.select().from(subjects).where(eq(subjects.code, 'mathematics')))[0]!.id;
});
afterAll(() => database.close());

async function pointOf(code: string) {
  const [point] = await db.select().from(nxPoints).where(eq(nxPoints.code, code));
  return point!.id;
}

/** Proposes a school maths rule for the value and confirms it, as its subject leader would. */
async function decideRule(
  value: string,
  reading: Pick<GradeRuleProposal, 'match' | 'aliasOf' | 'nxPointId' | 'reason'>,
  ruleKey?: string,
) {
  const rule = await proposeGradeRule(db, SUBJECT_LEADER, {
    ruleKey,
    schoolId: oakfield,
    subjectId: maths,
    aspectId: null,
    gradeSet: null,
    yearFrom: null,
    yearTo: null,
    value,
    rangeMin: null,
    rangeMax: null,
    ...reading,
  });
  await decideGradeRules(
    db,
    SUBJECT_LEADER,
    [rule.id],
    { decision: 'confirm', reason: 'Agreed' },
    TODAY,
  );
  return rule;
}

async function decide(value: string, code: string, ruleKey?: string) {
  return decideRule(
    value,
    {
      match: 'value',
      aliasOf: null,
      nxPointId: await pointOf(code),
      reason: `${value} agreed as ${code} at moderation`,
    },
    ruleKey,
  );
}

/** Derives the school whole, in a transaction rolled back, and says what it would change. */
async function wholeDerivationWouldChange() {
  const { outcomes, same } = await derivingAloneWouldChange(db, [oakfield]);
  return { outcome: outcomes[0], same };
}

const mathsOf = async (surname: string) =>
  (await landedPoints(db)).filter((point) => point.startsWith(`${surname} mathematics`));

describe('a rule decision re-derives what it changes', () => {
  it('lands the newly mapped grade, with the later source winning the conflict', async () => {
    expect(await mathsOf('Okafor')).toEqual(['Okafor mathematics NX5 (Autumn 2026/27)']);
    expect(await mathsOf('Nowak')).toEqual([]);
    await decide('Y4 Secure+', 'NX6');
    // The maths check is the later assessment, so its Secure+ now wins Okafor's maths.
    expect(await mathsOf('Okafor')).toEqual(['Okafor mathematics NX6 (Autumn 2026/27)']);
    expect(await mathsOf('Nowak')).toEqual(['Nowak mathematics NX6 (Autumn 2026/27)']);
    expect(await wholeDerivationWouldChange()).toEqual({
      outcome: { landed: 0, removed: 0, conflicts: 0 },
      same: true,
    });
  });

  it('follows a rule moved to another point, then withdrawn by a version', async () => {
    const [secure] = await db
      .select()
      .from(gradeRules)
      .where(and(eq(gradeRules.value, 'Y4 Secure+'), eq(gradeRules.status, 'confirmed')));
    await decide('Y4 Secure+', 'NX7', secure!.ruleKey);
    expect(await mathsOf('Nowak')).toEqual(['Nowak mathematics NX7 (Autumn 2026/27)']);
    expect(await mathsOf('Okafor')).toEqual(['Okafor mathematics NX7 (Autumn 2026/27)']);
    expect((await wholeDerivationWouldChange()).same).toBe(true);

    // A version that maps the value to nothing (an alias of an unknown grade) takes the points
    // away again; Okafor's tracker result stands once the check's no longer maps.
    await decideRule(
      'Y4 Secure+',
      {
        match: 'alias',
        aliasOf: 'Not a grade we record',
        nxPointId: null,
        reason: 'Secure+ is not a grade: read it as nothing',
      },
      secure!.ruleKey,
    );
    expect(await mathsOf('Nowak')).toEqual([]);
    expect(await mathsOf('Okafor')).toEqual(['Okafor mathematics NX5 (Autumn 2026/27)']);
    expect(await wholeDerivationWouldChange()).toEqual({
      outcome: { landed: 0, removed: 0, conflicts: 0 },
      same: true,
    });
  });

  it('leaves a point outside the decision, and derives whole once the year turns', async () => {
    const [hughes] = await db
      .select()
      .from(pupils)
      .where(eq(pupils.upn, upn(3)));
    // A point gone from under the school (say, restored from a backup without it).
    await db
      .delete(assessments)
      .where(and(eq(assessments.pupilId, hughes!.id), eq(assessments.subjectId, maths)));
    await decide('Y4 Mastery', 'NX7');
    expect(await mathsOf('Hughes')).toEqual([]);

    // Last derived in an earlier school year: the year groups have moved on since, so the next
    // decision derives the school whole, and the point is back.
    await db
      .update(schoolDerivations)
      .set({ startYear: academicYearStartOf(TODAY) - 1 })
      .where(eq(schoolDerivations.schoolId, oakfield));
    await decide('Y4 Mastery', 'NX8');
    expect(await mathsOf('Hughes')).toEqual(['Hughes mathematics NX4 (Autumn 2026/27)']);
    const [mark] = await db
      .select()
      .from(schoolDerivations)
      .where(eq(schoolDerivations.schoolId, oakfield));
    expect(mark!.startYear).toBe(academicYearStartOf(TODAY));
    expect((await wholeDerivationWouldChange()).same).toBe(true);
  });
});
