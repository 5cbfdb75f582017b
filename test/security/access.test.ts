import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nxPoints, stagedResults, syncRuns } from '../../src/db/schema.ts';
import { drain, testEngine } from '../support/engine.ts';
import { makeUpn } from '../support/upn.ts';
import {
  buildSecurityTrust,
  fill,
  HEADER,
  OTHER_SCHOOL_NAME,
  OTHER_SURNAMES,
  paramsOf,
  type SchoolRecords,
  type SecurityTrust,
  type Session,
  signInAs,
  snapshot,
} from './trust.ts';

/**
 * Every registered route, walked: closed to visitors, and closed to a school's data lead for
 * every record of another school. The routes come from the app itself, so a route added later is
 * walked too; only the ids it takes and the bodies it needs are written here.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
type Route = { method: string; url: string; public: boolean };

/** Path parameters that name one school's records: another school's must be refused. */
const SCOPED_PARAMS = new Set([
  'schoolId',
  'sourceId',
  'runId',
  'pupilId',
  'aspectId',
  'mappingId',
  'ruleId',
  'ruleKey',
  'suggestionId',
  'conflictId',
]);
/** Path parameters only a trust admin may use at all. */
const ADMIN_PARAMS = new Set(['userId', 'grantId']);

/**
 * Routes without a school in their address that a data lead may use: their own home, the pupil
 * search over their scope, the trust library, the template, the lists the API scopes for them.
 * Every other route without a school in its address is the trust's, and must answer 403.
 */
const OPEN_TO_A_DATA_LEAD = new Set([
  'POST /sign-out',
  'GET /',
  'GET /pupils',
  'GET /rules/library',
  'POST /rules/library/confirm',
  'GET /template/return.xlsx',
  'GET /template/return.csv',
  'GET /reports',
  'GET /reports/assets/reports.css',
  'GET /reports/assets/print.js',
  'GET /*',
  'GET /api/v1/schools',
  'GET /api/v1/collections',
  'GET /api/v1/subjects',
  'GET /api/v1/connector-kinds',
  'GET /api/v1/grade-rules',
  'GET /api/v1/assessments',
  'GET /api/v1/openapi.json',
]);

/** The console's query parameters that take an id, from the zod schemas of its pages. */
const CONSOLE_ID_QUERIES: Record<string, Record<string, keyof SchoolRecords>> = {
  'GET /': { collection: 'collectionId' },
  'GET /pupils': { school: 'schoolId' },
  'GET /schools/:schoolId': { collection: 'collectionId' },
  'GET /schools/:schoolId/unmapped': { collection: 'collectionId' },
  'GET /schools/:schoolId/missing': { collection: 'collectionId' },
  'GET /schools/:schoolId/missing.csv': { collection: 'collectionId' },
  'GET /reports/schools/:schoolId': { collection: 'collectionId' },
  'GET /reports/schools/:schoolId/standards': { collection: 'collectionId' },
  'GET /reports/schools/:schoolId/report.xlsx': { collection: 'collectionId' },
};

/** Query parameters of the API that name a school's records, and the id each takes. */
const API_ID_QUERIES: Record<string, keyof SchoolRecords> = {
  schoolId: 'schoolId',
  collectionId: 'collectionId',
};

let trust: SecurityTrust;
let app: FastifyInstance;
let lead: Session;
let admin: Session;
let openApi: { paths: Record<string, Record<string, OpenApiOperation>> };
let nx6: string;

interface OpenApiOperation {
  parameters: { name: string; in: string; required: boolean }[];
  requestBody?: unknown;
}

beforeAll(async () => {
  trust = await buildSecurityTrust();
  app = trust.app;
  lead = await signInAs(app, trust.users.lead);
  admin = await signInAs(app, trust.users.admin);
  openApi = (
    await app.inject({ url: '/api/v1/openapi.json', headers: trust.users.lead.auth })
  ).json();
  const [point] = await trust.database.db.select().from(nxPoints).where(eq(nxPoints.code, 'NX6'));
  nx6 = point!.id;
});
afterAll(async () => {
  await app.close();
  await trust.database.close();
});

