import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../context.ts';
import { isReady } from '../../db/index.ts';

/** Probes for a load balancer: they reveal nothing about schools or pupils, so need no login. */
export function healthRoutes(app: FastifyInstance, context: ServiceContext) {
  app.get('/healthz', { config: { public: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true } }, async (_request, reply) => {
    const ready = await isReady(context.database.db);
    if (!ready) {
      return reply.status(503).send({ status: 'unavailable', database: context.database.engine });
    }
    return { status: 'ready', database: context.database.engine };
  });
}
