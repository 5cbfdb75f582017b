import fastifySchedule from '@fastify/schedule';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.ts';
import { installErrorHandlers } from './errors.ts';
import { healthRoutes } from './routes/health.ts';

/** Builds the service's HTTP app; tests call it and use `inject`, `main` calls it and listens. */
export async function buildApp(context: ServiceContext): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    trustProxy: true,
    bodyLimit: context.config.maxUploadBytes,
    requestIdHeader: false,
  });

  installErrorHandlers(app);
  await app.register(fastifySchedule);
  healthRoutes(app, context);

  return app;
}
