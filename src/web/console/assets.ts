import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { Assets } from '../views/layout.ts';

/**
 * The stylesheet and htmx, served from this service (no CDN). Their addresses carry a hash of
 * their content, so a browser may keep them for a year and still sees a change at once.
 */

const YEAR = 'public, max-age=31536000, immutable';

export function assetRoutes(app: FastifyInstance): Assets {
  const css = readFileSync(new URL('../views/console.css', import.meta.url));
  const htmx = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));

  app.get('/assets/console.css', { config: { public: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('Cache-Control', YEAR).send(css),
  );
  app.get('/assets/htmx.min.js', { config: { public: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', YEAR).send(htmx),
  );
  return {
    css: `/assets/console.css?v=${fingerprint(css)}`,
    htmx: `/assets/htmx.min.js?v=${fingerprint(htmx)}`,
  };
}

function fingerprint(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}
