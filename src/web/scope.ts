import { eq } from 'drizzle-orm';
import { canSeeSchool, type Principal } from '../access/principal.ts';
import type { Db } from '../db/index.ts';
import { collections, pupils, schools, sources, syncRuns } from '../db/schema.ts';
import { HttpError } from './errors.ts';

/**
 * Loading a school, source, run or pupil by id for a principal: unknown ids are 404, another
 * school's are 403. Every route that takes such an id comes through here.
 */

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function refuse(): never {
  throw new HttpError(403, 'forbidden', 'You do not have access to this school.');
}

function notFound(what: string): never {
  throw new HttpError(404, 'not_found', `There is no such ${what}.`);
}

export async function visibleSchool(db: Db, principal: Principal, schoolId: string) {
  if (!uuid.test(schoolId)) notFound('school');
  const [school] = await db.select().from(schools).where(eq(schools.id, schoolId));
  if (!school) notFound('school');
  if (!canSeeSchool(principal, school.id)) refuse();
  return school;
}

export async function visibleSource(db: Db, principal: Principal, sourceId: string) {
  if (!uuid.test(sourceId)) notFound('source');
  const [source] = await db.select().from(sources).where(eq(sources.id, sourceId));
  if (!source || source.archivedAt) notFound('source');
  if (!canSeeSchool(principal, source.schoolId)) refuse();
  return source;
}

export async function visibleRun(db: Db, principal: Principal, runId: string) {
  if (!uuid.test(runId)) notFound('sync run');
  const [run] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  if (!run) notFound('sync run');
  if (!canSeeSchool(principal, run.schoolId)) refuse();
  return run;
}

export async function visiblePupil(db: Db, principal: Principal, pupilId: string) {
  if (!uuid.test(pupilId)) notFound('pupil');
  const [pupil] = await db.select().from(pupils).where(eq(pupils.id, pupilId));
  if (!pupil) notFound('pupil');
  if (!canSeeSchool(principal, pupil.schoolId)) refuse();
  return pupil;
}

/** A collection a school's results may be placed in: a termly one, or the school's own baseline. */
export async function collectionForSchool(db: Db, schoolId: string, collectionId: number) {
  const [collection] = await db.select().from(collections).where(eq(collections.id, collectionId));
  if (!collection) notFound('collection');
  if (collection.schoolId !== null && collection.schoolId !== schoolId) notFound('collection');
  return collection;
}

export function requireThat(allowed: boolean, message: string) {
  if (!allowed) throw new HttpError(403, 'forbidden', message);
}
