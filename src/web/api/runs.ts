import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { canManageSources } from '../../access/principal.ts';
import type { ServiceContext } from '../../context.ts';
import { recordProblems, syncRunEvents } from '../../db/schema.ts';
import { WHAT_TO_DO } from '../../sync/failure.ts';
import { ReplayRefused, replayRun } from '../../sync/runs.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleRun } from '../scope.ts';
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
    route({
      method: 'POST',
      path: '/runs/:runId/replay',
      summary:
        'Run a sync again from what it kept (an uploaded file, or the pages a pull read), ' +
        "after a fix, without asking the school's system",
      tag: 'runs',
      status: 202,
      params: runParams,
      handler: async ({ principal, params }) => {
        const run = await visibleRun(db, principal, params.runId);
        requireThat(canManageSources(principal, run.schoolId), 'Only data leads replay runs.');
        const policy = { retentionDays: context.config.rawRetentionDays, now: context.clock.now() };
        try {
          const replay = await replayRun(db, run, principal.user.id, policy);
          return { run: replay.run, alreadyActive: !replay.created };
        } catch (error) {
          if (error instanceof ReplayRefused) throw new HttpError(400, error.code, error.message);
          throw error;
        }
      },
    }),
  ];
}
