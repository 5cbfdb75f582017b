import { and, asc, desc, eq, isNull, or } from 'drizzle-orm';
import { z } from 'zod';
import { canDecide, canPropose, canSeeSchool, schoolScope } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import type { ServiceContext } from '../../context.ts';
import { aspects, gradeRules, subjectMappings } from '../../db/schema.ts';
import {
  decideGradeRules,
  decideSubjectMappings,
  gradeRuleHistory,
  MappingError,
  proposeGradeRule,
  proposeSubjectMapping,
} from '../../sync/mapping.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool } from '../scope.ts';
import { route } from './route.ts';

const decision = z.object({
  decision: z.enum(['confirm', 'reject']),
  reason: z.string().trim().max(500).default(''),
});

const ruleBody = z.object({
  ruleKey: z.uuid().optional(),
  schoolId: z.uuid().nullable(),
  subjectId: z.number().int().nullable().default(null),
  aspectId: z.number().int().nullable().default(null),
  gradeSet: z.string().nullable().default(null),
  yearFrom: z.number().int().min(-2).max(14).nullable().default(null),
  yearTo: z.number().int().min(-2).max(14).nullable().default(null),
  match: z.enum(['value', 'range', 'alias']),
  value: z.string().max(100).nullable().default(null),
  rangeMin: z.number().nullable().default(null),
  rangeMax: z.number().nullable().default(null),
  aliasOf: z.string().max(100).nullable().default(null),
  nxPointId: z.uuid().nullable().default(null),
  reason: z.string().trim().min(1, 'say why this rule is right').max(500),
});

