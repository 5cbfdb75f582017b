import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { subjects } from '../db/schema.ts';
import { DEFAULT_SUBJECTS } from '../domain/nx-scale.ts';
import { seedGradeLibrary } from '../sync/mapping.ts';
import { seedScale } from './scale.ts';
import { seedSchoolYears } from './school-year.ts';
import { ensureBaselines } from './schools.ts';

/**
 * Reference data every trust starts with: the Next Steps scale, the default subjects, the
 * current and next school year, and the library of standard grade codes as proposals. Safe to
 * run at every start: it only adds what is missing, and runs under a lock so that two instances
 * starting together do not both add it.
 */
export async function seedReferenceData(db: Db, today: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7311402027)`);
    await seedScale(tx);
    await tx
      .insert(subjects)
      .values(DEFAULT_SUBJECTS.map((subject, index) => ({ ...subject, position: index + 1 })))
      .onConflictDoNothing();
    await seedSchoolYears(tx, today);
    await seedGradeLibrary(tx);
    await ensureBaselines(tx);
  });
}
