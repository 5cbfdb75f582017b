import { eq } from 'drizzle-orm';
import { assessments, nxPoints, pupils } from '../../src/db/schema.ts';
import { type TestUser, userWith } from '../support/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { collectionId, createSchool, seedTrust, subjectId } from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * A trust small enough to work every figure out by hand. Today is 3 December 2026 (Y6 this year
 * was Y5 last summer). Oakfield is mainstream: eleven pupils counted this autumn, one who left in
 * October, one who joined after the summer collection, and one with no maths point. Brook is a
 * specialist school of three, one with a point from two summers ago. Reading and writing carry
 * the same points as maths, except that Lily has them where she has no maths point.
 *
 *                       year  sex disadv SEN EAL  Sum 24/25  Sum 25/26  Aut 26/27
 *   Oakfield Ava Adams    Y6   F    Y     N   N               NX8        NX9
 *            Ben Brown    Y6   M    Y     N   N               NX8        NX8
 *            Cara Clarke  Y6   F    N     N   Y               NX9        NX10
 *            Dan Davies   Y6   M    N     K   N               NX9        NX8   (moved down)
 *            Ella Evans   Y6   F    N     N   N               NX8        NX9
 *            Finn Foster  Y6   M    Y     E   N               NX6        NX6
 *            Gita Gill    Y6   F    N     N   Y               NX9        NX9
 *            Hana Hughes  Y2   F    Y     N   N               NX5        NX7
 *            Ian Irving   Y2   M    Y     K   N               NX5        NX6
 *            Jack Jones   Y6   M    N     N   N               NX8        –     (left 16 Oct)
 *            Kit King     Y4   M    N     N   ?               –          NX7   (joined 20 Jul)
 *            Lily Lewis   Y6   F    N     N   N               NX7        no maths point
 *            Maya Morris  Y1   F    N     N   N               –          NX5   (joined 2 Sep)
 *   Brook    Mo Malik     Y6   M    Y     E   N    NX1        NX3        NX2
 *            Noor Nasser  Y4   F    N     E   N               NX2        NX2
 *            Ola Okafor   X    F    N     E   Y               NX1        NX3
 */

export interface Dataset {
  database: TestDatabase;
  oakfield: string;
  brook: string;
  maths: number;
  reading: number;
  writing: number;
  summer24: number;
  summer25: number;
  autumn26: number;
  pupil: Record<string, string>;
}

interface PupilSpec {
  first: string;
  last: string;
  year: string;
  sex: 'F' | 'M';
  disadvantaged: boolean;
  sen: 'N' | 'K' | 'E';
  eal: boolean | null;
  from?: string;
  to?: string;
  /** NX codes by collection: summer 2024/25, summer 2025/26, autumn 2026/27. */
  points: [string | null, string | null, string | null];
  /** Autumn points that differ from maths. */
  noMathsAutumn?: string;
}

const OAKFIELD: PupilSpec[] = [
  pupil('Ava', 'Adams', 'Y6', 'F', true, 'N', false, [null, 'NX8', 'NX9']),
  pupil('Ben', 'Brown', 'Y6', 'M', true, 'N', false, [null, 'NX8', 'NX8']),
  pupil('Cara', 'Clarke', 'Y6', 'F', false, 'N', true, [null, 'NX9', 'NX10']),
  pupil('Dan', 'Davies', 'Y6', 'M', false, 'K', false, [null, 'NX9', 'NX8']),
  pupil('Ella', 'Evans', 'Y6', 'F', false, 'N', false, [null, 'NX8', 'NX9']),
  pupil('Finn', 'Foster', 'Y6', 'M', true, 'E', false, [null, 'NX6', 'NX6']),
  pupil('Gita', 'Gill', 'Y6', 'F', false, 'N', true, [null, 'NX9', 'NX9']),
  pupil('Hana', 'Hughes', 'Y2', 'F', true, 'N', false, [null, 'NX5', 'NX7']),
  pupil('Ian', 'Irving', 'Y2', 'M', true, 'K', false, [null, 'NX5', 'NX6']),
  {
    ...pupil('Jack', 'Jones', 'Y6', 'M', false, 'N', false, [null, 'NX8', null]),
    to: '2026-10-16',
  },
  { ...pupil('Kit', 'King', 'Y4', 'M', false, 'N', null, [null, null, 'NX7']), from: '2026-07-20' },
  {
    ...pupil('Lily', 'Lewis', 'Y6', 'F', false, 'N', false, [null, 'NX7', null]),
    noMathsAutumn: 'NX8',
  },
  {
    ...pupil('Maya', 'Morris', 'Y1', 'F', false, 'N', false, [null, null, 'NX5']),
    from: '2026-09-02',
  },
];

