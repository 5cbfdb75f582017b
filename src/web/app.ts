import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifySchedule from '@fastify/schedule';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AsyncTask, SimpleIntervalJob } from 'toad-scheduler';
import type { ServiceContext } from '../context.ts';
import type { Engine } from '../sync/engine.ts';
import { instanceName, SyncWorker } from '../sync/worker.ts';
import { mappingRoutes } from './api/mapping.ts';
import { reconcileRoutes } from './api/reconcile.ts';
import { reportRoutes } from './api/reports.ts';
import { API_PREFIX, type ApiRoute, openApiDocument, registerApiRoutes } from './api/route.ts';
import { runRoutes } from './api/runs.ts';
import { schoolRoutes } from './api/schools.ts';
import { sourceRoutes } from './api/sources.ts';
import { uploadRoutes } from './api/uploads.ts';
import { installAuth } from './auth.ts';
import { consoleRoutes } from './console/index.ts';
import { warmReconciliation } from './console/progress.ts';
import { HttpError, installErrorHandlers } from './errors.ts';
import { healthRoutes } from './routes/health.ts';

const TICK_SECONDS = 5;

/** Every route the app serves, so that a test can walk them all. */
export interface RegisteredRoute {
  method: string;
  url: string;
  public: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    registeredRoutes: RegisteredRoute[];
  }
}

export interface AppOptions {
  /** Run scheduled syncs in this process (the default follows SCHEDULER). */
  scheduler?: boolean;
}

/** Builds the service's HTTP app; tests call it and use `inject`, `main` calls it and listens. */
export async function buildApp(
  context: ServiceContext,
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    trustProxy: true,
    bodyLimit: 1_048_576,
    requestIdHeader: false,
  });

  const registered: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', registered);
  app.addHook('onRoute', (options) => {
    const methods = Array.isArray(options.method) ? options.method : [options.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      registered.push({ method, url: options.url, public: options.config?.public === true });
    }
  });

  installErrorHandlers(app);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyMultipart, {
    limits: { fileSize: context.config.maxUploadBytes, files: 1, fields: 10 },
  });
  refuseOversizedUploads(app, context.config.maxUploadBytes);
  installAuth(app, context);

  healthRoutes(app, context);
  await consoleRoutes(app, context);
  const routes: ApiRoute[] = [
    ...schoolRoutes(context),
    ...sourceRoutes(context),
    ...uploadRoutes(context),
    ...runRoutes(context),
    ...mappingRoutes(context),
    ...reconcileRoutes(context),
    ...reportRoutes(context),
  ];
  registerApiRoutes(app, routes);
  const document = openApiDocument(routes);
  app.get(`${API_PREFIX}/openapi.json`, async () => document);

  await app.register(fastifySchedule);
  if (options.scheduler ?? context.config.schedulerEnabled) startWorker(app, context);
  return app;
}

export function engineFor(context: ServiceContext): Engine {
  return {
    db: context.database.db,
    secretKey: context.secretKey,
    logger: context.logger,
    clock: context.clock,
    owner: instanceName(),
    leaseMs: 30_000,
    rawRetentionDays: context.config.rawRetentionDays,
  };
}

function startWorker(app: FastifyInstance, context: ServiceContext) {
  const worker = new SyncWorker(engineFor(context), {
    concurrency: 2,
    warm: () => warmReconciliation(context.database.db, context.clock.today()),
  });
  const task = new AsyncTask(
    'sync-tick',
    () => worker.tick(),
    (error) => context.logger.error({ err: { type: error.name } }, 'sync tick failed'),
  );
  app.ready(() => {
    app.scheduler.addSimpleIntervalJob(
      new SimpleIntervalJob({ seconds: TICK_SECONDS, runImmediately: true }, task, {
        preventOverrun: true,
      }),
    );
  });
  // Closing stops the schedule (the plugin's own hook) and lets in-flight runs stop cleanly.
  app.addHook('onClose', () => worker.stop());
}

/** Room for a form's other fields and its part headers beside the file. */
const FORM_ALLOWANCE = 64 * 1024;

/**
 * An upload to the API that says it is larger than the limit is refused before a byte of it is
 * read, and its connection closed, so that a 2 GB file costs neither the time nor the memory.
 */
function refuseOversizedUploads(app: FastifyInstance, maxBytes: number) {
  app.addHook('onRequest', async (request, reply) => {
    // The console's upload form answers in the page itself, once the limit has been read.
    if (!request.url.startsWith(API_PREFIX)) return;
    if (!request.headers['content-type']?.startsWith('multipart/')) return;
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared <= maxBytes + FORM_ALLOWANCE) return;
    reply.header('connection', 'close');
    throw new HttpError(
      413,
      'file_too_large',
      `The file is larger than ${Math.round(maxBytes / 1_048_576)} MB.`,
    );
  });
}
