import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../access/principal.ts';
import { sessionPrincipal, tokenPrincipal } from '../access/users.ts';
import type { ServiceContext } from '../context.ts';
import { HttpError } from './errors.ts';

/**
 * Who is asking. The console signs in with a session cookie; scripts and the trust's portal send
 * a bearer token. Every route needs one or the other unless it says `config: { public: true }`,
 * so a route added later is closed until someone opens it on purpose.
 */

export const SESSION_COOKIE = 'nss_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The console session's CSRF token; null for token requests and visitors. */
    csrfToken: string | null;
    sessionSecret: string | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export function installAuth(app: FastifyInstance, context: ServiceContext) {
  app.decorateRequest('principal', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('sessionSecret', null);

  app.addHook('onRequest', async (request, reply) => {
    await identify(request, context);
    if (request.routeOptions.config?.public) return;
    if (!request.principal) return refuseVisitor(request, reply);
  });

  // After the body is parsed, so that a form's hidden field can be read.
  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.config?.public && !request.sessionSecret) return;
    if (needsCsrfCheck(request) && !csrfMatches(request)) {
      throw new HttpError(
        403,
        'csrf_failed',
        'This form has expired or did not come from this site. Reload the page and try again.',
      );
    }
  });
}

async function identify(request: FastifyRequest, context: ServiceContext) {
  const { db } = context.database;
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (bearer) {
    request.principal = await tokenPrincipal(db, bearer);
    return;
  }
  const secret = request.cookies[SESSION_COOKIE];
  if (!secret) return;
  const session = await sessionPrincipal(db, secret);
  if (!session) return;
  request.principal = session.principal;
  request.csrfToken = session.csrfToken;
  request.sessionSecret = secret;
}

function refuseVisitor(request: FastifyRequest, reply: FastifyReply) {
  if (isApi(request)) {
    throw new HttpError(401, 'unauthenticated', 'Sign in, or send an API token as a bearer token.');
  }
  const next = encodeURIComponent(request.url);
  if (request.headers['hx-request']) {
    return reply.header('HX-Redirect', `/sign-in?next=${next}`).status(401).send('');
  }
  return reply.redirect(`/sign-in?next=${next}`);
}

function needsCsrfCheck(request: FastifyRequest) {
  // A bearer token is not sent by a browser on its own, so it cannot be forged across sites.
  return !['GET', 'HEAD', 'OPTIONS'].includes(request.method) && request.sessionSecret !== null;
}

function csrfMatches(request: FastifyRequest): boolean {
  const sent =
    (request.headers['x-csrf-token'] as string | undefined) ??
    (request.body as Record<string, unknown> | undefined)?._csrf;
  if (typeof sent !== 'string' || !request.csrfToken) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(request.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isApi(request: FastifyRequest) {
  return request.url.startsWith('/api/');
}

/** The signed-in principal, for handlers behind the guard. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new HttpError(401, 'unauthenticated', 'Sign in first.');
  return request.principal;
}
