import { and, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import { rows } from '../../src/db/rows.ts';
import { gradeRules, nxPoints, schoolDerivations } from '../../src/db/schema.ts';
import { academicYearStartOf } from '../../src/domain/school-year.ts';
import { decideGradeRules, proposeGradeRule } from '../../src/sync/mapping.ts';
import { agreeGrades, agreeMappingsOfSubjects, SUBJECT_LEADER } from '../faults/harness.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust, TODAY } from '../support/fixtures.ts';
import { derivingAloneWouldChange, landedPoints } from '../support/landed.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * A trust-wide rule reaches every school at once: the schools derive together, one statement
 * for each step over all of them. Each school must end exactly as deriving it alone would leave
 * it, whether it derives only what the rule changes or, last derived in an earlier school year,
 * whole.
 */

const HEADER =
  'UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading,Writing,Maths';

function tracker(establishment: number, surnames: readonly string[]) {
  const lines = surnames.map((surname, index) => {
    const upn = makeUpn(801, establishment, 19, index + 1);
    const grades = ['Y4 Secure+,Y4 Secure,Y4 Emerging', 'Y4 Secure,Y4 Secure+,Y4 Secure+'];
    return `${upn},${surname},Sam,14/03/2017,Y4,27/11/2026,${grades[index % 2]}`;
  });
  return [HEADER, ...lines, ''].join('\r\n');
}

const SCHOOLS = [
  {
    name: 'Oakfield Primary Academy',
    urn: '138245',
    establishment: 2345,
    pupils: ['Adeyemi', 'Baker', 'Chen'],
  },
  {
    name: 'Brookside Primary Academy',
    urn: '138246',
    establishment: 2346,
    pupils: ['Dunn', 'Evans'],
  },
];

let database: TestDatabase;
let db: Db;
const schoolIds: string[] = [];

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  await seedTrust(db);
  for (const school of SCHOOLS) {
    const { id } = await createSchool(db, {
      name: school.name,
      urn: school.urn,
      laestab: `801${school.establishment}`,
    });
    schoolIds.push(id);
    const source = await createSource(db, id);
    await uploadAndRun(
      testEngine(database),
      source,
      'tracker.csv',
      tracker(school.establishment, school.pupils),
    );
    await agreeMappingsOfSubjects(db, id);
    await agreeGrades(db, id);
  }
});
afterAll(() => database.close());

async function pointOf(code: string) {
  const [point] = await db.select().from(nxPoints).where(eq(nxPoints.code, code));
  return point!.id;
}

/** A trust-wide rule for "Y4 Secure+", proposed (as a new version of `ruleKey`) and confirmed. */
async function trustRule(code: string, ruleKey?: string) {
  const rule = await proposeGradeRule(db, SUBJECT_LEADER, {
    ruleKey,
    schoolId: null,
    subjectId: null,
    aspectId: null,
    gradeSet: null,
    yearFrom: null,
    yearTo: null,
    match: 'value',
    value: 'Y4 Secure+',
    rangeMin: null,
    rangeMax: null,
    aliasOf: null,
    nxPointId: await pointOf(code),
    reason: `Secure+ agreed as ${code} across the trust`,
  });
  return decideGradeRules(
    db,
    SUBJECT_LEADER,
    [rule.id],
    { decision: 'confirm', reason: 'Agreed' },
    TODAY,
  );
}

const eachAloneWouldChange = () => derivingAloneWouldChange(db, schoolIds);

/** Points whose school is not their pupil's: there must be none. */
async function misplacedPoints() {
  const [found] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from assessments a join pupils p on p.id = a.pupil_id
      where a.school_id <> p.school_id`,
  );
  return found?.n;
}

const secureOf = async (surname: string) =>
  (await landedPoints(db)).filter((point) => point.startsWith(`${surname} `));

describe('a trust-wide rule decided for every school at once', () => {
  it('lands its point in each school, as each derived alone would', async () => {
    expect(await secureOf('Adeyemi')).toEqual([
      'Adeyemi writing NX5 (Autumn 2026/27)',
      'Adeyemi mathematics NX4 (Autumn 2026/27)',
    ]);
    const outcome = await trustRule('NX6');
    // Adeyemi's and Chen's reading, Baker's writing and maths, Dunn's reading, Evans's two.
    expect(outcome).toEqual({ landed: 7, removed: 0, conflicts: 0 });
    expect(await secureOf('Adeyemi')).toEqual([
      'Adeyemi reading NX6 (Autumn 2026/27)',
      'Adeyemi writing NX5 (Autumn 2026/27)',
      'Adeyemi mathematics NX4 (Autumn 2026/27)',
    ]);
    expect(await secureOf('Evans')).toEqual([
      'Evans reading NX5 (Autumn 2026/27)',
      'Evans writing NX6 (Autumn 2026/27)',
      'Evans mathematics NX6 (Autumn 2026/27)',
    ]);
    expect(await misplacedPoints()).toBe(0);
    expect(await eachAloneWouldChange()).toEqual({
      outcomes: [
        { landed: 0, removed: 0, conflicts: 0 },
        { landed: 0, removed: 0, conflicts: 0 },
      ],
      same: true,
    });
  });

  it('moves the point where one school derives whole and the other only the change', async () => {
    // Brookside was last derived in an earlier school year: it derives whole this time.
    await db
      .update(schoolDerivations)
      .set({ startYear: academicYearStartOf(TODAY) - 1 })
      .where(eq(schoolDerivations.schoolId, schoolIds[1]!));
    const [current] = await db
      .select()
      .from(gradeRules)
      .where(
        and(
          isNull(gradeRules.schoolId),
          eq(gradeRules.value, 'Y4 Secure+'),
          eq(gradeRules.status, 'confirmed'),
        ),
      );
    const outcome = await trustRule('NX7', current!.ruleKey);
    expect(outcome).toEqual({ landed: 7, removed: 0, conflicts: 0 });
    expect(await secureOf('Baker')).toEqual([
      'Baker reading NX5 (Autumn 2026/27)',
      'Baker writing NX7 (Autumn 2026/27)',
      'Baker mathematics NX7 (Autumn 2026/27)',
    ]);
    expect(await secureOf('Dunn')).toEqual([
      'Dunn reading NX7 (Autumn 2026/27)',
      'Dunn writing NX5 (Autumn 2026/27)',
      'Dunn mathematics NX4 (Autumn 2026/27)',
    ]);
    const derived = await db.select().from(schoolDerivations);
    expect(derived.map((row) => row.startYear)).toEqual([
      academicYearStartOf(TODAY),
      academicYearStartOf(TODAY),
    ]);
    expect(await misplacedPoints()).toBe(0);
    expect((await eachAloneWouldChange()).same).toBe(true);
  });
});
