import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { canManageSources } from '../../access/principal.ts';
import { connectorKind } from '../../connectors/registry.ts';
import { sources } from '../../db/schema.ts';
import { WHAT_TO_DO } from '../../sync/failure.ts';
import { ReplayRefused, replayRun, type SyncRun } from '../../sync/runs.ts';
import { principalOf } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleRun, visibleSchool } from '../scope.ts';
import { runCounts, runView } from '../views/run.ts';
import { isActive } from './health.ts';
import { runEvents, runProblems, uploadedFileName } from './queries.ts';
import { csrfOf, isFragment, prepare, type Site, sendPage, sendRedirect } from './respond.ts';

const runParams = z.object({ runId: z.string() });
/** A file with thousands of bad rows lists the first ones; the count says how many in all. */
const PROBLEMS_SHOWN = 500;

/** A run's own log page, and the counts fragment a running run's page polls. */
export function runRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  app.get('/runs/:runId', async (request, reply) => {
    const principal = principalOf(request);
    const { runId } = runParams.parse(request.params);
    const run = await visibleRun(db, principal, runId);
    const school = await visibleSchool(db, principal, run.schoolId);
    const [source] = await db
      .select({ id: sources.id, name: sources.name, kind: sources.kind })
      .from(sources)
      .where(eq(sources.id, run.sourceId));
    const problems = await runProblems(db, run.id, PROBLEMS_SHOWN);
    const fileName = await uploadedFileName(db, run);
    const main = runView({
      crumbs: [
        { href: '/', label: 'Home' },
        { href: `/schools/${school.id}`, label: school.name },
        { href: `/sources/${run.sourceId}`, label: source?.name ?? 'Source' },
        { href: null, label: 'Run' },
      ],
      run: {
        ...run,
        durationMs:
          run.startedAt && run.finishedAt
            ? run.finishedAt.getTime() - run.startedAt.getTime()
            : null,
      },
      source: source ?? { id: run.sourceId, name: 'a removed source' },
      school: { id: school.id, name: school.name },
      fileName,
      whatToDo: run.failureCategory ? WHAT_TO_DO[run.failureCategory] : null,
      events: await runEvents(db, run.id),
      problems,
      problemsShown: problems.length,
      replay: canManageSources(principal, run.schoolId)
        ? replayOffered(run, fileName, source?.kind ?? null)
        : null,
      csrf: csrfOf(request),
    });
    return sendPage(site, request, reply, { title: 'Sync run', main });
  });

  app.post('/runs/:runId/replay', async (request, reply) => {
    const principal = principalOf(request);
    const { runId } = runParams.parse(request.params);
    const run = await visibleRun(db, principal, runId);
    requireThat(
      canManageSources(principal, run.schoolId),
      "Only the school's data lead or a trust admin can replay a run.",
    );
    const policy = {
      retentionDays: site.context.config.rawRetentionDays,
      now: site.context.clock.now(),
    };
    const replay = await replayRun(db, run, principal.user.id, policy).catch((error: unknown) => {
      if (error instanceof ReplayRefused) throw new HttpError(409, error.code, error.message);
      throw error;
    });
    return sendRedirect(request, reply, `/runs/${replay.run.id}`);
  });

  app.get('/runs/:runId/progress', async (request, reply) => {
    const principal = principalOf(request);
    const { runId } = runParams.parse(request.params);
    const run = await visibleRun(db, principal, runId);
    if (!isFragment(request)) return reply.redirect(`/runs/${run.id}`, 303);
    prepare(reply);
    // Once the run has finished, the whole page reloads to show its outcome and problems.
    if (!isActive(run.status)) reply.header('HX-Refresh', 'true');
    return reply.send(runCounts(run));
  });
}

/**
 * What a run's page offers to do again: read its kept file, or replay the pages a pull from a
 * school's system kept. Whether they are still kept is said when the replay is asked for.
 */
function replayOffered(
  run: SyncRun,
  fileName: string | null,
  kind: string | null,
): 'file' | 'pages' | null {
  if (isActive(run.status)) return null;
  if (fileName !== null) return 'file';
  const connector = kind ? connectorKind(kind) : null;
  if (connector?.transport !== 'api' || !connector.replay) return null;
  const finished = run.status === 'succeeded' || run.status === 'succeeded_with_warnings';
  return finished ? 'pages' : null;
}
