import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/index.ts';
import { collections, pupils, schools, sources, subjects } from '../../src/db/schema.ts';
import { seedReferenceData } from '../../src/trust/seed.ts';

/** Small builders for records that look like a real school's. */

export const TODAY = '2026-12-03';

export async function seedTrust(db: Db, today = TODAY) {
  await seedReferenceData(db, today);
}

export async function createSchool(db: Db, overrides: Partial<typeof schools.$inferInsert> = {}) {
  const [school] = await db
    .insert(schools)
    .values({
      name: 'Oakfield Primary Academy',
      urn: '138245',
      laestab: '8012345',
      phase: 'primary',
      setting: 'mainstream',
      joinedTrustOn: '2019-09-01',
      ...overrides,
    })
    .returning();
  return school!;
}

export async function createSource(db: Db, schoolId: string, kind = 'spreadsheet') {
  const [source] = await db
    .insert(sources)
    .values({ schoolId, kind, name: `${kind} upload` })
    .returning();
  return source!;
}

export async function createPupil(
  db: Db,
  schoolId: string,
  overrides: Partial<typeof pupils.$inferInsert> = {},
) {
  const [pupil] = await db
    .insert(pupils)
    .values({
      schoolId,
      upn: 'H801200001001',
      firstName: 'Amara',
      lastName: 'Okafor',
      dateOfBirth: '2017-03-14',
      sex: 'F',
      ncYear: 'Y4',
      senStatus: 'N',
      disadvantaged: false,
      eal: true,
      onRollFrom: '2021-09-01',
      ...overrides,
    })
    .returning();
  return pupil!;
}

export async function subjectId(db: Db, code: string) {
  const [row] = await db.select().from(subjects).where(eq(subjects.code, code));
  return row!.id;
}

export async function collectionId(db: Db, label: string) {
  const [row] = await db.select().from(collections).where(eq(collections.label, label));
  if (!row) throw new Error(`no collection labelled ${label}`);
  return row.id;
}
