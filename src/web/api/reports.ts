import { z } from 'zod';
import type { Principal } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import type { ServiceContext } from '../../context.ts';
import type { Report } from '../../reports/report.ts';
import { saveTargets, TargetError } from '../../reports/targets.ts';
import {
  canEnterTargets,
  type Opened,
  openSchoolReport,
  openTrustReport,
} from '../console/reports-scope.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool } from '../scope.ts';
import { route } from './route.ts';

/**
 * Every report as JSON, under /reports: a school's for anyone who may see the school, the
 * trust's for the trust's people. Suppressed figures carry their reason and no number, exactly
 * as the console shows them; pupils are listed only in a school's own report.
 */

const schoolParams = z.object({ schoolId: z.string() });
const reportQuery = z.object({
  collectionId: z.coerce.number().int().positive().optional(),
  point: z.string().trim().min(1).max(20).optional(),
});

type Section = (report: Report) => Promise<unknown>;

const SECTIONS: { path: string; summary: string; load: Section }[] = [
  {
    path: 'attainment',
    summary: 'Pupils at each Next Steps point by subject and year group, with who is left out',
    load: async (report) => {
      const { columns, grids } = await report.attainment();
      return { columns, subjects: grids };
    },
  },
  {
    path: 'groups',
    summary: 'Groups beside the other pupils, with gaps; small groups suppressed',
    load: async (report) => ({ subjects: await report.groups() }),
  },
  {
    path: 'over-time',
    summary: 'The same figures across recent collections',
    load: async (report) => ({ subjects: await report.overTime() }),
  },
  {
    path: 'movement',
    summary: 'Pupils up, the same or down since the previous collection and their baseline',
    load: async (report) => ({
      previous: report.previous,
      subjects: await report.movementPupils(),
      ...(report.schools.length > 1 ? { bySchool: await report.movementBySchool() } : {}),
    }),
  },
  {
    path: 'left-out',
    summary: 'Who each figure leaves out, and why',
    load: async (report) =>
      report.schools.length === 1
        ? { pupils: await report.leftOut() }
        : {
            bySchool: (await report.leftOutBySchool()).map(({ school, tallies }) => ({
              school,
              subjects: [...tallies].map(([subjectId, tally]) => ({ subjectId, ...tally })),
            })),
          },
  },
  {
    path: 'targets',
    summary: 'Most likely outcomes and phonics projections beside each review',
    load: async (report) => (await report.targets()) ?? { report: null, bySchool: [] },
  },
];

export function reportRoutes(context: ServiceContext) {
  const opened = (report: Report, school: Opened['school']) => ({
    collection: report.collection,
    previous: report.previous,
    schools: report.schools,
    point: report.chosen,
    suppressionThreshold: report.options.suppressionThreshold,
    ...(school ? { school: { id: school.id, name: school.name } } : {}),
  });
  const query = (input: z.infer<typeof reportQuery>) => ({
    collection: input.collectionId,
    point: input.point,
  });

  const schoolRoutes = SECTIONS.map((section) =>
    route({
      method: 'GET',
      path: `/reports/schools/:schoolId/${section.path}`,
      summary: `A school's report: ${lowerFirst(section.summary)}`,
      tag: 'reports',
      params: schoolParams,
      query: reportQuery,
      handler: async ({ principal, params, query: input }) => {
        const { report, school } = await openSchoolReport(
          context,
          principal,
          params.schoolId,
          query(input),
        );
        return { ...opened(report, school), ...((await section.load(report)) as object) };
      },
    }),
  );

  const trustRoutes = [
    ...SECTIONS,
    {
      path: 'schools',
      summary: 'Each school counted against the trust points',
      load: async (report: Report) => ({ schools: await report.bySchool() }),
    },
  ].map((section) =>
    route({
      method: 'GET',
      path: `/reports/trust/${section.path}`,
      summary: `The trust's report: ${lowerFirst(section.summary)}`,
      tag: 'reports',
      query: reportQuery,
      handler: async ({ principal, query: input }) => {
        const { report } = await openTrustReport(context, principal, query(input));
        return { ...opened(report, null), ...((await section.load(report)) as object) };
      },
    }),
  );

  return [...schoolRoutes, ...trustRoutes, saveTargetsRoute(context)];
}

const targetsBody = z.object({
  academicYear: z.number().int().min(1900).max(2999),
  targets: z
    .array(
      z.object({
        pupilId: z.uuid(),
        /** A subject's most likely outcome; null for the Y1 phonics projection. */
        subjectId: z.number().int().nullable(),
        /** An NX code, 'expected_to_pass' or 'not_expected_to_pass'; null clears it. */
        value: z.string().max(40).nullable(),
      }),
    )
    .min(1)
    .max(5000),
});

function saveTargetsRoute(context: ServiceContext) {
  return route({
    method: 'PUT',
    path: '/reports/schools/:schoolId/targets',
    summary: 'Set, change or clear most likely outcomes and phonics projections, all or nothing',
    tag: 'reports',
    params: schoolParams,
    body: targetsBody,
    handler: async ({ principal, params, body }) => {
      const school = await visibleSchool(context.database.db, principal, params.schoolId);
      requireTargets(principal, school.id);
      try {
        const saved = await saveTargets(context.database.db, actorOf(principal), {
          schoolId: school.id,
          startYear: body.academicYear,
          today: context.clock.today(),
          via: 'api',
          changes: body.targets.map((target, index) => ({
            ...target,
            where: `targets[${index}]`,
          })),
        });
        return { saved };
      } catch (error) {
        if (error instanceof TargetError) {
          throw new HttpError(422, 'invalid_targets', error.problems.join(' '));
        }
        throw error;
      }
    },
  });
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function requireTargets(principal: Principal, schoolId: string) {
  requireThat(
    canEnterTargets(principal, schoolId),
    "Only the school's data lead or a trust admin enters targets.",
  );
}
