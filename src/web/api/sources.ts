import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { canManageSources } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import { connectorKind, connectorKinds } from '../../connectors/registry.ts';
import type { ServiceContext } from '../../context.ts';
import { sources, syncRuns } from '../../db/schema.ts';
import { requestRun } from '../../sync/runs.ts';
import {
  archiveSource,
  createSource,
  SourceError,
  setPaused,
  sourceSecrets,
  updateSource,
} from '../../sync/sources.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool, visibleSource } from '../scope.ts';
import { route } from './route.ts';

const CHECK_TIMEOUT_MS = 30_000;

/** A source as the API shows it: never its secrets, only which secret fields are set. */
export function publicSource(source: typeof sources.$inferSelect) {
  const { secrets: _sealed, cursor: _cursor, ...rest } = source;
  return { ...rest, hasSecrets: source.secrets !== null };
}

export function sourceRoutes(context: ServiceContext) {
  const { db } = context.database;
  return [
    route({
      method: 'GET',
      path: '/connector-kinds',
      summary: 'The kinds of source the service can connect to',
      tag: 'sources',
      handler: async () => ({
        kinds: connectorKinds().map((kind) => ({
          kind: kind.kind,
          label: kind.label,
          transport: kind.transport,
        })),
      }),
    }),
    route({
      method: 'GET',
      path: '/schools/:schoolId/sources',
      summary: "A school's sources",
      tag: 'sources',
      params: z.object({ schoolId: z.string() }),
      handler: async ({ principal, params }) => {
        const school = await visibleSchool(db, principal, params.schoolId);
        const found = await db.select().from(sources).where(eq(sources.schoolId, school.id));
        return { sources: found.filter((s) => !s.archivedAt).map(publicSource) };
      },
    }),
    route({
      method: 'POST',
      path: '/schools/:schoolId/sources',
      summary: 'Add a source to a school',
      tag: 'sources',
      status: 201,
      params: z.object({ schoolId: z.string() }),
      body: z.object({
        kind: z.string(),
        name: z.string().trim().min(1).max(120),
        config: z.record(z.string(), z.unknown()).default({}),
        secrets: z.record(z.string(), z.unknown()).default({}),
        schedule: z.string().nullable().optional(),
        fullSchedule: z.string().nullable().optional(),
      }),
      handler: async ({ principal, params, body }) => {
        const school = await visibleSchool(db, principal, params.schoolId);
        requireThat(
          canManageSources(principal, school.id),
          "Only the school's data lead or a trust admin can add sources.",
        );
        try {
          const source = await createSource(db, context.secretKey, actorOf(principal), {
            ...body,
            schoolId: school.id,
          });
          return { source: publicSource(source) };
        } catch (error) {
          if (error instanceof SourceError)
            throw new HttpError(400, 'invalid_source', error.message);
          throw error;
        }
      },
    }),
    route({
      method: 'GET',
      path: '/sources/:sourceId',
      summary: 'One source, with its latest runs',
      tag: 'sources',
      params: z.object({ sourceId: z.string() }),
      handler: async ({ principal, params }) => {
        const source = await visibleSource(db, principal, params.sourceId);
        const runs = await db
          .select()
          .from(syncRuns)
          .where(eq(syncRuns.sourceId, source.id))
          .orderBy(desc(syncRuns.queuedAt))
          .limit(20);
        return { source: publicSource(source), runs };
      },
    }),
    route({
      method: 'POST',
      path: '/sources/:sourceId/check',
      summary: "Check a source's connection: says precisely what is wrong",
      tag: 'sources',
      params: z.object({ sourceId: z.string() }),
      handler: async ({ principal, params }) => {
        const source = await visibleSource(db, principal, params.sourceId);
        requireThat(canManageSources(principal, source.schoolId), 'Only data leads check sources.');
        const kind = connectorKind(source.kind);
        if (!kind) throw new HttpError(400, 'unknown_kind', `No connector "${source.kind}".`);
        const result = await kind.check({
          config: kind.configSchema.parse(source.config),
          secrets: kind.secretsSchema.parse(sourceSecrets(context.secretKey, source)),
          signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
        });
        return { check: result };
      },
    }),
    route({
      method: 'POST',
      path: '/sources/:sourceId/runs',
      summary: 'Start a sync run now',
      tag: 'runs',
      status: 202,
      params: z.object({ sourceId: z.string() }),
      body: z.object({ mode: z.enum(['full', 'incremental']).default('incremental') }).optional(),
      handler: async ({ principal, params, body }) => {
        const source = await visibleSource(db, principal, params.sourceId);
        requireThat(canManageSources(principal, source.schoolId), 'Only data leads start syncs.');
        const kind = connectorKind(source.kind);
        if (kind?.transport === 'file') {
          throw new HttpError(
            400,
            'upload_needed',
            'This source is read from uploads: upload a file.',
          );
        }
        const { run, created } = await requestRun(db, {
          sourceId: source.id,
          schoolId: source.schoolId,
          trigger: 'manual',
          mode: source.cursor ? (body?.mode ?? 'incremental') : 'full',
          requestedBy: principal.user.id,
        });
        return { run, alreadyActive: !created };
      },
    }),
    ...(['pause', 'resume'] as const).map((action) =>
      route({
        method: 'POST',
        path: `/sources/:sourceId/${action}`,
        summary: action === 'pause' ? "Pause a source's schedule" : "Resume a source's schedule",
        tag: 'sources',
        params: z.object({ sourceId: z.string() }),
        handler: async ({ principal, params }) => {
          const source = await visibleSource(db, principal, params.sourceId);
          requireThat(
            canManageSources(principal, source.schoolId),
            `Only data leads ${action} sources.`,
          );
          const paused = await setPaused(db, actorOf(principal), source.id, action === 'pause');
          return { source: publicSource(paused) };
        },
      }),
    ),
    route({
      method: 'PUT',
      path: '/sources/:sourceId',
      summary: 'Edit a source; secrets not given are kept as they are',
      tag: 'sources',
      params: z.object({ sourceId: z.string() }),
      body: z.object({
        name: z.string().trim().min(1).max(120),
        config: z.record(z.string(), z.unknown()),
        secrets: z.record(z.string(), z.unknown()).default({}),
        schedule: z.string().nullable().optional(),
        fullSchedule: z.string().nullable().optional(),
      }),
      handler: async ({ principal, params, body }) => {
        const source = await visibleSource(db, principal, params.sourceId);
        requireThat(canManageSources(principal, source.schoolId), 'Only data leads edit sources.');
        const kept = sourceSecrets(context.secretKey, source);
        try {
          const saved = await updateSource(
            db,
            context.secretKey,
            actorOf(principal),
            source,
            {
              name: body.name,
              config: body.config,
              secrets: { ...kept, ...body.secrets },
              changedSecrets: Object.keys(body.secrets),
              schedule: body.schedule === undefined ? source.schedule : body.schedule,
              fullSchedule:
                body.fullSchedule === undefined ? source.fullSchedule : body.fullSchedule,
            },
            context.clock.now(),
          );
          return { source: publicSource(saved) };
        } catch (error) {
          if (error instanceof SourceError)
            throw new HttpError(400, 'invalid_source', error.message);
          throw error;
        }
      },
    }),
    route({
      method: 'DELETE',
      path: '/sources/:sourceId',
      summary: 'Remove a source; its history stays, and a run in flight stops without landing',
      tag: 'sources',
      params: z.object({ sourceId: z.string() }),
      handler: async ({ principal, params }) => {
        const source = await visibleSource(db, principal, params.sourceId);
        requireThat(
          canManageSources(principal, source.schoolId),
          'Only data leads remove sources.',
        );
        return { source: publicSource(await archiveSource(db, actorOf(principal), source.id)) };
      },
    }),
  ];
}