const BROOK: PupilSpec[] = [
  pupil('Mo', 'Malik', 'Y6', 'M', true, 'E', false, ['NX1', 'NX3', 'NX2']),
  pupil('Noor', 'Nasser', 'Y4', 'F', false, 'E', false, [null, 'NX2', 'NX2']),
  pupil('Ola', 'Okafor', 'X', 'F', false, 'E', true, [null, 'NX1', 'NX3']),
];

function pupil(
  first: string,
  last: string,
  year: string,
  sex: 'F' | 'M',
  disadvantaged: boolean,
  sen: 'N' | 'K' | 'E',
  eal: boolean | null,
  points: PupilSpec['points'],
): PupilSpec {
  return { first, last, year, sex, disadvantaged, sen, eal, points };
}

export async function buildDataset(): Promise<Dataset> {
  const database = await testDatabase();
  const db = database.db;
  await seedTrust(db);
  const oakfield = await createSchool(db);
  const brook = await createSchool(db, {
    name: 'Brook Special School',
    urn: '139876',
    laestab: '8017001',
    phase: 'special',
    setting: 'specialist',
    joinedTrustOn: '2015-09-01',
  });
  const dataset: Dataset = {
    database,
    oakfield: oakfield.id,
    brook: brook.id,
    maths: await subjectId(db, 'mathematics'),
    reading: await subjectId(db, 'reading'),
    writing: await subjectId(db, 'writing'),
    summer24: await collectionId(db, 'Summer 2024/25'),
    summer25: await collectionId(db, 'Summer 2025/26'),
    autumn26: await collectionId(db, 'Autumn 2026/27'),
    pupil: {},
  };
  const scale = new Map((await db.select().from(nxPoints)).map((point) => [point.code, point.id]));
  const collections = [dataset.summer24, dataset.summer25, dataset.autumn26];
  const subjects = [dataset.maths, dataset.reading, dataset.writing];

  for (const [schoolId, specs, school] of [
    [oakfield.id, OAKFIELD, 2345],
    [brook.id, BROOK, 7001],
  ] as const) {
    let serial = 0;
    for (const spec of specs) {
      serial += 1;
      const [row] = await db
        .insert(pupils)
        .values({
          schoolId,
          upn: makeUpn(801, school, 16, serial),
          firstName: spec.first,
          lastName: spec.last,
          sex: spec.sex,
          ncYear: spec.year,
          ncYearOrdinal: spec.year === 'X' ? null : Number(spec.year.slice(1)),
          senStatus: spec.sen,
          disadvantaged: spec.disadvantaged,
          eal: spec.eal,
          onRollFrom: spec.from ?? '2019-09-01',
          onRollTo: spec.to ?? null,
        })
        .returning();
      dataset.pupil[spec.first] = row!.id;
      for (const [index, code] of spec.points.entries()) {
        for (const subject of subjects) {
          const autumnOther = index === 2 && subject !== dataset.maths ? spec.noMathsAutumn : null;
          const landed = autumnOther ?? code;
          if (!landed) continue;
          await db.insert(assessments).values({
            pupilId: row!.id,
            schoolId,
            subjectId: subject,
            collectionId: collections[index]!,
            nxPointId: scale.get(landed)!,
            rawValue: landed,
          });
        }
      }
    }
  }
  return dataset;
}

export async function pointId(database: TestDatabase, code: string) {
  const [point] = await database.db.select().from(nxPoints).where(eq(nxPoints.code, code));
  return point!.id;
}

export interface ReportUsers {
  admin: TestUser;
  analyst: TestUser;
  viewer: TestUser;
  governor: TestUser;
  oakfieldLead: TestUser;
  brookLead: TestUser;
}

/** The people who read reports: the trust's, a governor of Oakfield, and each school's lead. */
export async function reportUsers(dataset: Dataset): Promise<ReportUsers> {
  const { database, oakfield, brook } = dataset;
  return {
    admin: await userWith(database, 'Sam Carter', [
      { role: 'trust_admin', schoolId: null, subjectId: null },
    ]),
    analyst: await userWith(database, 'Priya Shah', [
      { role: 'trust_analyst', schoolId: null, subjectId: null },
    ]),
    viewer: await userWith(database, 'Helen Price', [
      { role: 'viewer', schoolId: null, subjectId: null },
    ]),
    governor: await userWith(database, 'Ruth Osei', [
      { role: 'viewer', schoolId: oakfield, subjectId: null },
    ]),
    oakfieldLead: await userWith(database, 'Jo Whitfield', [
      { role: 'school_data_lead', schoolId: oakfield, subjectId: null },
    ]),
    brookLead: await userWith(database, 'Tom Ellis', [
      { role: 'school_data_lead', schoolId: brook, subjectId: null },
    ]),
  };
}