export function mappingRoutes(context: ServiceContext) {
  const { db } = context.database;
  const today = () => context.clock.today();

  const aspectFor = async (principal: Parameters<typeof canSeeSchool>[0], aspectId: number) => {
    const [aspect] = await db.select().from(aspects).where(eq(aspects.id, aspectId));
    if (!aspect) throw new HttpError(404, 'not_found', 'There is no such aspect.');
    requireThat(canSeeSchool(principal, aspect.schoolId), 'You do not have access to this school.');
    return aspect;
  };

  // A new version retires the rule's waiting one, so it stays with the rule's own school.
  const ruleOfSchool = async (
    principal: Parameters<typeof canSeeSchool>[0],
    ruleKey: string,
    schoolId: string | null,
  ) => {
    const [first] = await gradeRuleHistory(db, ruleKey);
    if (!first) return;
    if (first.schoolId) await visibleSchool(db, principal, first.schoolId);
    requireThat(first.schoolId === schoolId, 'A new version of a rule is for the same school.');
  };

  const asApiError = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof MappingError) throw new HttpError(400, 'invalid_mapping', error.message);
      throw error;
    }
  };

  return [
    route({
      method: 'GET',
      path: '/schools/:schoolId/aspects',
      summary: "A school's aspects with their subject mappings, current and proposed",
      tag: 'mapping',
      params: z.object({ schoolId: z.string() }),
      handler: async ({ principal, params }) => {
        const school = await visibleSchool(db, principal, params.schoolId);
        const found = await db
          .select()
          .from(aspects)
          .where(eq(aspects.schoolId, school.id))
          .orderBy(asc(aspects.name));
        const mappings = await db
          .select()
          .from(subjectMappings)
          .innerJoin(aspects, eq(aspects.id, subjectMappings.aspectId))
          .where(eq(aspects.schoolId, school.id))
          .orderBy(asc(subjectMappings.version));
        return {
          aspects: found.map((aspect) => ({
            ...aspect,
            mappings: mappings
              .filter((row) => row.subject_mappings.aspectId === aspect.id)
              .map((row) => row.subject_mappings),
          })),
        };
      },
    }),
    route({
      method: 'POST',
      path: '/aspects/:aspectId/subject-mappings',
      summary: 'Propose the subject an aspect counts for, or that it is not a trust subject',
      tag: 'mapping',
      status: 201,
      params: z.object({ aspectId: z.coerce.number().int() }),
      body: z.object({
        subjectId: z.number().int().nullable(),
        ignored: z.boolean().default(false),
        reason: z.string().trim().min(1, 'say why').max(500),
      }),
      handler: async ({ principal, params, body }) => {
        const aspect = await aspectFor(principal, params.aspectId);
        requireThat(canPropose(principal, aspect.schoolId), 'You cannot propose mappings here.');
        const mapping = await asApiError(() =>
          proposeSubjectMapping(db, actorOf(principal), { aspectId: aspect.id, ...body }),
        );
        return { mapping };
      },
    }),
    route({
      method: 'POST',
      path: '/subject-mappings/:mappingId/decision',
      summary: 'Confirm or reject a proposed subject mapping (subject leaders)',
      tag: 'mapping',
      params: z.object({ mappingId: z.coerce.number().int() }),
      body: decision,
      handler: async ({ principal, params, body }) => {
        const [mapping] = await db
          .select()
          .from(subjectMappings)
          .where(eq(subjectMappings.id, params.mappingId));
        if (!mapping) throw new HttpError(404, 'not_found', 'There is no such mapping.');
        const aspect = await aspectFor(principal, mapping.aspectId);
        requireThat(
          canDecide(principal, aspect.schoolId, mapping.subjectId),
          'Only a subject leader for this school and subject can decide this mapping.',
        );
        const effect = await asApiError(() =>
          decideSubjectMappings(db, actorOf(principal), [mapping.id], body, today()),
        );
        return { effect };
      },
    }),
    route({
      method: 'GET',
      path: '/grade-rules',
      summary: 'Grade mapping rules: the trust library and the schools you can see',
      tag: 'mapping',
      query: z.object({
        schoolId: z.uuid().optional(),
        status: z.enum(['proposed', 'confirmed', 'rejected', 'superseded']).optional(),
      }),
      handler: async ({ principal, query }) => {
        if (query.schoolId) await visibleSchool(db, principal, query.schoolId);
        const scope = schoolScope(principal);
        const found = await db
          .select()
          .from(gradeRules)
          .where(
            and(
              query.schoolId
                ? or(isNull(gradeRules.schoolId), eq(gradeRules.schoolId, query.schoolId))
                : undefined,
              query.status ? eq(gradeRules.status, query.status) : undefined,
            ),
          )
          .orderBy(desc(gradeRules.id));
        const visible = found.filter(
          (rule) => rule.schoolId === null || scope === 'all' || scope.includes(rule.schoolId),
        );
        return { rules: visible };
      },
    }),
    route({
      method: 'POST',
      path: '/grade-rules',
      summary: 'Propose a grade rule, or a new version of one (give its ruleKey)',
      tag: 'mapping',
      status: 201,
      body: ruleBody,
      handler: async ({ principal, body }) => {
        if (body.schoolId) await visibleSchool(db, principal, body.schoolId);
        requireThat(canPropose(principal, body.schoolId), 'You cannot propose rules here.');
        if (body.aspectId !== null) await aspectFor(principal, body.aspectId);
        if (body.ruleKey) await ruleOfSchool(principal, body.ruleKey, body.schoolId);
        const rule = await asApiError(() => proposeGradeRule(db, actorOf(principal), body));
        return { rule };
      },
    }),
    route({
      method: 'POST',
      path: '/grade-rules/:ruleId/decision',
      summary: 'Confirm or reject a proposed rule version; re-derives what it touches at once',
      tag: 'mapping',
      params: z.object({ ruleId: z.coerce.number().int() }),
      body: decision,
      handler: async ({ principal, params, body }) => {
        const [rule] = await db.select().from(gradeRules).where(eq(gradeRules.id, params.ruleId));
        if (!rule) throw new HttpError(404, 'not_found', 'There is no such rule.');
        if (rule.schoolId) await visibleSchool(db, principal, rule.schoolId);
        requireThat(
          canDecide(principal, rule.schoolId, rule.subjectId),
          'Only a subject leader for this school and subject can decide this rule.',
        );
        const effect = await asApiError(() =>
          decideGradeRules(db, actorOf(principal), [rule.id], body, today()),
        );
        return { effect };
      },
    }),
    route({
      method: 'GET',
      path: '/grade-rules/:ruleKey/history',
      summary: "A rule's versions: who proposed and decided each, when and why",
      tag: 'mapping',
      params: z.object({ ruleKey: z.uuid() }),
      handler: async ({ principal, params }) => {
        const versions = await gradeRuleHistory(db, params.ruleKey);
        if (versions.length === 0) throw new HttpError(404, 'not_found', 'There is no such rule.');
        const schoolId = versions[0]!.schoolId;
        if (schoolId) await visibleSchool(db, principal, schoolId);
        return { versions };
      },
    }),
  ];
}