const isApi = (route: Route) => route.url.startsWith('/api/');
const keyOf = (route: Route) => `${route.method} ${route.url}`;
const closedRoutes = () => app.registeredRoutes.filter((route) => !route.public);

function idsOf(records: SchoolRecords): Record<string, string> {
  return { ...records, table: 'attainment' };
}

function operationOf(route: Route): OpenApiOperation | null {
  const path = route.url.replace(/:(\w+)/g, '{$1}');
  return openApi.paths[path]?.[route.method.toLowerCase()] ?? null;
}

/** Values for the API's required query parameters that name nothing of a school. */
function requiredQuery(route: Route): Record<string, string> {
  const query: Record<string, string> = {};
  for (const parameter of operationOf(route)?.parameters ?? []) {
    if (parameter.in !== 'query' || !parameter.required) continue;
    if (parameter.name === 'collectionId') query.collectionId = String(trust.autumn);
    else if (parameter.name === 'subjectId') query.subjectId = String(trust.maths);
    else throw new Error(`give ${keyOf(route)} a value for its query parameter ${parameter.name}`);
  }
  return query;
}

/** A body the API accepts for each route that takes one, naming the records given. */
function apiBody(route: Route, records: SchoolRecords): Record<string, unknown> | undefined {
  const bodies: Record<string, Record<string, unknown>> = {
    'POST /api/v1/schools': {
      name: 'Hollins Park Primary School',
      urn: '150999',
      laestab: '8010999',
      phase: 'primary',
      setting: 'mainstream',
      joinedTrustOn: '2026-11-02',
    },
    'POST /api/v1/schools/:schoolId/sources': { kind: 'spreadsheet', name: 'Baseline return' },
    'PUT /api/v1/sources/:sourceId': { name: 'Termly return (renamed)', config: {} },
    'POST /api/v1/sources/:sourceId/runs': { mode: 'full' },
    'POST /api/v1/aspects/:aspectId/subject-mappings': {
      subjectId: trust.maths,
      reason: 'The maths column of the school tracker',
    },
    'POST /api/v1/subject-mappings/:mappingId/decision': { decision: 'confirm' },
    'POST /api/v1/grade-rules': {
      schoolId: records.schoolId,
      subjectId: trust.maths,
      match: 'value',
      value: 'Step 4a',
      nxPointId: nx6,
      reason: 'Step 4a is the expected standard in Year 2',
    },
    'POST /api/v1/grade-rules/:ruleId/decision': { decision: 'confirm' },
    'POST /api/v1/match-suggestions/:suggestionId/decision': { samePupil: true },
    'POST /api/v1/conflicts/:conflictId/review': {
      note: 'Teacher assessment replaces the test score',
    },
    'PUT /api/v1/reports/schools/:schoolId/targets': {
      academicYear: 2026,
      targets: [{ pupilId: records.pupilId, subjectId: trust.maths, value: 'NX7' }],
    },
  };
  const body = bodies[keyOf(route)];
  if (body === undefined && operationOf(route)?.requestBody) {
    throw new Error(`give ${keyOf(route)} a body it accepts`);
  }
  return body;
}

/** One request as the data lead makes it: the session for the console, the token for the API. */
async function asLead(route: Route, path: string, body?: Record<string, unknown>) {
  const method = route.method as Method;
  if (isApi(route)) {
    return app.inject({
      method,
      url: path,
      headers: trust.users.lead.auth,
      ...(body ? { payload: body } : {}),
    });
  }
  // Signing out would end the walk's own session: that route gets a session of its own.
  const session = route.url === '/sign-out' ? await signInAs(app, trust.users.lead) : lead;
  return app.inject({
    method,
    url: path,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    ...(method === 'GET' ? {} : { payload: { decision: 'confirm', kind: 'spreadsheet' } }),
  });
}

function withQuery(path: string, query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return search ? `${path}?${search}` : path;
}

/** What Oakfield's data lead must never read: Riverside's name and its pupils' surnames. */
function leaks(body: string): string[] {
  return [OTHER_SCHOOL_NAME, ...OTHER_SURNAMES].filter((text) => body.includes(text));
}

