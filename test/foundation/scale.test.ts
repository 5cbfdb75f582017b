import { asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/audit.ts';
import { assessments, auditLog, nxPoints } from '../../src/db/schema.ts';
import {
  insertPoint,
  listScale,
  renumberScale,
  seedScale,
  updatePoint,
} from '../../src/trust/scale.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import {
  collectionId,
  createPupil,
  createSchool,
  seedTrust,
  subjectId,
} from '../support/fixtures.ts';

const POLICY_TABLE = [
  ['NX1', 'Engagement Model: not yet engaged in subject-specific study', 'Engagement Model', ''],
  ['NX2', 'EYFS curriculum', 'Standard 1', ''],
  ['NX3', 'EYFS curriculum', 'Standard 2', ''],
  ['NX4', 'EYFS curriculum', 'Standard 3', ''],
  ['NX5', 'EYFS curriculum', 'Standard 4', ''],
  [
    'NX6',
    'Working towards KS1 expected standard (Y1/2)',
    'Standard 5',
    'Working towards Entry Level 1',
  ],
  ['NX7', 'Working at KS1 expected standard (Y2)', 'Standard 6', 'Entry Level 1'],
  [
    'NX8',
    'KS1 greater depth, and working towards KS2 expected standard',
    '',
    'Entry Level 2 (and working towards it)',
  ],
  ['NX9', 'Working at KS2 expected standard (Y6)', '', 'Entry Level 3 (and working towards it)'],
  ['NX10', 'KS2 greater depth, and KS3', '', ''],
  ['NX11', 'GCSE grades 1-3', '', 'BTEC Level 1, Functional Skills Level 1'],
  ['NX12', 'GCSE grades 4-9', '', 'BTEC Level 2, Functional Skills Level 2'],
  ['NX13', 'AS level, A level', '', 'NVQ Level 3 and equivalents'],
];

let database: TestDatabase;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
});
afterAll(() => database.close());

describe('the Next Steps scale', () => {
  it('is seeded with the thirteen points of the policy table, in order', async () => {
    const scale = await listScale(database.db);
    expect(
      scale.map((point) => [
        point.code,
        point.mainstreamDescriptor,
        point.specialistDescriptor,
        point.qualificationDescriptor,
      ]),
    ).toEqual(POLICY_TABLE);
    expect(scale.map((point) => point.position)).toEqual(POLICY_TABLE.map((_, index) => index + 1));
  });

  it('is seeded only once, however often the service starts', async () => {
    await seedScale(database.db);
    await seedTrust(database.db);
    expect(await listScale(database.db)).toHaveLength(13);
  });

  it('keeps landed points on their ids through renaming, inserting and renumbering', async () => {
    const db = database.db;
    const school = await createSchool(db);
    const amara = await createPupil(db, school.id);
    const tomasz = await createPupil(db, school.id, {
      upn: 'B801200005001',
      firstName: 'Tomasz',
      lastName: 'Nowak',
      ncYear: 'Y6',
    });
    const before = await listScale(db);
    const nx8 = before.find((point) => point.code === 'NX8')!;
    const nx9 = before.find((point) => point.code === 'NX9')!;
    const reading = await subjectId(db, 'reading');
    const autumn = await collectionId(db, 'Autumn 2026/27');
    await db
      .insert(assessments)
      .values([
        landed(amara.id, school.id, reading, autumn, nx8.id, 'Y4 Secure'),
        landed(tomasz.id, school.id, reading, autumn, nx9.id, 'EXS'),
      ]);

    await updatePoint(db, SYSTEM_ACTOR, nx8.id, {
      mainstreamDescriptor: 'KS1 greater depth; working towards the KS2 expected standard',
    });
    const inserted = await insertPoint(db, SYSTEM_ACTOR, nx8.id, {
      code: 'NX8+',
      mainstreamDescriptor: 'Lower KS2: secure in Year 4 expectations',
      specialistDescriptor: '',
      qualificationDescriptor: '',
    });
    const after = await renumberScale(db, SYSTEM_ACTOR);

    expect(after).toHaveLength(14);
    expect(after.map((point) => point.code)).toEqual(
      Array.from({ length: 14 }, (_, index) => `NX${index + 1}`),
    );
    expect(after.find((point) => point.id === inserted.id)?.code).toBe('NX9');
    expect(after.find((point) => point.id === nx9.id)?.code).toBe('NX10');

    const shown = await db
      .select({
        pupil: assessments.pupilId,
        code: nxPoints.code,
        descriptor: nxPoints.mainstreamDescriptor,
      })
      .from(assessments)
      .innerJoin(nxPoints, eq(nxPoints.id, assessments.nxPointId))
      .orderBy(asc(nxPoints.position));
    expect(shown).toEqual([
      {
        pupil: amara.id,
        code: 'NX8',
        descriptor: 'KS1 greater depth; working towards the KS2 expected standard',
      },
      { pupil: tomasz.id, code: 'NX10', descriptor: 'Working at KS2 expected standard (Y6)' },
    ]);
  });

  it('records every change to the scale in the audit log', async () => {
    const entries = await database.db
      .select()
      .from(auditLog)
      .where(inArray(auditLog.entityType, ['nx_point', 'nx_scale']))
      .orderBy(asc(auditLog.id));
    expect(entries.map((entry) => entry.action)).toEqual([
      'nx_point.update',
      'nx_point.insert',
      'nx_scale.renumber',
    ]);
    const renumber = entries[2]!.details as { codes: { from: string; to: string }[] };
    expect(renumber.codes.filter((code) => code.from !== code.to)).toEqual([
      expect.objectContaining({ from: 'NX8+', to: 'NX9' }),
      expect.objectContaining({ from: 'NX9', to: 'NX10' }),
      expect.objectContaining({ from: 'NX10', to: 'NX11' }),
      expect.objectContaining({ from: 'NX11', to: 'NX12' }),
      expect.objectContaining({ from: 'NX12', to: 'NX13' }),
      expect.objectContaining({ from: 'NX13', to: 'NX14' }),
    ]);
  });
});

function landed(
  pupilId: string,
  schoolId: string,
  subject: number,
  collection: number,
  nxPointId: string,
  rawValue: string,
) {
  return {
    pupilId,
    schoolId,
    subjectId: subject,
    collectionId: collection,
    nxPointId,
    rawValue,
  };
}
