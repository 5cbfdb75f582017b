import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit.ts';
import type { Db, Executor } from '../db/index.ts';
import { academicYears, collections, schools, terms } from '../db/schema.ts';
import { baselineCollection } from '../domain/baseline.ts';
import { isIsoDate } from '../domain/iso-date.ts';
import { LA_CODES } from '../domain/la-codes.ts';
import { loadSchoolYears } from './school-year.ts';

/**
 * The trust's schools. A school that joins gets its baseline collection worked out from its
 * conversion date (8.3) as soon as the school year calendar reaches it.
 */

export type School = typeof schools.$inferSelect;

export const schoolInput = z.object({
  name: z.string().trim().min(3, 'Give the school its full name.').max(120),
  urn: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'A URN is 6 digits, as on Get Information about Schools.'),
  laestab: z
    .string()
    .trim()
    .regex(/^\d{7}$/, 'A LAESTAB is 7 digits: the LA code then the establishment number.')
    .refine((value) => LA_CODES.has(value.slice(0, 3)), {
      message: 'The first three digits of the LAESTAB are not a local authority code.',
    }),
  phase: z.enum(['primary', 'secondary', 'all_through', 'special', 'alternative_provision'], {
    error: 'Choose the school’s phase.',
  }),
  setting: z.enum(['mainstream', 'specialist'], {
    error: 'Choose mainstream or specialist.',
  }),
  joinedTrustOn: z
    .string()
    .refine(isIsoDate, { message: 'Give the conversion date as a date, such as 2026-11-01.' }),
});

export type SchoolInput = z.infer<typeof schoolInput>;

export class SchoolError extends Error {
  override name = 'SchoolError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export async function addSchool(db: Db, actor: Actor, input: SchoolInput): Promise<School> {
  const parsed = schoolInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SchoolError(String(issue.path[0] ?? 'school'), issue.message);
  }
  return db.transaction(async (tx) => {
    const [clash] = await tx
      .select({ name: schools.name })
      .from(schools)
      .where(eq(schools.urn, parsed.data.urn));
    if (clash) throw new SchoolError('urn', `URN ${parsed.data.urn} is already ${clash.name}.`);
    const [sameLaestab] = await tx
      .select({ name: schools.name })
      .from(schools)
      .where(eq(schools.laestab, parsed.data.laestab));
    if (sameLaestab) {
      throw new SchoolError(
        'laestab',
        `LAESTAB ${parsed.data.laestab} is already ${sameLaestab.name}.`,
      );
    }
    const [school] = await tx.insert(schools).values(parsed.data).returning();
    await recordAudit(tx, actor, {
      action: 'school.create',
      entityType: 'school',
      entityId: school!.id,
      schoolId: school!.id,
      details: { ...parsed.data },
    });
    await ensureBaseline(tx, school!);
    return school!;
  });
}

/**
 * Creates the school's baseline collection when its conversion date puts the baseline inside the
 * stored school year; returns it, or null when the school's baseline lies outside (long ago, or
 * in a year not yet in the calendar).
 */
export async function ensureBaseline(executor: Executor, school: School) {
  const [existing] = await executor
    .select()
    .from(collections)
    .where(and(eq(collections.kind, 'baseline'), eq(collections.schoolId, school.id)));
  if (existing) return existing;

  const baseline = baselineCollection(await loadSchoolYears(executor), school.joinedTrustOn);
  if (!baseline) return null;
  const [term] = await executor
    .select({
      id: terms.id,
      yearId: academicYears.id,
      endsOn: terms.endsOn,
      label: academicYears.label,
    })
    .from(terms)
    .innerJoin(academicYears, eq(academicYears.id, terms.academicYearId))
    .where(and(eq(academicYears.startYear, baseline.startYear), eq(terms.kind, baseline.term)));
  if (!term) return null;
  const termName = baseline.term.charAt(0).toUpperCase() + baseline.term.slice(1);
  const [created] = await executor
    .insert(collections)
    .values({
      academicYearId: term.yearId,
      termId: term.id,
      kind: 'baseline',
      schoolId: school.id,
      label: `Baseline (${termName} ${term.label})`,
      collectionDate: term.endsOn,
    })
    .returning();
  return created!;
}

/** Works out the baselines of every active school; run after the calendar gains a year. */
export async function ensureBaselines(executor: Executor) {
  const active = await executor.select().from(schools).where(eq(schools.status, 'active'));
  for (const school of active) await ensureBaseline(executor, school);
}
