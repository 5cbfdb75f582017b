import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../src/db/index.ts';
import { rows } from '../../src/db/rows.ts';
import { assessments, collections, nxPoints, pupils, subjects } from '../../src/db/schema.ts';
import { academicYearStartOf } from '../../src/domain/school-year.ts';
import { type DeriveOutcome, deriveSchool } from '../../src/sync/derive.ts';
import { TODAY } from './fixtures.ts';

/** Landed points as "Surname subject NXn (collection)", sorted: easy to compare whole. */
export async function landedPoints(db: Db): Promise<string[]> {
  const found = await db
    .select({
      surname: pupils.lastName,
      subject: subjects.code,
      code: nxPoints.code,
      collection: collections.label,
    })
    .from(assessments)
    .innerJoin(pupils, eq(pupils.id, assessments.pupilId))
    .innerJoin(subjects, eq(subjects.id, assessments.subjectId))
    .innerJoin(nxPoints, eq(nxPoints.id, assessments.nxPointId))
    .innerJoin(collections, eq(collections.id, assessments.collectionId))
    .orderBy(asc(pupils.lastName), asc(subjects.position));
  return found.map((row) => `${row.surname} ${row.subject} ${row.code} (${row.collection})`);
}

/** Every row of the tables a sync writes, to show that a sync wrote nothing. */
export async function syncedRows(db: Db) {
  const tables = ['pupils', 'source_pupils', 'staged_results', 'assessments', 'aspects'];
  const snapshot: Record<string, unknown[]> = {};
  for (const table of tables) {
    snapshot[table] = await rows(
      db,
      sql`select to_jsonb(t) as row from ${sql.identifier(table)} t order by 1::text`,
    );
  }
  return snapshot;
}

/**
 * Derives each school alone and whole, in a transaction rolled back: what each derivation says it
 * changed, and whether the points would be the same as they are.
 */
export async function derivingAloneWouldChange(db: Db, schoolIds: readonly string[]) {
  const before = await landedPoints(db);
  const outcomes: DeriveOutcome[] = [];
  let after: string[] = [];
  await db
    .transaction(async (tx) => {
      for (const schoolId of schoolIds) {
        outcomes.push(await deriveSchool(tx, schoolId, academicYearStartOf(TODAY)));
      }
      after = await landedPoints(tx as unknown as Db);
      throw new Error('rolled back');
    })
    .catch((error: Error) => {
      if (error.message !== 'rolled back') throw error;
    });
  return { outcomes, same: JSON.stringify(after) === JSON.stringify(before) };
}
