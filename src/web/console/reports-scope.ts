import { z } from 'zod';
import { canManageSources, isTrustWide, type Principal } from '../../access/principal.ts';
import type { ServiceContext } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import { reportCollections } from '../../reports/collections.ts';
import { Report, ReportError } from '../../reports/report.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool } from '../scope.ts';
import { pickCollection } from './choices.ts';
import { type School, schoolsInScope } from './queries.ts';

/**
 * Opening a report for whoever asks, for the console and the JSON API alike: a school's report
 * for anyone who may see the school (its staff, governors and the trust's people), the trust's
 * summary for the trust's people only. A school's staff never see another school's figures.
 */

export const reportQuery = z.object({
  collection: z.coerce.number().int().positive().optional().catch(undefined),
  point: z
    .string()
    .trim()
    .max(20)
    .transform((value) => value || undefined)
    .optional()
    .catch(undefined),
});

export type ReportQuery = z.infer<typeof reportQuery>;

export interface Opened {
  report: Report;
  school: School | null;
}

export async function openSchoolReport(
  context: ServiceContext,
  principal: Principal,
  schoolId: string,
  query: ReportQuery,
): Promise<Opened & { school: School }> {
  const { db } = context.database;
  const school = await visibleSchool(db, principal, schoolId);
  const report = await open(context, [school.id], query);
  return { report, school };
}

export async function openTrustReport(
  context: ServiceContext,
  principal: Principal,
  query: ReportQuery,
): Promise<Opened> {
  requireThat(
    isTrustWide(principal),
    "The trust's summary covers every school; your reports are your school's.",
  );
  const schools = await schoolsInScope(context.database.db, principal);
  const report = await open(
    context,
    schools.map((school) => school.id),
    query,
  );
  return { report, school: null };
}

/** Entering targets: the school's data lead, or a trust admin (5.1.4). */
export function canEnterTargets(principal: Principal, schoolId: string): boolean {
  return canManageSources(principal, schoolId);
}

async function open(context: ServiceContext, schoolIds: string[], query: ReportQuery) {
  const db: Db = context.database.db;
  const today = context.clock.today();
  const collection = pickCollection(await reportCollections(db), today, query.collection ?? null);
  if (!collection) {
    throw new HttpError(404, 'not_found', 'There is no collection to report on yet.');
  }
  try {
    return await Report.open(db, {
      schoolIds,
      collectionId: collection.id,
      today,
      suppressionThreshold: context.config.suppressionThreshold,
      point: query.point ?? null,
    });
  } catch (error) {
    if (error instanceof ReportError) throw new HttpError(400, 'invalid_request', error.message);
    throw error;
  }
}

/** "?collection=16&point=NX8", for links that keep what the reader chose. */
export function querySuffix(report: Report): string {
  const parts = [`collection=${report.collection.id}`];
  if (report.chosen) parts.push(`point=${encodeURIComponent(report.chosen.code)}`);
  return `?${parts.join('&')}`;
}
