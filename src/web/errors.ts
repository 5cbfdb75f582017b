import type { FastifyError, FastifyInstance } from 'fastify';

/**
 * One shape for every error the JSON API answers: `{ error: { code, message } }`. A user never
 * sees a stack trace; the process log keeps the error under its request id.
 */

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function installErrorHandlers(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send(errorBody(error.code, error.message));
    }
    if (error.validation) {
      return reply.status(400).send(errorBody('invalid_request', error.message));
    }
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status < 500) {
      return reply.status(status).send(errorBody(error.code ?? 'bad_request', error.message));
    }
    request.log.error({ err: { type: error.name, code: error.code } }, 'request failed');
    return reply
      .status(500)
      .send(
        errorBody(
          'internal_error',
          `Something went wrong on our side. Quote reference ${request.id} to the trust's admin.`,
        ),
      );
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('not_found', `There is nothing at ${request.url}.`));
  });
}

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
