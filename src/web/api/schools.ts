import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { canAdminister, schoolScope } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import type { ServiceContext } from '../../context.ts';
import { academicYears, collections, schools, subjects } from '../../db/schema.ts';
import { addSchool, SchoolError, schoolInput } from '../../trust/schools.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool } from '../scope.ts';
import { route } from './route.ts';

const schoolParams = z.object({ schoolId: z.string() });

export function schoolRoutes(context: ServiceContext) {
  const { db } = context.database;
  return [
    route({
      method: 'GET',
      path: '/schools',
      summary: 'The schools you can see',
      tag: 'schools',
      handler: async ({ principal }) => {
        const scope = schoolScope(principal);
        const query = db.select().from(schools).orderBy(asc(schools.name));
        const found = scope === 'all' ? await query : await query.where(inArray(schools.id, scope));
        return { schools: found };
      },
    }),
    route({
      method: 'POST',
      path: '/schools',
      summary: 'Add a school to the trust; its baseline collection is worked out (8.3)',
      tag: 'schools',
      status: 201,
      body: schoolInput,
      handler: async ({ principal, body }) => {
        requireThat(canAdminister(principal), 'Only a trust admin can add schools.');
        try {
          const school = await addSchool(db, actorOf(principal), body);
          const [baseline] = await db
            .select()
            .from(collections)
            .where(and(eq(collections.schoolId, school.id), eq(collections.kind, 'baseline')));
          return { school, baseline: baseline ?? null };
        } catch (error) {
          if (error instanceof SchoolError)
            throw new HttpError(400, 'invalid_school', error.message);
          throw error;
        }
      },
    }),
    route({
      method: 'GET',
      path: '/schools/:schoolId',
      summary: 'One school',
      tag: 'schools',
      params: schoolParams,
      handler: async ({ principal, params }) => ({
        school: await visibleSchool(db, principal, params.schoolId),
      }),
    }),
    route({
      method: 'GET',
      path: '/collections',
      summary: 'Collection points: termly, and baselines of the schools you can see',
      tag: 'collections',
      handler: async ({ principal }) => {
        const scope = schoolScope(principal);
        const found = await db
          .select({
            id: collections.id,
            kind: collections.kind,
            label: collections.label,
            collectionDate: collections.collectionDate,
            schoolId: collections.schoolId,
            academicYear: academicYears.label,
          })
          .from(collections)
          .innerJoin(academicYears, eq(academicYears.id, collections.academicYearId))
          .orderBy(asc(collections.collectionDate));
        const visible = found.filter(
          (c) => c.schoolId === null || scope === 'all' || scope.includes(c.schoolId),
        );
        return { collections: visible };
      },
    }),
    route({
      method: 'GET',
      path: '/subjects',
      summary: 'The subjects the trust collects',
      tag: 'collections',
      handler: async () => ({
        subjects: await db.select().from(subjects).orderBy(asc(subjects.position)),
      }),
    }),
  ];
}
