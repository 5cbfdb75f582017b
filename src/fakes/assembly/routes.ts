import type { IncomingMessage } from 'node:http';
import type { AssemblyRecord, AssemblySchoolData, Stamped } from './data.ts';
import { serialise } from './data.ts';

/** The API's endpoints as the fake serves them, each in Assembly's own shape. */

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const SUPPORTED_VERSIONS = ['1.0', '1.1'];
const DEFAULT_PER_PAGE = 100;
const MAX_PER_PAGE = 1500;

export interface RouteContext {
  req: IncomingMessage;
  url: URL;
  page: number;
  loop: boolean;
  version: string;
  school: AssemblySchoolData;
  scopes: string[];
}

interface Route {
  scope: string;
  id: number | null;
  serve(context: RouteContext, id: number | null): Reply;
}

export function routeOf(path: string): Route | null {
  const single = /^\/assessments\/(\d+)(\/grade_set)?$/.exec(path);
  if (single) {
    const serve = single[2] ? gradeSet : assessment;
    return { scope: 'assessments', id: Number(single[1]), serve };
  }
  const lists: Record<string, [string, Route['serve']]> = {
    '/school': ['school', (c) => ({ status: 200, body: c.school.details })],
    '/students': ['students', students],
    '/students/left': ['students', leavers],
    '/results': ['results', results],
    '/assessments': ['assessments', (c) => paged(c, c.school.assessments)],
    '/assessment_points': ['assessments', (c) => paged(c, c.school.assessmentPoints)],
    '/facets': ['assessments', (c) => paged(c, c.school.facets)],
    '/subjects': ['subjects', (c) => paged(c, c.school.subjects)],
  };
  const found = lists[path];
  return found ? { scope: found[0], id: null, serve: found[1] } : null;
}

// Demographics come only when asked for and granted; without the scope Assembly leaves them
// out rather than refusing the request (its getStudents docs).
function students(c: RouteContext): Reply {
  const withDemographics =
    c.url.searchParams.get('demographics') === 'true' && c.scopes.includes('students.demographics');
  const changed = sinceFilter(c, c.school.students);
  if (!changed) return { status: 304 };
  return paged(
    c,
    changed.map(({ record }) => {
      const { demographics, ...rest } = record;
      return withDemographics ? record : rest;
    }),
  );
}

/** Documented without paging: the whole list, every time. */
function leavers(c: RouteContext): Reply {
  const changed = sinceFilter(c, c.school.left);
  if (!changed) return { status: 304 };
  return { status: 200, body: { object: 'list', data: changed.map(({ record }) => record) } };
}

function results(c: RouteContext): Reply {
  const named = c.url.searchParams.get('students');
  if (!named) {
    return {
      status: 400,
      body: { error: 'invalid_request', message: 'The students parameter is required.' },
    };
  }
  const ids = new Set(
    named
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number),
  );
  const theirs = c.school.results.filter(({ record }) => ids.has(record.student_id as number));
  const changed = sinceFilter(c, theirs);
  if (!changed) return { status: 304 };
  return paged(c, changed.map(serialise));
}

function assessment(c: RouteContext, id: number | null): Reply {
  const found = c.school.assessments.find((a) => a.id === id);
  return found ? { status: 200, body: found } : notFound(c.url.pathname);
}

function gradeSet(c: RouteContext, id: number | null): Reply {
  const found = id === null ? undefined : c.school.gradeSets.get(id);
  return found ? { status: 200, body: found } : notFound(c.url.pathname);
}

/** Records changed after If-Modified-Since, or null for a 304 when none did. */
function sinceFilter(
  c: RouteContext,
  records: Stamped<AssemblyRecord>[],
): Stamped<AssemblyRecord>[] | null {
  const header = c.req.headers['if-modified-since'];
  const since = header ? Date.parse(header) : Number.NaN;
  if (Number.isNaN(since)) return records;
  const changed = records.filter((stamped) => stamped.updatedAt > since);
  return changed.length > 0 ? changed : null;
}

// v1.1 pages in headers; v1.0 in the body (research 4).
function paged(c: RouteContext, records: readonly unknown[]): Reply {
  const asked = Number(c.url.searchParams.get('per_page') ?? DEFAULT_PER_PAGE);
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, asked || DEFAULT_PER_PAGE));
  const totalPages = Math.max(1, Math.ceil(records.length / perPage));
  const data = records.slice((c.page - 1) * perPage, c.page * perPage);
  const next = c.loop ? c.page : c.page < totalPages ? c.page + 1 : null;
  const prev = c.page > 1 ? c.page - 1 : null;

  if (c.version === '1.0') {
    const body = {
      object: 'list',
      total_count: records.length,
      total_pages: totalPages,
      current_page: c.page,
      prev_page: prev,
      next_page: next,
      data,
    };
    return { status: 200, body };
  }
  const headers: Record<string, string> = {
    page: String(c.page),
    'per-page': String(perPage),
    total: String(records.length),
    'total-pages': String(totalPages),
  };
  if (next !== null) headers['next-page'] = String(next);
  if (prev !== null) headers['prev-page'] = String(prev);
  return { status: 200, body: { object: 'list', data }, headers };
}

export function tooMany(count: number, retryAfter?: string): Reply {
  return {
    status: 429,
    body: { error: 'too many requests', data: { count, period: 300, limit: 600 } },
    headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  };
}

export function notFound(path: string): Reply {
  return { status: 404, body: { error: 'not_found', message: `No resource at ${path}.` } };
}

/** The version asked for in the Accept header; 1.1 when none is named; null if unsupported. */
export function versionOf(accept: string | undefined): string | null {
  const asked = /application\/vnd\.assembly\+json\s*;\s*version=([^\s,;]+)/i.exec(accept ?? '');
  if (!asked) return '1.1';
  return SUPPORTED_VERSIONS.includes(asked[1]!) ? asked[1]! : null;
}
