import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assessments,
  collections,
  nxPoints,
  pupils,
  schools,
  sources,
  subjects,
} from '../../src/db/schema.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import {
  collectionId,
  createPupil,
  createSchool,
  createSource,
  seedTrust,
  subjectId,
} from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * A landed point's school, subject, NX point, source, pupil and collection are not foreign keys
 * (landing would pay for six checks on every point); deleting any of them while it has points is
 * refused all the same, and deleting one without points is not.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
});
afterAll(() => database.close());

async function refusal(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return cause?.message ?? (error as Error).message;
  }
  return 'not refused';
}

describe('deleting what landed points name', () => {
  it('is refused for anything a point names while it has points, and not without', async () => {
    const { db } = database;
    const school = await createSchool(db);
    const source = await createSource(db, school.id, 'wonde');
    const pupil = await createPupil(db, school.id);
    const reading = await subjectId(db, 'reading');
    const autumn = await collectionId(db, 'Autumn 2026/27');
    const [nx8] = await db.select().from(nxPoints).where(eq(nxPoints.code, 'NX8'));
    await db.insert(assessments).values({
      pupilId: pupil.id,
      schoolId: school.id,
      subjectId: reading,
      collectionId: autumn,
      nxPointId: nx8!.id,
      sourceId: source.id,
      rawValue: 'Y4 Secure',
    });

    expect(await refusal(() => db.delete(nxPoints).where(eq(nxPoints.id, nx8!.id)))).toBe(
      `nx_points ${nx8!.id} has landed points and cannot be deleted`,
    );
    expect(await refusal(() => db.delete(subjects).where(eq(subjects.id, reading)))).toBe(
      `subjects ${reading} has landed points and cannot be deleted`,
    );
    expect(await refusal(() => db.delete(sources).where(eq(sources.id, source.id)))).toBe(
      `sources ${source.id} has landed points and cannot be deleted`,
    );
    expect(await refusal(() => db.delete(pupils).where(eq(pupils.id, pupil.id)))).toBe(
      `pupils ${pupil.id} has landed points and cannot be deleted`,
    );
    expect(await refusal(() => db.delete(collections).where(eq(collections.id, autumn)))).toBe(
      `collections ${autumn} has landed points and cannot be deleted`,
    );
    expect(await refusal(() => db.delete(schools).where(eq(schools.id, school.id)))).toContain(
      'cannot be deleted',
    );
    expect(await db.select().from(nxPoints).where(eq(nxPoints.id, nx8!.id))).toHaveLength(1);
    expect(await db.select().from(pupils).where(eq(pupils.id, pupil.id))).toHaveLength(1);

    // A source and a pupil with no points go.
    const spare = await createSource(db, school.id, 'wonde');
    await db.delete(sources).where(eq(sources.id, spare.id));
    const newcomer = await createPupil(db, school.id, {
      upn: makeUpn(801, 2000, 19, 2),
      firstName: 'Oliver',
      lastName: 'Nowak',
    });
    await db.delete(pupils).where(eq(pupils.id, newcomer.id));
    const [left] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(sources)
      .where(eq(sources.id, spare.id));
    expect(left!.n).toBe(0);
    expect(await db.select().from(pupils).where(eq(pupils.id, newcomer.id))).toHaveLength(0);
  });
});
