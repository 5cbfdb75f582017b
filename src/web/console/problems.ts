import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { isApi } from '../auth.ts';
import { errorBody, HttpError } from '../errors.ts';
import { problemFragment, problemTitle, problemView } from '../views/errors.ts';
import { layout } from '../views/layout.ts';
import { csrfOf, isFragment, prepare, type Site } from './respond.ts';
import { shellFor } from './shell.ts';

/**
 * Console errors as pages in the layout (or fragments for htmx): a refusal says so in words, an
 * unknown id says it is not there, and a failure on our side gives a reference, never a trace.
 */

/**
 * A page that is not there, for a signed-in person who mistyped an address: the friendly page
 * rather than JSON. Unknown API paths still get the API's own answer.
 */
export function notFoundPage(instance: FastifyInstance) {
  instance.get('/*', async (request, reply) => {
    if (isApi(request)) return reply.callNotFound();
    throw new HttpError(404, 'not_found', `There is nothing at ${request.url.split('?')[0]}.`);
  });
}

export function installConsoleErrors(instance: FastifyInstance, site: Site) {
  instance.setErrorHandler(async (error: FastifyError | HttpError, request, reply) => {
    // Only the catch-all page route can meet an API path here: it answers as the API does.
    if (isApi(request) && error instanceof HttpError) {
      return reply.status(error.statusCode).send(errorBody(error.code, error.message));
    }
    const problem = describe(error, request);
    if (problem.status >= 500) {
      request.log.error({ err: { type: error.name, code: error.code } }, 'console request failed');
    }
    prepare(reply, problem.status);
    if (isFragment(request)) return reply.send(problemFragment(problem));
    const shell = request.principal
      ? await shellFor(site.db, request.principal, csrfOf(request)).catch(() => null)
      : null;
    return reply.send(
      layout(shell, site.assets, {
        title: problem.title,
        main: problemView(problem),
        path: request.url,
      }),
    );
  });
}

function describe(error: FastifyError | HttpError, request: FastifyRequest) {
  if (error instanceof HttpError && error.statusCode < 500) {
    return {
      status: error.statusCode,
      title: problemTitle(error.statusCode),
      message: error.message,
    };
  }
  // A page's params, query or form that its schema refuses: the request, not our side.
  const status =
    error instanceof ZodError
      ? 400
      : 'statusCode' in error && error.statusCode
        ? error.statusCode
        : 500;
  if (status < 500) {
    return {
      status,
      title: problemTitle(status),
      message: 'Check what you entered and try again.',
    };
  }
  return {
    status: 500,
    title: problemTitle(500),
    message:
      'Try again in a minute. If it keeps happening, tell the trust admin, quoting reference ' +
      `${request.id}.`,
  };
}
