import { createHash, randomBytes } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SyntheticSchool } from '../school.ts';
import {
  type AssemblySchoolData,
  buildSchoolData,
  changePupils,
  changeResults,
  leaving,
} from './data.ts';
import { type AssemblyFaults, createFaultCounter } from './faults.ts';
import { notFound, type Reply, routeOf, tooMany, versionOf } from './routes.ts';

export type { AssemblyRecord, AssemblySchoolData } from './data.ts';
export { FACETS } from './data.ts';
export type { AssemblyFaults, FaultTarget } from './faults.ts';

/**
 * A fake Assembly Platform on loopback: the OAuth token endpoint and the v1.1 API in one
 * server, serving synthetic schools with Assembly's auth, header pagination, conditional
 * requests and its documented rate limit (research 4), and misbehaving on request.
 */

export const ALL_SCOPES = [
  'school',
  'students',
  'students.demographics',
  'assessments',
  'results',
  'subjects',
];

export interface FakeSchool {
  school: SyntheticSchool;
  accessToken?: string;
  refreshToken?: string;
  scopes?: string[];
}

export interface AssemblyFakeOptions {
  schools: readonly (SyntheticSchool | FakeSchool)[];
  clientId?: string;
  clientSecret?: string;
  faults?: AssemblyFaults;
  /** Add target and prediction results beside the achieved ones (default true). */
  targets?: boolean;
  /** Assembly's documented limit per token: 600 requests per 5 minutes. */
  limit?: { requests: number; perMs: number };
  tokenTtlSeconds?: number;
  tls?: { key: Buffer; cert: Buffer };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface AssemblyFake {
  /** The origin, without a trailing slash; it serves both the API and OAuth. */
  url: string;
  requests: SeenRequest[];
  clientId: string;
  clientSecret: string;
  /** The tokens school `index` starts with. */
  tokens(index?: number): { accessToken: string; refreshToken: string };
  /** Every access token the fake has handed out since it started. */
  issuedTokens(): string[];
  setFaults(faults: AssemblyFaults): void;
  school(index?: number): AssemblySchoolData;
  /** Gives n achieved results another grade, now; returns their ids and new grades. */
  changeResults(n: number, index?: number): { id: string; value: string }[];
  /** Changes n pupils' EAL flag, now; returns their ids. */
  changePupils(n: number, index?: number): string[];
  /** The last n pupils leave the school today; returns their ids. */
  leave(n: number, index?: number): string[];
  /** Every access token in use expires now. */
  expireTokens(): void;
  close(): Promise<void>;
}

interface Grant {
  school: number;
  expiresAt: number;
  used: number[];
}

export async function startAssemblyFake(options: AssemblyFakeOptions): Promise<AssemblyFake> {
  const clientId = options.clientId ?? 'next-steps-sync-test-client';
  const clientSecret = options.clientSecret ?? 'cs_test_7f3a9b2c4d5e6f708192a3b4c5d6e7f8';
  const limit = options.limit ?? { requests: 600, perMs: 300_000 };
  const ttlSeconds = options.tokenTtlSeconds ?? 86_400;
  const startedAt = Date.now();
  const specs = options.schools.map((given) => ('school' in given ? given : { school: given }));
  const schools = specs.map((spec, index) =>
    buildSchoolData(spec.school, { index, targets: options.targets ?? true, startedAt }),
  );
  const starting = specs.map((spec, index) => ({
    accessToken: spec.accessToken ?? `at_school${index}_${randomBytes(12).toString('hex')}`,
    refreshToken: spec.refreshToken ?? `rt_school${index}_${randomBytes(12).toString('hex')}`,
  }));

  const grants = new Map<string, Grant>();
  const refreshTokens = new Map<string, number>();
  const issued: string[] = [];
  starting.forEach((tokens, school) => {
    grants.set(tokens.accessToken, { school, expiresAt: startedAt + ttlSeconds * 1000, used: [] });
    refreshTokens.set(tokens.refreshToken, school);
  });

  let faults: AssemblyFaults = options.faults ?? {};
  const counter = createFaultCounter();
  let apiRequests = 0;
  let leftBetweenPages = false;
  const requests: SeenRequest[] = [];

  const scopesOf = (school: number): string[] => {
    const granted = specs[school]!.scopes ?? ALL_SCOPES;
    return granted.filter((scope) => !faults.missingScopes?.includes(scope));
  };

  /** A new access token: for a school, or (null) an app token, which reads no school. */
  const issue = (school: number | null) => {
    const level = school === null ? 'app' : 'school';
    const accessToken = `at_${level}_${randomBytes(16).toString('hex')}`;
    issued.push(accessToken);
    if (school !== null) {
      grants.set(accessToken, { school, expiresAt: Date.now() + ttlSeconds * 1000, used: [] });
    }
    return accessToken;
  };

  const expireAll = () => {
    for (const grant of grants.values()) grant.expiresAt = Math.min(grant.expiresAt, Date.now());
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://assembly.fake');
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    const path = url.pathname;
    const page = Number(url.searchParams.get('page') ?? '1') || 1;

    if (counter.hits('hang', faults.hang, path, page)) return;
    if (counter.hits('slow', faults.slow, path, page)) await sleep(faults.slow!.delayMs);
    const truncate = counter.hits('truncate', faults.truncate, path, page);
    const loop = counter.hits('loop', faults.loop, path, page);

    const reply = await answer(req, url, path, page, loop);
    respond(req, res, reply, truncate);
  }

  async function answer(
    req: IncomingMessage,
    url: URL,
    path: string,
    page: number,
    loop: boolean,
  ): Promise<Reply> {
    if (counter.hits('serverError', faults.serverError, path, page)) {
      const status = faults.serverError!.status ?? 500;
      return { status, body: { error: 'server_error', message: 'An unexpected error occurred.' } };
    }
    if (counter.hits('tooManyRequests', faults.tooManyRequests, path, page)) {
      const retryAfter = faults.tooManyRequests!.retryAfter;
      return tooMany(limit.requests + 1, retryAfter);
    }
    if (path === '/oauth/token' && req.method === 'POST') return token(req, url);
    if (req.method !== 'GET') return { status: 405, body: { error: 'method_not_allowed' } };
    return api(req, url, path, page, loop);
  }

  async function token(req: IncomingMessage, url: URL): Promise<Reply> {
    const form = new URLSearchParams(await readBody(req));
    const grantType = url.searchParams.get('grant_type') ?? form.get('grant_type');
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return {
        status: 401,
        body: { error: 'invalid_client', message: 'Client authentication failed.' },
      };
    }
    if (grantType === 'client_credentials') {
      const accessToken = issue(null);
      return {
        status: 200,
        body: { access_token: accessToken, token_type: 'bearer', level: 'app', scopes: [] },
      };
    }
    if (grantType !== 'refresh_token') {
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    const school = refreshTokens.get(form.get('refresh_token') ?? '');
    if (school === undefined || faults.revoked) {
      return {
        status: 400,
        body: { error: 'invalid_grant', message: 'The refresh token is invalid.' },
      };
    }
    return {
      status: 200,
      body: {
        access_token: issue(school),
        refresh_token: form.get('refresh_token'),
        token_type: 'bearer',
        level: 'school',
        expires_in: ttlSeconds,
        school_id: schools[school]!.details.id,
        scopes: scopesOf(school),
      },
    };
  }

  function api(req: IncomingMessage, url: URL, path: string, page: number, loop: boolean): Reply {
    const version = versionOf(req.headers.accept);
    if (version === null) return { status: 406, body: { error: 'unsupported_version' } };

    const auth = authorise(req.headers.authorization);
    if ('status' in auth) return auth;
    const { grant } = auth;
    const now = Date.now();
    grant.used = grant.used.filter((at) => at > now - limit.perMs);
    grant.used.push(now);
    if (grant.used.length > limit.requests) return tooMany(grant.used.length);

    const school = schools[grant.school]!;
    const scopes = scopesOf(grant.school);
    const route = routeOf(path);
    if (!route) return notFound(path);
    if (!scopes.includes(route.scope)) {
      return {
        status: 403,
        body: {
          error: 'insufficient_scope',
          message: `This token does not have the ${route.scope} scope.`,
        },
      };
    }
    const context = { req, url, page, loop, version, school, scopes };
    const reply = route.serve(context, route.id);
    if (path === '/students' && reply.status === 200) leaveAfter(page, school);
    return reply;
  }

  function authorise(header: string | undefined): { grant: Grant } | Reply {
    const bearer = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    if (!bearer) {
      return {
        status: 401,
        body: { error: 'invalid_request', message: 'an access_token is required.' },
      };
    }
    const grant = grants.get(bearer);
    if (!grant || faults.revoked) {
      return { status: 401, body: { error: 'invalid_token', message: 'The token is invalid.' } };
    }
    apiRequests += 1;
    if (faults.expireAfterRequests !== undefined && apiRequests > faults.expireAfterRequests) {
      expireAll();
      faults = { ...faults, expireAfterRequests: undefined };
    }
    if (grant.expiresAt <= Date.now()) {
      return {
        status: 401,
        body: { error: 'invalid_token', message: 'The access token has expired.' },
      };
    }
    return { grant };
  }

  // A pupil leaving mid-walk shifts every later pupil one place back: the next page skips one.
  function leaveAfter(page: number, school: AssemblySchoolData): void {
    const rule = faults.leaveBetweenPages;
    if (!rule || leftBetweenPages || page !== rule.afterPage) return;
    leftBetweenPages = true;
    school.left.push(...school.students.splice(0, rule.count).map(leaving));
  }

  const server = createServer(options.tls, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const schoolAt = (index = 0) => schools[index]!;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    clientId,
    clientSecret,
    tokens: (index = 0) => starting[index]!,
    issuedTokens: () => [...issued],
    setFaults(next) {
      faults = next;
      counter.reset();
      apiRequests = 0;
      leftBetweenPages = false;
    },
    school: schoolAt,
    changeResults: (n, index) => changeResults(schoolAt(index), n),
    changePupils: (n, index) => changePupils(schoolAt(index), n),
    leave(n, index) {
      const school = schoolAt(index);
      const leavers = school.students.splice(school.students.length - n, n).map(leaving);
      school.left.push(...leavers);
      return leavers.map((stamped) => String(stamped.record.id));
    },
    expireTokens: expireAll,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function respond(req: IncomingMessage, res: ServerResponse, reply: Reply, truncate: boolean) {
  const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.status === 200) {
    headers.etag = `W/"${createHash('sha1').update(text).digest('hex').slice(0, 20)}"`;
    if (req.headers['if-none-match'] === headers.etag) reply = { status: 304 };
  }
  if (reply.status === 304) {
    res.writeHead(304, headers.etag ? { etag: headers.etag } : {});
    res.end();
    return;
  }
  const bytes = Buffer.from(text);
  res.writeHead(reply.status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(bytes.length),
  });
  if (!truncate) {
    res.end(bytes);
    return;
  }
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function createServer(
  tls: AssemblyFakeOptions['tls'],
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  return tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener)
    : createHttpServer(listener);
}
