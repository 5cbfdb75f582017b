import { and, eq, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { canManageSources, canReviewConflict, schoolScope } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import type { ServiceContext } from '../../context.ts';
import { textAsBytes } from '../../db/bytes.ts';
import type { Db } from '../../db/index.ts';
import { pupilMatchSuggestions, pupils, sourcePupils } from '../../db/schema.ts';
import {
  ConflictError,
  findConflict,
  listConflicts,
  reviewConflict,
} from '../../sync/conflicts.ts';
import { decideMatch, IdentityError } from '../../sync/identity.ts';
import {
  EXCLUSION_REASON_TEXT,
  excludedPupilsJson,
  MISSING_REASON_TEXT,
  missingPupilsJson,
  orphanResults,
  unmappedValues,
} from '../../sync/reconcile.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool } from '../scope.ts';
import { route } from './route.ts';

export function reconcileRoutes(context: ServiceContext) {
  const { db } = context.database;
  return [
    route({
      method: 'GET',
      path: '/schools/:schoolId/unmapped-values',
      summary: 'Values no confirmed rule maps yet, with pupil counts and when they were seen',
      tag: 'reconciliation',
      params: z.object({ schoolId: z.string() }),
      query: z.object({ collectionId: z.coerce.number().int().optional() }),
      handler: async ({ principal, params, query }) => {
        const school = await visibleSchool(db, principal, params.schoolId);
        return {
          unmapped: await unmappedValues(db, school.id, query.collectionId ?? null),
          orphans: await orphanResults(db, school.id),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/schools/:schoolId/missing-pupils',
      summary: 'Pupils on roll with no landed point, each with why; and who was left out',
      tag: 'reconciliation',
      params: z.object({ schoolId: z.string() }),
      query: z.object({
        collectionId: z.coerce.number().int(),
        subjectId: z.coerce.number().int(),
      }),
      handler: async ({ principal, params, query, reply }) => {
        const school = await visibleSchool(db, principal, params.schoolId);
        const scope = { schoolId: school.id, ...query };
        const missing = await missingPupilsJson(db, scope, MISSING_REASON_TEXT);
        const excluded = await excludedPupilsJson(db, scope, EXCLUSION_REASON_TEXT);
        return reply
          .type('application/json; charset=utf-8')
          .send(
            Buffer.concat([
              Buffer.from('{"missing":'),
              missing,
              Buffer.from(',"excluded":'),
              excluded,
              Buffer.from('}'),
            ]),
          );
      },
    }),
    route({
      method: 'GET',
      path: '/assessments',
      summary: 'Landed Next Steps points with their provenance, a page at a time',
      tag: 'assessments',
      query: z.object({
        schoolId: z.uuid().optional(),
        collectionId: z.coerce.number().int().optional(),
        subjectId: z.coerce.number().int().optional(),
        limit: z.coerce.number().int().min(1).max(5000).default(1000),
        after: z.coerce.number().int().default(0),
      }),
      handler: async ({ principal, query, reply }) => {
        if (query.schoolId) await visibleSchool(db, principal, query.schoolId);
        const page = await landedPage(db, schoolScope(principal), query);
        return reply.type('application/json; charset=utf-8').send(page);
      },
    }),
    route({
      method: 'GET',
      path: '/schools/:schoolId/conflicts',
      summary: 'Results two sources gave for one pupil, subject and collection, and which landed',
      tag: 'reconciliation',
      params: z.object({ schoolId: z.string() }),
      query: z.object({ status: z.enum(['open', 'reviewed', 'all']).default('open') }),
      handler: async ({ principal, params, query }) => {
        const school = await visibleSchool(db, principal, params.schoolId);
        return { conflicts: await listConflicts(db, school.id, query.status) };
      },
    }),
    route({
      method: 'POST',
      path: '/conflicts/:conflictId/review',
      summary: 'Mark a conflict reviewed, saying why the kept result stands',
      tag: 'reconciliation',
      params: z.object({ conflictId: z.coerce.number().int() }),
      body: z.object({ note: z.string().trim().min(1).max(500) }),
      handler: async ({ principal, params, body }) => {
        const found = await findConflict(db, params.conflictId);
        if (!found) throw new HttpError(404, 'not_found', 'There is no such conflict.');
        await visibleSchool(db, principal, found.schoolId);
        requireThat(
          canReviewConflict(principal, found.schoolId, found.conflict.subject.id),
          "Only the school's data lead, its subject leader or a trust admin reviews conflicts.",
        );
        try {
          return {
            conflict: await reviewConflict(db, actorOf(principal), params.conflictId, body.note),
          };
        } catch (error) {
          if (error instanceof ConflictError) {
            throw new HttpError(error.code === 'not_found' ? 404 : 409, error.code, error.message);
          }
          throw error;
        }
      },
    }),
    route({
      method: 'GET',
      path: '/schools/:schoolId/match-suggestions',
      summary: 'Records matched to a pupil only by name and date of birth, waiting for a person',
      tag: 'reconciliation',
      params: z.object({ schoolId: z.string() }),
      handler: async ({ principal, params }) => {
        const school = await visibleSchool(db, principal, params.schoolId);
        const found = await db
          .select({
            id: pupilMatchSuggestions.id,
            reason: pupilMatchSuggestions.reason,
            pupilId: pupils.id,
            firstName: pupils.firstName,
            lastName: pupils.lastName,
            dateOfBirth: pupils.dateOfBirth,
            upn: pupils.upn,
            sourceExternalId: sourcePupils.externalId,
            sourceUpn: sourcePupils.upn,
          })
          .from(pupilMatchSuggestions)
          .innerJoin(pupils, eq(pupils.id, pupilMatchSuggestions.pupilId))
          .innerJoin(sourcePupils, eq(sourcePupils.id, pupilMatchSuggestions.sourcePupilId))
          .where(and(eq(pupils.schoolId, school.id), eq(pupilMatchSuggestions.status, 'open')));
        return { suggestions: found };
      },
    }),
    route({
      method: 'POST',
      path: '/match-suggestions/:suggestionId/decision',
      summary: 'Say whether a suggested match is the same pupil; re-derives the school at once',
      tag: 'reconciliation',
      params: z.object({ suggestionId: z.coerce.number().int() }),
      body: z.object({ samePupil: z.boolean() }),
      handler: async ({ principal, params, body }) => {
        const [suggestion] = await db
          .select({ schoolId: pupils.schoolId })
          .from(pupilMatchSuggestions)
          .innerJoin(pupils, eq(pupils.id, pupilMatchSuggestions.pupilId))
          .where(eq(pupilMatchSuggestions.id, params.suggestionId));
        if (!suggestion) throw new HttpError(404, 'not_found', 'There is no such suggestion.');
        await visibleSchool(db, principal, suggestion.schoolId);
        requireThat(
          canManageSources(principal, suggestion.schoolId),
          "Only the school's data lead or a trust admin can decide who a pupil is.",
        );
        try {
          const effect = await decideMatch(
            db,
            actorOf(principal),
            params.suggestionId,
            body.samePupil,
            context.clock.today(),
          );
          return { effect };
        } catch (error) {
          if (error instanceof IdentityError) throw new HttpError(409, 'decided', error.message);
          throw error;
        }
      },
    }),
  ];
}

const EMPTY_PAGE = '{"assessments":[],"next":null}';

/**
 * A page of landed points as the JSON the API answers with, each point written as text by the
 * database and the page joined there too: the service passes its bytes on. Written by
 * concatenation rather than `json_agg`, which costs the database twice the query itself; fields
 * that hold what a school typed go through `to_json`, which escapes them, and the rest (ids,
 * dates, times) need no escaping.
 */
export async function landedPage(
  db: Db,
  scope: 'all' | readonly string[],
  query: {
    schoolId?: string;
    collectionId?: number;
    subjectId?: number;
    limit: number;
    after: number;
  },
): Promise<Buffer> {
  if (scope !== 'all' && scope.length === 0) return Buffer.from(EMPTY_PAGE);
  const conditions = [
    sql`a.id > ${query.after}`,
    query.schoolId ? sql`a.school_id = ${query.schoolId}` : undefined,
    scope === 'all' ? undefined : sql`a.school_id in ${[...scope]}`,
    query.collectionId ? sql`a.collection_id = ${query.collectionId}` : undefined,
    query.subjectId ? sql`a.subject_id = ${query.subjectId}` : undefined,
  ].filter((condition) => condition !== undefined);
  const quoted = (value: SQL) => sql`coalesce('"' || ${value} || '"', 'null')`;
  const page = await textAsBytes(
    db,
    sql`
    select '{"assessments":[' || coalesce(string_agg('{"id":' || a.id || ',"pupilId":"' || a.pupil_id
        || '","upn":' || coalesce(to_json(p.upn)::text, 'null')
        || ',"schoolId":"' || a.school_id || '","collectionId":' || a.collection_id
        || ',"subject":' || to_json(s.code)::text || ',"nxPointId":"' || a.nx_point_id
        || '","nxCode":' || to_json(n.code)::text || ',"rawValue":' || to_json(a.raw_value)::text
        || ',"sourceId":' || ${quoted(sql`a.source_id`)} || ',"runId":' || ${quoted(sql`a.run_id`)}
        || ',"gradeRuleId":' || coalesce(a.grade_rule_id::text, 'null')
        || ',"assessedOn":' || ${quoted(sql`to_char(a.assessed_on, 'YYYY-MM-DD')`)}
        || ',"landedAt":"'
        || to_char(a.landed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"}',
      ',' order by a.id), '') || '],"next":'
      || case when count(*) = ${query.limit} then max(a.id)::text else 'null' end || '}'
    from (
      select * from assessments a
      where ${sql.join(conditions, sql` and `)}
      -- Keyset paging: stable while new points land.
      order by a.id
      limit ${query.limit}
    ) a
    join pupils p on p.id = a.pupil_id
    join subjects s on s.id = a.subject_id
    join nx_points n on n.id = a.nx_point_id`,
  );
  return page ?? Buffer.from(EMPTY_PAGE);
}
