import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/audit.ts';
import { collections } from '../../src/db/schema.ts';
import { addDays } from '../../src/domain/iso-date.ts';
import { englishAcademicYear } from '../../src/domain/school-year.ts';
import { addSchool, SchoolError } from '../../src/trust/schools.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { seedTrust } from '../support/fixtures.ts';

const autumn2026 = englishAcademicYear(2026).terms[0];

let database: TestDatabase;
let urn = 149000;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
});
afterAll(() => database.close());

async function baselineFor(joinedTrustOn: string) {
  urn += 1;
  const school = await addSchool(database.db, SYSTEM_ACTOR, {
    name: `Converter ${urn}`,
    urn: String(urn),
    laestab: `801${String(urn).slice(-4)}`,
    phase: 'primary',
    setting: 'mainstream',
    joinedTrustOn,
  });
  const [baseline] = await database.db
    .select()
    .from(collections)
    .where(and(eq(collections.kind, 'baseline'), eq(collections.schoolId, school.id)));
  return baseline ? `${baseline.label} on ${baseline.collectionDate}` : null;
}

describe("a newly converted school's baseline (8.3)", () => {
  it('is autumn when the school converts on the first day of autumn term', async () => {
    expect(await baselineFor(autumn2026.startsOn)).toBe(
      `Baseline (Autumn 2026/27) on ${autumn2026.endsOn}`,
    );
  });

  it('is autumn when it converts on the first day of autumn half term 2', async () => {
    expect(await baselineFor(autumn2026.halfTerms[1].startsOn)).toBe(
      `Baseline (Autumn 2026/27) on ${autumn2026.endsOn}`,
    );
  });

  it('is the spring collection when it converts two weeks into autumn half term 2', async () => {
    const spring = englishAcademicYear(2026).terms[1];
    expect(await baselineFor(addDays(autumn2026.halfTerms[1].startsOn, 14))).toBe(
      `Baseline (Spring 2026/27) on ${spring.endsOn}`,
    );
  });

  it('is the autumn collection when it converts in the summer holiday', async () => {
    expect(await baselineFor('2026-08-01')).toBe(
      `Baseline (Autumn 2026/27) on ${autumn2026.endsOn}`,
    );
  });

  it('has no baseline when it converted years ago, before the stored calendar', async () => {
    expect(await baselineFor('2015-09-01')).toBeNull();
  });

  it('refuses a LAESTAB whose first digits are not a local authority', async () => {
    await expect(
      addSchool(database.db, SYSTEM_ACTOR, {
        name: 'Nowhere Academy',
        urn: '150001',
        laestab: '9990001',
        phase: 'primary',
        setting: 'mainstream',
        joinedTrustOn: '2026-09-01',
      }),
    ).rejects.toThrow(SchoolError);
  });
});
