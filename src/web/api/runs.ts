import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../context.ts';
import { recordProblems, syncRunEvents } from '../../db/schema.ts';
import { WHAT_TO_DO } from '../../sync/failure.ts';
import { visibleRun } from '../scope.ts';
import { route } from './route.ts';

const runParams = z.object({ runId: z.string() });

export function runRoutes(context: ServiceContext) {
  const { db } = context.database;
  return [
    route({
      method: 'GET',
      path: '/runs/:runId',
      summary: 'A sync run with its counts, status and what to do about a failure',
      tag: 'runs',
      params: runParams,
      handler: async ({ principal, params }) => {
        const run = await visibleRun(db, principal, params.runId);
        const {
          leaseOwner: _owner,
          leaseExpiresAt: _lease,
          checkpoint: _checkpoint,
          ...shown
        } = run;
        return {
          run: {
            ...shown,
            whatToDo: run.failureCategory ? WHAT_TO_DO[run.failureCategory] : null,
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/runs/:runId/log',
      summary: "A run's own log",
      tag: 'runs',
      params: runParams,
      handler: async ({ principal, params }) => {
        const run = await visibleRun(db, principal, params.runId);
        const events = await db
          .select()
          .from(syncRunEvents)
          .where(eq(syncRunEvents.runId, run.id))
          .orderBy(asc(syncRunEvents.id));
        return { events };
      },
    }),
    route({
      method: 'GET',
      path: '/runs/:runId/problems',
      summary: 'Records a run could not read, with where they are and what to fix',
      tag: 'runs',
      params: runParams,
      handler: async ({ principal, params }) => {
        const run = await visibleRun(db, principal, params.runId);
        const problems = await db
          .select()
          .from(recordProblems)
          .where(eq(recordProblems.runId, run.id))
          .orderBy(asc(recordProblems.id));
        return { problems };
      },
    }),
  ];
}