describe('a visitor with no session or token', () => {
  it('opens only the health probes, the assets and the sign-in page', () => {
    const open = app.registeredRoutes.filter((route) => route.public).map(keyOf);
    expect(open).toEqual([
      'GET /healthz',
      'GET /readyz',
      'GET /assets/console.css',
      'GET /assets/htmx.min.js',
      'GET /sign-in',
      'POST /sign-in',
    ]);
  });

  it('is refused every other route: 401 from the API, a redirect to sign in from the console', async () => {
    const routes = closedRoutes();
    expect(routes.length).toBeGreaterThan(100);
    const credentials = [
      {},
      { cookie: 'nss_session=Qm9ndXMgc2Vzc2lvbiB2YWx1ZSB0aGF0IHdhcyBuZXZlciBpc3N1ZWQ' },
      { authorization: 'Bearer nss_0000000000000000000000000000000000000000000' },
    ];
    const wrong: string[] = [];
    for (const route of routes) {
      const path = fill(route.url, idsOf(trust.other));
      for (const headers of credentials) {
        const response = await app.inject({ method: route.method as Method, url: path, headers });
        const refused = isApi(route)
          ? response.statusCode === 401 && response.json().error.code === 'unauthenticated'
          : response.statusCode === 302 &&
            response.headers.location === `/sign-in?next=${encodeURIComponent(path)}`;
        if (!refused || leaks(response.body).length > 0) {
          wrong.push(`${route.method} ${path} ${Object.keys(headers)}: ${response.statusCode}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('is sent to sign in by htmx too, with a 401 and HX-Redirect', async () => {
    const wrong: string[] = [];
    for (const route of closedRoutes().filter((one) => !isApi(one))) {
      const path = fill(route.url, idsOf(trust.other));
      const response = await app.inject({
        method: route.method as Method,
        url: path,
        headers: { 'hx-request': 'true' },
      });
      const expected = `/sign-in?next=${encodeURIComponent(path)}`;
      if (response.statusCode !== 401 || response.headers['hx-redirect'] !== expected) {
        wrong.push(`${route.method} ${path}: ${response.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("a school's data lead, with another school's ids", () => {
  it('has an id for every parameter of every route', () => {
    const known = new Set([...SCOPED_PARAMS, ...ADMIN_PARAMS, 'table']);
    const unknown = closedRoutes().flatMap((route) =>
      paramsOf(route.url)
        .filter((name) => !known.has(name))
        .map((name) => `${keyOf(route)} :${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('names real records: a trust admin opens every page that takes those ids', async () => {
    const wrong: string[] = [];
    for (const route of closedRoutes().filter((one) => one.method === 'GET')) {
      if (!paramsOf(route.url).some((name) => SCOPED_PARAMS.has(name))) continue;
      const path = withQuery(fill(route.url, idsOf(trust.other)), requiredQuery(route));
      const response = await app.inject({
        url: path,
        headers: isApi(route) ? trust.users.admin.auth : { cookie: admin.cookie },
      });
      if (response.statusCode >= 400) wrong.push(`GET ${path}: ${response.statusCode}`);
    }
    expect(wrong).toEqual([]);
  });

  it("is refused every route that names another school's records, and changes nothing", async () => {
    const before = await snapshot(trust.database);
    const wrong: string[] = [];
    for (const route of closedRoutes()) {
      const params = paramsOf(route.url);
      const path = withQuery(fill(route.url, idsOf(trust.other)), requiredQuery(route));
      const response = await asLead(route, path, apiBody(route, trust.other));
      const status = response.statusCode;
      const leaked = leaks(response.body);
      const scoped = params.some((name) => SCOPED_PARAMS.has(name));
      const adminOnly = params.some((name) => ADMIN_PARAMS.has(name));
      const open = OPEN_TO_A_DATA_LEAD.has(keyOf(route));
      const refused = scoped ? [403, 404].includes(status) : status === 403;
      const fine = open && !scoped && !adminOnly ? status < 500 : refused;
      if (!fine || leaked.length > 0) {
        wrong.push(`${route.method} ${path}: ${status}${leaked.length ? ` shows ${leaked}` : ''}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot(trust.database)).toEqual(before);
  });

  it("is refused another school's id in a query, and never reads that school's data", async () => {
    const before = await snapshot(trust.database);
    const wrong: string[] = [];
    for (const route of closedRoutes()) {
      const names = isApi(route)
        ? Object.fromEntries(
            (operationOf(route)?.parameters ?? [])
              .filter((parameter) => parameter.in === 'query' && API_ID_QUERIES[parameter.name])
              .map((parameter) => [parameter.name, API_ID_QUERIES[parameter.name]!]),
          )
        : (CONSOLE_ID_QUERIES[keyOf(route)] ?? {});
      for (const [name, kind] of Object.entries(names)) {
        const query = { ...requiredQuery(route), [name]: trust.other[kind] };
        const path = withQuery(fill(route.url, idsOf(trust.own)), query);
        const response = await asLead(route, path, apiBody(route, trust.own));
        const status = response.statusCode;
        const leaked = leaks(response.body);
        // A school id must be refused; a collection id outside the school's own is either
        // refused or passed over for the current collection, as an unknown one is.
        const fine =
          kind === 'schoolId' ? [403, 404].includes(status) : status < 500 && leaked.length === 0;
        if (!fine || leaked.length > 0) {
          wrong.push(
            `${route.method} ${path}: ${status}${leaked.length ? ` shows ${leaked}` : ''}`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot(trust.database)).toEqual(before);
  });

  it("reads lists that hold only their own school's records", async () => {
    const other = trust.other;
    const lists = [
      '/api/v1/schools',
      '/api/v1/collections',
      '/api/v1/grade-rules',
      '/api/v1/assessments',
    ];
    for (const url of lists) {
      const response = await app.inject({ url, headers: trust.users.lead.auth });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
      for (const id of [other.schoolId, other.ruleKey, other.pupilId]) {
        expect({ url, id, shows: response.body.includes(id) }).toEqual({ url, id, shows: false });
      }
    }
    const collections = await app.inject({
      url: '/api/v1/collections',
      headers: trust.users.lead.auth,
    });
    const listed = collections.json().collections.map((c: { id: number }) => String(c.id));
    expect(listed).toContain(String(trust.autumn));
    expect(listed).not.toContain(trust.other.collectionId);
    const schools = await app.inject({ url: '/api/v1/schools', headers: trust.users.lead.auth });
    expect(schools.json().schools.map((s: { id: string }) => s.id)).toEqual([trust.own.schoolId]);
    const found = await app.inject({
      url: '/pupils?q=am',
      headers: { cookie: lead.cookie },
    });
    expect(found.body).toContain('Okafor');
    expect(leaks(found.body)).toEqual([]);
  });

  it('cannot name another school in the body of an API request', async () => {
    const before = await snapshot(trust.database);
    const { own, other } = trust;
    const rule = (overrides: Record<string, unknown>) => ({
      schoolId: own.schoolId,
      subjectId: trust.maths,
      match: 'value',
      value: 'Step 3b',
      nxPointId: nx6,
      reason: 'Step 3b is the expected standard in Year 2',
      ...overrides,
    });
    const attempts = [
      { url: '/api/v1/grade-rules', body: rule({ schoolId: other.schoolId }) },
      // A new version of another school's rule would retire the version it proposed.
      { url: '/api/v1/grade-rules', body: rule({ ruleKey: other.ruleKey }) },
      { url: '/api/v1/grade-rules', body: rule({ aspectId: Number(other.aspectId) }) },
    ];
    for (const { url, body } of attempts) {
      const response = await app.inject({
        method: 'POST',
        url,
        headers: trust.users.lead.auth,
        payload: body,
      });
      expect({ body, status: response.statusCode }).toEqual({
        body,
        status: expect.toBeOneOf([403, 404]),
      });
    }
    const targets = await app.inject({
      method: 'PUT',
      url: `/api/v1/reports/schools/${own.schoolId}/targets`,
      headers: trust.users.lead.auth,
      payload: {
        academicYear: 2026,
        targets: [{ pupilId: other.pupilId, subjectId: trust.maths, value: 'NX7' }],
      },
    });
    expect(targets.statusCode).toBe(422);
    expect(leaks(targets.body)).toEqual([]);
    expect(await snapshot(trust.database)).toEqual(before);
  });

  it("cannot land an upload in another school's baseline collection", async () => {
    const file = [
      HEADER,
      `${makeUpn(801, 2345, 19, 9)},Begum,Ayesha,05/01/2019,Y2,F,E,Y,Y,27/11/2026,EXS,EXS,EXS`,
      '',
    ].join('\r\n');
    const form = () => {
      const body = new FormData();
      body.append('collectionId', trust.other.collectionId);
      body.append('file', new Blob([file], { type: 'text/csv' }), 'oakfield-late-return.csv');
      return body;
    };
    const api = await app.inject({
      method: 'POST',
      url: `/api/v1/sources/${trust.own.sourceId}/uploads?collectionId=${trust.other.collectionId}`,
      headers: trust.users.lead.auth,
      payload: form(),
    });
    expect(api.statusCode).toBeOneOf([403, 404]);
    const viaConsole = await app.inject({
      method: 'POST',
      url: `/sources/${trust.own.sourceId}/uploads`,
      headers: { cookie: lead.cookie, 'x-csrf-token': lead.csrf },
      payload: form(),
    });
    expect(viaConsole.statusCode).toBe(303);
    await drain(testEngine(trust.database));

    const runs = await trust.database.db
      .select({ collectionId: syncRuns.collectionId })
      .from(syncRuns)
      .where(eq(syncRuns.sourceId, trust.own.sourceId));
    expect(runs.map((run) => run.collectionId)).not.toContain(Number(trust.other.collectionId));
    const placed = await trust.database.db
      .select({ schoolId: stagedResults.schoolId })
      .from(stagedResults)
      .where(eq(stagedResults.collectionId, Number(trust.other.collectionId)));
    expect(placed.filter((row) => row.schoolId === trust.own.schoolId)).toEqual([]);
  });
});

describe('CSRF', () => {
  // The sign-in form too: posted with a session, it must carry that session's token.
  const changing = () =>
    app.registeredRoutes.filter((route) =>
      ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method),
    );

  it('refuses every state-changing route without its session token, and changes nothing', async () => {
    const routes = changing();
    expect(routes.filter((route) => !isApi(route)).length).toBeGreaterThan(25);
    const before = await snapshot(trust.database);
    const forged = 'x'.repeat(admin.csrf.length);
    const attempts: { name: string; headers: Record<string, string>; form: object }[] = [
      { name: 'no token', headers: {}, form: {} },
      { name: 'no token, htmx', headers: { 'hx-request': 'true' }, form: {} },
      { name: 'forged header', headers: { 'x-csrf-token': forged }, form: {} },
      { name: 'forged field', headers: {}, form: { _csrf: forged } },
      { name: 'short header', headers: { 'x-csrf-token': 'forged' }, form: {} },
      { name: "another session's token", headers: { 'x-csrf-token': lead.csrf }, form: {} },
    ];
    const wrong: string[] = [];
    for (const route of routes) {
      const path = fill(route.url, idsOf(trust.own));
      for (const attempt of attempts) {
        const response = await app.inject({
          method: route.method as Method,
          url: path,
          headers: { cookie: admin.cookie, ...attempt.headers },
          payload: { decision: 'confirm', kind: 'spreadsheet', name: 'Forged', ...attempt.form },
        });
        const said = isApi(route)
          ? String(response.headers['content-type']).includes('json') &&
            response.json().error.code === 'csrf_failed'
          : response.body.includes('This form has expired or did not come from this site.');
        if (response.statusCode !== 403 || !said) {
          wrong.push(`${route.method} ${path} (${attempt.name}): ${response.statusCode}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot(trust.database)).toEqual(before);
    const still = await app.inject({ url: '/pupils', headers: { cookie: admin.cookie } });
    expect(still.statusCode).toBe(200);
  });

  it('accepts the same form with its own token', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/sources/${trust.own.systemSourceId}/pause`,
      headers: { cookie: admin.cookie },
      payload: { _csrf: admin.csrf },
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/sources/${trust.own.systemSourceId}`);
  });
});
