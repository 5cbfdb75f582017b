import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import { principalOf } from '../auth.ts';
import { type Assets, layout } from '../views/layout.ts';
import { shellFor } from './shell.ts';

/**
 * Answering a console request: the whole page in its layout, or, for an htmx request that is not
 * a boosted navigation, only the fragment it asked for. Pages hold pupil data, so no cache keeps
 * them, and the answer varies with HX-Request.
 */

export interface Site {
  context: ServiceContext;
  db: Db;
  assets: Assets;
}

export interface Page {
  title: string;
  /** The main content: `html` output. */
  main: string;
  status?: number;
}

export function isFragment(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true' && request.headers['hx-boosted'] !== 'true';
}

export function csrfOf(request: FastifyRequest): string {
  return request.csrfToken ?? '';
}

export async function sendPage(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  page: Page,
) {
  prepare(reply, page.status);
  if (isFragment(request)) return reply.send(page.main);
  const principal = principalOf(request);
  const shell = await shellFor(site.db, principal, csrfOf(request));
  return reply.send(layout(shell, site.assets, { ...page, path: request.url }));
}

/** A fragment for htmx, or, for a plain form post, the page it belongs to. */
export async function sendFragment(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  fragment: string,
  page: () => Promise<Page>,
  status = 200,
) {
  if (isFragment(request)) {
    prepare(reply, status);
    return reply.send(fragment);
  }
  return sendPage(site, request, reply, { ...(await page()), status });
}

/** Somewhere else: htmx follows HX-Redirect, a browser follows 303 See Other. */
export function sendRedirect(request: FastifyRequest, reply: FastifyReply, url: string) {
  if (request.headers['hx-request'] === 'true') {
    return reply.header('HX-Redirect', url).status(200).send('');
  }
  return reply.redirect(url, 303);
}

export function prepare(reply: FastifyReply, status = 200) {
  reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('Vary', 'HX-Request');
}
