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
import { type Endpoint, matches, type WondeFaults, type WondeScope } from './faults.ts';
import { pagination, readPageRequest, type Source, slicePage } from './paging.ts';
import {
  DEFAULT_SHAPES,
  renderAspect,
  renderDeletion,
  renderResult,
  renderResultSet,
  renderSchool,
  renderStudent,
  STUDENT_INCLUDES,
  type WondeShapes,
} from './render.ts';
import { type Access, type Extras, SchoolStore, type StudentRow } from './store.ts';

export interface WondeFakeSchool {
  /** Wonde's id for the school; the first defaults to A1930499544. */
  id?: string;
  school: SyntheticSchool;
  access?: Access;
  extras?: Extras;
}

export interface WondeFakeOptions {
  schools: WondeFakeSchool[];
  /** The one token the fake accepts, as Bearer or as Basic `token:`. */
  token?: string;
  faults?: WondeFaults;
  shapes?: Partial<WondeShapes>;
  /** The most `per_page` may ask for; Wonde's real limit is not published. */
  maxPerPage?: number;
  /** When untouched records were last updated; a day before the fake starts by default. */
  baseTime?: number;
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: Buffer; cert: Buffer };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface WondeFake {
  /** The API base, with a trailing slash: `http://127.0.0.1:54321/v1.0/`. */
  url: string;
  token: string;
  requests: SeenRequest[];
  setFaults(faults: WondeFaults): void;
  setShapes(shapes: Partial<WondeShapes>): void;
  store(schoolId?: string): SchoolStore;
  changeResults(count: number, schoolId?: string): ReturnType<SchoolStore['changeResults']>;
  changePupils(count: number, schoolId?: string): StudentRow[];
  deletePupils(count: number, schoolId?: string): StudentRow[];
  leavePupils(count: number, schoolId?: string): StudentRow[];
  reenrolPupils(count: number, schoolId?: string): ReturnType<SchoolStore['reenrolPupils']>;
  close(): Promise<void>;
}

export const DEFAULT_TOKEN = 'wonde-fake-token-0123456789abcdef';
export const DEFAULT_SCHOOL_ID = 'A1930499544';

const ENDPOINT_SCOPES: Partial<Record<Endpoint, WondeScope>> = {
  students: 'students',
  leavers: 'students',
  counts: 'students',
  aspects: 'assessment',
  resultsets: 'assessment',
  templates: 'assessment',
  results: 'assessment',
  deletions: 'deletions',
};

interface Route {
  endpoint: Endpoint;
  store: SchoolStore | null;
  schoolId: string | null;
  state: string | null;
}

class Reply extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`reply ${status}`);
  }
}

