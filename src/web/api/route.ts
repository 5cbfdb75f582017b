import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../access/principal.ts';
import type { ServiceContext } from '../../context.ts';
import { principalOf } from '../auth.ts';
import { HttpError } from '../errors.ts';

/**
 * A JSON API route: its input as zod schemas, checked before the handler runs, and described in
 * the OpenAPI document from the same schemas, so the document cannot drift from the code.
 */

export const API_PREFIX = '/api/v1';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteInput<P, Q, B> {
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface ApiRoute<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** Under /api/v1, in fastify's form: '/schools/:schoolId'. */
  path: string;
  summary: string;
  tag: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Status of a success; 200 unless given. */
  status?: number;
  handler(input: RouteInput<P, Q, B>): Promise<unknown>;
}

/** Declares a route with its types inferred from its schemas. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(
  definition: ApiRoute<P, Q, B>,
): ApiRoute {
  return definition as unknown as ApiRoute;
}

export function registerApiRoutes(app: FastifyInstance, routes: readonly ApiRoute[]) {
  for (const definition of routes) {
    app.route({
      method: definition.method,
      url: `${API_PREFIX}${definition.path}`,
      handler: async (request, reply) => {
        const input = {
          principal: principalOf(request),
          params: parse(definition.params, request.params, 'path'),
          query: parse(definition.query, request.query, 'query'),
          body: parse(definition.body, request.body, 'body'),
          request,
          reply,
        };
        const result = await definition.handler(input);
        if (reply.sent) return reply;
        return reply.status(definition.status ?? 200).send(result);
      },
    });
  }
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return (value ?? {}) as T;
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = [where, ...issue.path.map(String)].join('.');
  throw new HttpError(400, 'invalid_request', `${field}: ${issue.message}`);
}

/** The OpenAPI 3.1 document of the routes given. */
export function openApiDocument(routes: readonly ApiRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const definition of routes) {
    const path = `${API_PREFIX}${definition.path.replace(/:(\w+)/g, '{$1}')}`;
    paths[path] ??= {};
    paths[path][definition.method.toLowerCase()] = {
      summary: definition.summary,
      tags: [definition.tag],
      parameters: [
        ...parameters(definition.params, 'path'),
        ...parameters(definition.query, 'query'),
      ],
      ...(definition.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(definition.body) } },
            },
          }
        : {}),
      responses: {
        [String(definition.status ?? 200)]: { description: 'Success' },
        default: {
          description: 'An error: { "error": { "code", "message" } }',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      security: [{ bearer: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Next Steps Sync API',
      version: '1',
      description:
        'Schools, sources, sync runs, mapping rules and landed Next Steps points. Send an API ' +
        'token as a bearer token; every answer is scoped to what its user may see.',
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: { code: { type: 'string' }, message: { type: 'string' } },
              required: ['code', 'message'],
            },
          },
        },
      },
    },
  };
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const described = jsonSchema(schema) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return Object.entries(described.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (described.required ?? []).includes(name),
    schema: property,
  }));
}

export type { ServiceContext };
