import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { endSession, signIn, startSession } from '../../access/users.ts';
import { SESSION_COOKIE } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { layout } from '../views/layout.ts';
import { signInView } from '../views/sign-in.ts';
import { prepare, type Site } from './respond.ts';
import { homeFor } from './shell.ts';

/**
 * Signing in and out. A successful sign-in always starts a new session and ends the old one, so a
 * session id planted before sign-in is worth nothing after it.
 */

const signInForm = z.object({
  email: z.string().max(320).default(''),
  password: z.string().max(1000).default(''),
  next: z.string().max(2000).default('/'),
});

const signInQuery = z.object({
  next: z.string().max(2000).optional(),
  signedOut: z.string().optional(),
});

export function sessionRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;
  const { config } = site.context;

  // Its `next` can carry another page's query, a pupil search say, so it is not request-logged.
  app.get('/sign-in', { config: { public: true }, logLevel: 'warn' }, async (request, reply) => {
    const query = signInQuery.parse(request.query);
    if (request.principal && request.sessionSecret) {
      return reply.redirect(localPath(query.next) ?? homeFor(request.principal) ?? '/', 303);
    }
    return sendSignIn(request, reply, site, {
      email: '',
      next: localPath(query.next) ?? '/',
      error: null,
      signedOut: query.signedOut === '1',
    });
  });

  app.post('/sign-in', { config: { public: true } }, async (request, reply) => {
    // A sign-in form posted from another site is refused: nobody is signed in unknowingly.
    if (request.headers['sec-fetch-site'] === 'cross-site') {
      throw new HttpError(403, 'forbidden', 'Sign in from this site’s own sign-in page.');
    }
    const form = signInForm.parse(request.body ?? {});
    const next = localPath(form.next) ?? '/';
    const result = await signIn(db, form.email, form.password, request.ip);
    if (!result.ok) {
      const status = result.reason === 'throttled' ? 429 : 401;
      return sendSignIn(request, reply, site, {
        email: form.email,
        next,
        error: result.message,
        signedOut: false,
        status,
      });
    }
    const old = request.cookies[SESSION_COOKIE];
    if (old) await endSession(db, old);
    const secret = await startSession(db, result.userId, config.sessionHours);
    reply.setCookie(SESSION_COOKIE, secret, {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      path: '/',
      maxAge: config.sessionHours * 3600,
    });
    return reply.redirect(next, 303);
  });

  app.post('/sign-out', async (request, reply) => {
    if (request.sessionSecret) await endSession(db, request.sessionSecret);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/sign-in?signedOut=1', 303);
  });
}

interface SignInPage {
  email: string;
  next: string;
  error: string | null;
  signedOut: boolean;
  status?: number;
}

function sendSignIn(request: FastifyRequest, reply: FastifyReply, site: Site, page: SignInPage) {
  prepare(reply, page.status ?? 200);
  const main = signInView({ ...page, csrfToken: request.csrfToken });
  return reply.send(layout(null, site.assets, { title: 'Sign in', main, path: '/sign-in' }));
}

/**
 * The path to go to after signing in, when it stays on this site: "/schools/x", never
 * "//elsewhere" or "/\elsewhere", which browsers read as another host, nor control characters,
 * which browsers strip before reading.
 */
export function localPath(next: string | undefined): string | null {
  if (!next?.startsWith('/')) return null;
  if (next.startsWith('//') || next.startsWith('/\\')) return null;
  if ([...next].some((character) => character < ' ' || character === '\u007f')) return null;
  if (next.startsWith('/sign-in') || next.startsWith('/sign-out')) return null;
  return next;
}