/** Starts a fake Wonde API on 127.0.0.1 and a free port. */
export async function startWondeFake(options: WondeFakeOptions): Promise<WondeFake> {
  const token = options.token ?? DEFAULT_TOKEN;
  const baseTime = options.baseTime ?? Date.now() - 86_400_000;
  const stores = new Map<string, SchoolStore>();
  options.schools.forEach((entry, index) => {
    const id =
      entry.id ?? (index === 0 ? DEFAULT_SCHOOL_ID : `A19304995${String(index).padStart(2, '0')}`);
    const access = entry.access ?? 'approved';
    stores.set(
      id,
      new SchoolStore({ id, school: entry.school, access, extras: entry.extras ?? {}, baseTime }),
    );
  });
  const first = [...stores.values()][0]!;

  let faults: WondeFaults = { ...options.faults };
  let shapes: WondeShapes = { ...DEFAULT_SHAPES, ...options.shapes };
  let countdowns = countdownsOf(faults);
  const maxPerPage = options.maxPerPage ?? 1000;
  const requests: SeenRequest[] = [];

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, { error: 'fake_failure', error_description: String(error) });
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `${options.tls ? 'https' : 'http'}://${req.headers.host}`);
    try {
      if (req.method !== 'GET') throw new Reply(405, { error: 'method_not_allowed' });
      authenticate(req.headers.authorization);
      const route = routeOf(url.pathname);
      const page = readPageRequest(url.searchParams, maxPerPage).page;
      await misbehave(res, route.endpoint, page);
      if (res.destroyed) return;

      const body = answer(route, url);
      if (matches(faults.truncate, route.endpoint, page) && fire(countdowns.truncate)) {
        sendTruncated(res, body);
        return;
      }
      send(res, 200, body);
      afterPage(route, url);
    } catch (error) {
      if (!(error instanceof Reply)) throw error;
      send(res, error.status, error.body, error.headers);
    }
  }

  function authenticate(header: string | undefined): void {
    if (faults.token) {
      const description =
        faults.token === 'expired'
          ? 'The access token has expired.'
          : 'The access token has been revoked.';
      throw new Reply(401, { error: 'invalid_token', error_description: description });
    }
    const [scheme, credential = ''] = (header ?? '').split(/\s+/, 2);
    const given =
      scheme?.toLowerCase() === 'basic'
        ? Buffer.from(credential, 'base64').toString('utf8').replace(/:$/, '')
        : scheme?.toLowerCase() === 'bearer'
          ? credential
          : '';
    if (given !== token)
      throw new Reply(401, { error: 'unauthenticated', error_description: 'Unauthenticated.' });
  }

  function routeOf(pathname: string): Route {
    const parts = pathname
      .replace(/^\/v1\.0\/?/, '')
      .split('/')
      .filter(Boolean);
    if (!pathname.startsWith('/v1.0/') || parts[0] !== 'schools')
      throw new Reply(404, { error: 'not_found' });
    if (parts.length === 1)
      return { endpoint: 'schools', store: null, schoolId: null, state: 'approved' };
    if (
      parts.length === 2 &&
      ['pending', 'revoked', 'audited', 'declined', 'offline'].includes(parts[1]!)
    ) {
      return { endpoint: 'schools', store: null, schoolId: null, state: parts[1]! };
    }
    const schoolId = parts[1]!;
    const rest = parts.slice(2).join('/');
    const endpoint = SCHOOL_PATHS[rest];
    if (!endpoint) throw new Reply(404, { error: 'not_found' });
    return { endpoint, store: stores.get(schoolId) ?? null, schoolId, state: null };
  }

  async function misbehave(res: ServerResponse, endpoint: Endpoint, page: number): Promise<void> {
    if (matches(faults.hang, endpoint, page)) {
      await new Promise<void>((resolve) => res.once('close', resolve));
      return;
    }
    if (faults.slow && matches(faults.slow, endpoint, page)) await sleep(faults.slow.delayMs);
    const limit = faults.rateLimit;
    if (limit && matches(limit, endpoint, page) && fire(countdowns.rateLimit)) {
      const headers: Record<string, string> =
        limit.retryAfterSeconds === undefined
          ? {}
          : { 'retry-after': String(limit.retryAfterSeconds) };
      throw new Reply(
        429,
        { error: 'too_many_requests', error_description: 'Too Many Attempts.' },
        headers,
      );
    }
    const failing = faults.serverError;
    if (failing && matches(failing, endpoint, page) && fire(countdowns.serverError)) {
      throw new Reply(failing.status ?? 500, {
        error: 'server_error',
        error_description: 'Server Error',
      });
    }
  }

  function answer(route: Route, url: URL): unknown {
    if (route.endpoint === 'schools') return listSchools(route.state ?? 'approved', url);
    // Another region's host has no such school, and says so with empty data (research 1.2).
    if (faults.wrongRegion) return { data: [] };
    const store = route.store;
    if (!store) {
      throw new Reply(404, { error: 'not_found', error_description: 'School not found.' });
    }
    if (store.access !== 'approved') {
      throw new Reply(403, {
        error: 'access_denied',
        error_description: `School access is ${store.access}.`,
      });
    }
    const scope = ENDPOINT_SCOPES[route.endpoint];
    if (scope && faults.missingScopes?.includes(scope)) {
      throw new Reply(403, {
        error: 'invalid_permissions',
        error_description: `Missing ${scope} permission.`,
      });
    }
    return endpointBody(route.endpoint, store, url);
  }

  function endpointBody(endpoint: Endpoint, store: SchoolStore, url: URL): unknown {
    const params = url.searchParams;
    const includes = new Set((params.get('include') ?? '').split(',').filter(Boolean));
    const ctx = { shapes, includes, withheld: new Set(faults.missingScopes ?? []) };
    const after = updatedAfter(params.get('updated_after'));
    switch (endpoint) {
      case 'school':
        return { data: renderSchool(store, url.host) };
      case 'counts':
        return {
          data: {
            students: {
              data: { count: store.students.filter((s) => s.status === 'on_roll').length },
            },
          },
        };
      case 'students':
      case 'leavers': {
        const status = endpoint === 'students' ? 'on_roll' : 'leaver';
        const source = arraySource(
          store.students,
          (s) => s.status === status && (after === null || s.updatedAt > after),
        );
        return list(url, source, (row) => renderStudent(row, ctx), STUDENT_INCLUDES);
      }
      case 'aspects':
        return list(
          url,
          arraySource(store.aspects, () => true),
          (row) => renderAspect(row, shapes),
          [],
        );
      case 'resultsets':
        return list(
          url,
          arraySource(store.resultSets, () => true),
          renderResultSet,
          [],
        );
      case 'templates':
        return list(
          url,
          arraySource(store.templates, () => true),
          (t) => ({ id: t.wondeId, mis_id: t.misId, name: t.name }),
          [],
        );
      case 'results': {
        const source: Source<number> = {
          length: store.resultCount,
          visible: (seq) => store.resultVisible(seq, after),
          at: (seq) => seq,
          direct: after === null && store.resultsUnfiltered,
        };
        return list(url, source, (seq) => renderResult(store.resultAt(seq), store, ctx), [
          'student',
          'aspect',
          'resultset',
        ]);
      }
      case 'deletions': {
        const type = params.get('type');
        const changed = (d: { deletedAt: number; restoredAt: number | null }) =>
          Math.max(d.deletedAt, d.restoredAt ?? 0);
        const source = arraySource(
          store.deletions,
          (d) => (!type || d.type === type) && (after === null || changed(d) > after),
        );
        return list(url, source, renderDeletion, []);
      }
      default:
        throw new Reply(404, { error: 'not_found' });
    }
  }

  function list<T>(
    url: URL,
    source: Source<T>,
    render: (item: T) => unknown,
    includes: string[],
  ): unknown {
    const request = readPageRequest(url.searchParams, maxPerPage);
    const slice = slicePage(source, request);
    const endpoint = routeOf(url.pathname).endpoint;
    const loopBack = matches(faults.loop, endpoint, request.page);
    const paging = pagination(url, request, slice, loopBack, shapes.shortLists);
    const data = slice.items.map(render);
    if (paging) return { data, meta: { pagination: paging, includes } };
    if (shapes.unpagedMeta === 'absent') return { data };
    return { data, meta: shapes.unpagedMeta === 'empty_array' ? [] : { includes } };
  }

  function listSchools(state: string, url: URL): unknown {
    const wanted = state === 'approved' ? 'approved' : state;
    const schools = [...stores.values()].filter((store) => store.access === wanted);
    if (faults.wrongRegion) return { data: [] };
    return list(
      url,
      arraySource(schools, () => true),
      (store) => renderSchool(store, url.host),
      [],
    );
  }

  // Runs once the page has gone: a school deleting pupils while a sync reads the roll.
  function afterPage(route: Route, url: URL): void {
    const deletion = faults.deleteBetweenPages;
    if (!deletion || route.endpoint !== 'students' || !route.store) return;
    const request = readPageRequest(url.searchParams, maxPerPage);
    if (request.page !== deletion.afterPage) return;
    const served = route.store.students
      .filter((s) => s.status === 'on_roll')
      .slice(0, request.page * request.perPage);
    route.store.deletePupils(deletion.count, Date.now(), served.slice(0, deletion.count));
    faults = { ...faults, deleteBetweenPages: null };
  }

  const server: Server = options.tls
    ? createHttpsServer(options.tls, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const storeOf = (schoolId?: string) => (schoolId ? stores.get(schoolId) : first) ?? first;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/v1.0/`,
    token,
    requests,
    setFaults(next) {
      faults = { ...next };
      countdowns = countdownsOf(faults);
    },
    setShapes(next) {
      shapes = { ...shapes, ...next };
    },
    store: storeOf,
    changeResults: (count, schoolId) => storeOf(schoolId).changeResults(count),
    changePupils: (count, schoolId) => storeOf(schoolId).changePupils(count),
    deletePupils: (count, schoolId) => storeOf(schoolId).deletePupils(count),
    leavePupils: (count, schoolId) => storeOf(schoolId).leavePupils(count),
    reenrolPupils: (count, schoolId) => storeOf(schoolId).reenrolPupils(count),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const SCHOOL_PATHS: Record<string, Endpoint> = {
  '': 'school',
  students: 'students',
  'students-leaver': 'leavers',
  deletions: 'deletions',
  counts: 'counts',
  'assessment/aspects': 'aspects',
  'assessment/resultsets': 'resultsets',
  'assessment/templates': 'templates',
  'assessment/results': 'results',
};

interface Countdowns {
  rateLimit: { remaining: number };
  serverError: { remaining: number };
  truncate: { remaining: number };
}

function countdownsOf(faults: WondeFaults): Countdowns {
  return {
    rateLimit: { remaining: faults.rateLimit?.times ?? 0 },
    serverError: { remaining: faults.serverError?.times ?? Number.POSITIVE_INFINITY },
    truncate: { remaining: faults.truncate?.times ?? Number.POSITIVE_INFINITY },
  };
}

function fire(countdown: { remaining: number }): boolean {
  if (countdown.remaining <= 0) return false;
  countdown.remaining -= 1;
  return true;
}

function arraySource<T>(rows: readonly T[], visible: (row: T) => boolean): Source<T> {
  return {
    length: rows.length,
    visible: (index) => visible(rows[index]!),
    at: (index) => rows[index]!,
    direct: false,
  };
}

// Wonde's client writes "2016-06-24 00:00:00"; the fake reads it, and ISO, as UTC.
function updatedAfter(value: string | null): number | null {
  if (!value) return null;
  const iso = value.includes('T') ? value : `${value.replace(' ', 'T')}Z`;
  const time = Date.parse(iso);
  if (Number.isNaN(time))
    throw new Reply(422, {
      error: 'validation_error',
      error_description: 'updated_after is not a date.',
    });
  return time;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendTruncated(res: ServerResponse, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
}
