import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canManageSources, type Principal } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import type { CheckResult } from '../../connectors/contract.ts';
import { connectorKind } from '../../connectors/registry.ts';
import { asSourceFailure, WHAT_TO_DO } from '../../sync/failure.ts';
import { latestRuns, requestRun } from '../../sync/runs.ts';
import { archiveSource, type Source, setPaused, sourceSecrets } from '../../sync/sources.ts';
import { principalOf } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool, visibleSource } from '../scope.ts';
import { shortDate } from '../views/format.ts';
import { type CheckView, checkView, removeSourceView, sourceView } from '../views/source.ts';
import { kindInfo } from './choices.ts';
import { sourceHealth } from './health.ts';
import { runStates } from './queries.ts';
import { csrfOf, type Site, sendFragment, sendPage, sendRedirect } from './respond.ts';

const sourceParams = z.object({ sourceId: z.string() });
const CHECK_TIMEOUT_MS = 30_000;
const HISTORY = 20;

/** Sync health per source, and the buttons that run, pause, resume and check it. */
export function sourceRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  const manageable = async (request: FastifyRequest, what: string) => {
    const principal = principalOf(request);
    const { sourceId } = sourceParams.parse(request.params);
    const source = await visibleSource(db, principal, sourceId);
    requireThat(
      canManageSources(principal, source.schoolId),
      `Only the school's data lead or a trust admin can ${what} this source.`,
    );
    return { principal, source };
  };

  app.get('/sources/:sourceId', async (request, reply) => {
    const principal = principalOf(request);
    const { sourceId } = sourceParams.parse(request.params);
    const source = await visibleSource(db, principal, sourceId);
    const main = await sourcePage(site, principal, source, csrfOf(request), null);
    return sendPage(site, request, reply, { title: `Sync health: ${source.name}`, main });
  });

  app.post('/sources/:sourceId/run', async (request, reply) => {
    const { principal, source } = await manageable(request, 'run');
    if (kindInfo(source.kind).transport === 'file') {
      throw new HttpError(409, 'upload_needed', 'This source is read from uploads: upload a file.');
    }
    const { run } = await requestRun(db, {
      sourceId: source.id,
      schoolId: source.schoolId,
      trigger: 'manual',
      mode: source.cursor ? 'incremental' : 'full',
      requestedBy: principal.user.id,
    });
    return sendRedirect(request, reply, `/runs/${run.id}`);
  });

  for (const [path, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(`/sources/:sourceId/${path}`, async (request, reply) => {
      const { principal, source } = await manageable(request, path);
      await setPaused(db, actorOf(principal), source.id, paused);
      return sendRedirect(request, reply, `/sources/${source.id}`);
    });
  }

  app.get('/sources/:sourceId/remove', async (request, reply) => {
    const { source } = await manageable(request, 'remove');
    const school = await visibleSchool(db, principalOf(request), source.schoolId);
    const main = removeSourceView({
      crumbs: [
        { href: '/', label: 'Home' },
        { href: `/schools/${school.id}`, label: school.name },
        { href: `/sources/${source.id}`, label: source.name },
        { href: null, label: 'Remove' },
      ],
      source: { id: source.id, name: source.name, kindLabel: kindInfo(source.kind).label },
      csrf: csrfOf(request),
    });
    return sendPage(site, request, reply, { title: `Remove ${source.name}`, main });
  });

  app.post('/sources/:sourceId/remove', async (request, reply) => {
    const { principal, source } = await manageable(request, 'remove');
    await archiveSource(db, actorOf(principal), source.id);
    return sendRedirect(request, reply, `/schools/${source.schoolId}`);
  });

  app.post('/sources/:sourceId/check', async (request, reply) => {
    const { principal, source } = await manageable(request, 'check');
    const check = checkView(await checkSaved(site, source));
    return sendFragment(site, request, reply, check, async () => ({
      title: `Sync health: ${source.name}`,
      main: await sourcePage(site, principal, source, csrfOf(request), check),
    }));
  });
}

async function sourcePage(
  site: Site,
  principal: Principal,
  source: Source,
  csrf: string,
  check: string | null,
) {
  const school = await visibleSchool(site.db, principal, source.schoolId);
  const runs = await latestRuns(site.db, source.id, HISTORY);
  const states = await runStates(site.db, [source.id]);
  const now = site.context.clock.now();
  const kind = kindInfo(source.kind);
  const failed = runs.find((run) => run.status === 'failed' && run.failureCategory);
  const durationOf = (run: (typeof runs)[number]) =>
    run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null;

  return sourceView({
    crumbs: [
      { href: '/', label: 'Home' },
      { href: `/schools/${school.id}`, label: school.name },
      { href: null, label: source.name },
    ],
    source: {
      id: source.id,
      name: source.name,
      kindLabel: kind.label,
      transport: kind.transport,
      schedule: source.schedule,
      fullSchedule: source.fullSchedule,
      paused: source.paused,
      schoolId: source.schoolId,
      nextRunAt: source.nextRunAt,
    },
    health: sourceHealth(states.get(source.id)!, source.paused, now),
    runs: runs.map((run) => ({ ...run, durationMs: durationOf(run) })),
    chart: [...runs]
      .reverse()
      .filter((run) => run.finishedAt !== null)
      .map((run) => ({
        label: shortDate(run.startedAt ?? run.queuedAt),
        resultsSeen: run.resultsSeen,
        durationMs: durationOf(run),
        failed: run.status === 'failed',
      })),
    lastError: failed
      ? {
          runId: failed.id,
          at: failed.finishedAt,
          category: failed.failureCategory!,
          code: failed.failureCode,
          message: failed.message ?? '',
          whatToDo: WHAT_TO_DO[failed.failureCategory!],
          resolved: runs.some(
            (run) => run.status.startsWith('succeeded') && run.queuedAt > failed.queuedAt,
          ),
        }
      : null,
    check,
    canManage: canManageSources(principal, source.schoolId),
    csrf,
    now,
  });
}

/** Checks a saved source's connection with its stored secrets. */
async function checkSaved(site: Site, source: Source): Promise<CheckView> {
  const kind = connectorKind(source.kind);
  if (!kind) {
    return {
      ok: false,
      message: `This build has no connector called "${source.kind}".`,
      details: [],
    };
  }
  const config = kind.configSchema.safeParse(source.config);
  const secrets = kind.secretsSchema.safeParse(sourceSecrets(site.context.secretKey, source));
  if (!config.success || !secrets.success) {
    return {
      ok: false,
      message: "The source's saved settings are not valid any more: edit them and save again.",
      details: [],
    };
  }
  return runCheck(() =>
    kind.check({
      config: config.data,
      secrets: secrets.data,
      signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
    }),
  );
}

/** Runs a connector's check, turning a thrown failure into what the user reads. */
export async function runCheck(check: () => Promise<CheckResult>): Promise<CheckView> {
  try {
    const result = await check();
    return { ok: result.ok, message: result.message, details: Object.entries(result.details) };
  } catch (error) {
    const failure = asSourceFailure(error);
    return {
      ok: false,
      message: failure
        ? `${failure.message} ${WHAT_TO_DO[failure.category]}`
        : 'The check could not finish. Try again; if it keeps failing, tell the trust admin.',
      details: [],
    };
  }
}
