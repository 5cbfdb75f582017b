import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SyntheticSchool } from '../school.ts';
import { type ArborFaults, hits } from './faults.ts';
import { matches, readFilters } from './query.ts';
import {
  type Detail,
  type RenderOptions,
  renderChange,
  renderListed,
  renderOne,
} from './render.ts';
import { type ArborRecord, ArborStore, londonLocal, type Ref, resourceSpec } from './store.ts';

export type { ArborFaults, Target } from './faults.ts';
export type { Detail } from './render.ts';

/**
 * A fake of one school's Arbor MIS REST API ("rest-v2"), on 127.0.0.1 and a free port: HTTP
 * Basic auth, `filters.*` queries, `page-size`/`page-number` paging, changelogs, and the
 * `{response:{code,reason,errors}}` error body (research 2 and 7). Arbor gives each school its
 * own host, so one fake serves one school.
 */

export interface ArborFakeOptions {
  school: SyntheticSchool;
  username?: string;
  password?: string;
  detail?: Detail;
  /** The research says `page-number`; the PHP SDK's code sends `page`. */
  pageNumberParam?: 'page-number' | 'page';
  firstPageNumber?: 0 | 1;
  defaultPageSize?: number;
  notSubmitted?: number;
  faults?: ArborFaults;
  tls?: { key: Buffer; cert: Buffer };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface ArborFake {
  /** The origin, e.g. `http://127.0.0.1:54321`: what a source's host setting would hold. */
  url: string;
  requests: SeenRequest[];
  store: ArborStore;
  setFaults(faults: ArborFaults): void;
  /** The Arbor student id of a synthetic pupil, as the connector reports it. */
  studentId(pupilId: string): string;
  markId(resultId: string): string;
  assessmentId(aspectId: string): string;
  /** Gives n results another grade from their grade set; returns their mark ids. */
  changeResults(count: number): string[];
  /** Changes n pupils' legal last names (a change to Person, not Student). */
  changePupilNames(count: number): string[];
  /** Starts or ends SEN support for n pupils. */
  changeSen(count: number): string[];
  deletePupils(count: number): string[];
  deleteResults(count: number): string[];
  close(): Promise<void>;
}

export const FAKE_USERNAME = 'next-steps-sync-app';
export const FAKE_PASSWORD = 'arbor-fake-password-7f3a9c';

export async function startArborFake(options: ArborFakeOptions): Promise<ArborFake> {
  const store = new ArborStore(options.school, { notSubmitted: options.notSubmitted });
  const state: FakeState = {
    store,
    options,
    faults: structuredClone(options.faults ?? {}),
    requests: [],
    expectedAuth: basic(options.username ?? FAKE_USERNAME, options.password ?? FAKE_PASSWORD),
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(state, req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : undefined);
    });
  };
  const server: Server = options.tls
    ? createHttpsServer(options.tls, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests: state.requests,
    store,
    setFaults: (faults) => {
      state.faults = structuredClone(faults);
    },
    studentId: (pupilId) => String(store.studentIds.get(pupilId)),
    markId: (resultId) => String(store.markIds.get(resultId)),
    assessmentId: (aspectId) => String(store.assessmentIds.get(aspectId)),
    changeResults: (count) => changeResults(store, count),
    changePupilNames: (count) => changePupilNames(store, count),
    changeSen: (count) => changeSen(store, count),
    deletePupils: (count) => deleteEvery(store, 'students', count),
    deleteResults: (count) => deleteEvery(store, 'student-progress-assessment-marks', count),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface FakeState {
  store: ArborStore;
  options: ArborFakeOptions;
  faults: ArborFaults;
  requests: SeenRequest[];
  expectedAuth: string;
}

interface Parsed {
  resource: string;
  id: number | null;
  changelog: boolean;
  params: URLSearchParams;
  page: number | null;
}

async function handle(state: FakeState, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  state.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
  const { faults } = state;

  if (faults.wrongSchool) return sendHtml(res, 404, 'This Arbor site does not exist');
  if (req.headers.authorization !== state.expectedAuth || faults.credentials === 'rotated') {
    res.setHeader('www-authenticate', 'Basic realm="Arbor"');
    return sendError(res, 401, 'Unauthorized', 'Invalid username or password');
  }
  const parsed = parsePath(state, url);
  if (!parsed) return sendError(res, 404, 'Not Found', `No resource at ${url.pathname}`);
  if (faults.credentials === 'revoked') {
    return sendError(res, 403, 'Forbidden', 'This application is not enabled for this school');
  }
  if (faults.forbidden?.includes(parsed.resource)) {
    const type = resourceSpec(parsed.resource)?.entityType;
    return sendError(res, 403, 'Forbidden', `You do not have permission to read ${type}`);
  }
  if (hits(faults.rateLimit, parsed.resource, parsed.page)) {
    const retryAfter = faults.rateLimit?.retryAfterSeconds;
    if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
    return sendError(res, 429, 'Too Many Requests', 'Request limit reached');
  }
  if (hits(faults.serverError, parsed.resource, parsed.page)) {
    const status = faults.serverError?.status ?? 500;
    return sendError(res, status, 'Internal Server Error', 'Something went wrong');
  }
  if (faults.slowMs) await new Promise((resolve) => setTimeout(resolve, faults.slowMs));
  if (hits(faults.hang, parsed.resource, parsed.page)) return;

  const answer = answerFor(state, parsed);
  if (answer.status !== 200) {
    const reason = answer.status === 400 ? 'Bad Request' : 'Not Found';
    return sendError(res, answer.status, reason, answer.message);
  }
  const body = Buffer.from(JSON.stringify(answer.body));
  if (hits(faults.truncate, parsed.resource, parsed.page)) return sendTruncated(res, body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
  afterPage(state, parsed);
}

function parsePath(state: FakeState, url: URL): Parsed | null {
  const match = /^\/rest-v2\/([a-z_-]+)(?:\/(changelog|\d+))?\/?$/.exec(url.pathname);
  if (!match || !resourceSpec(match[1]!)) return null;
  const params = url.searchParams;
  const rawPage = params.get(state.options.pageNumberParam ?? 'page-number');
  return {
    resource: match[1]!,
    id: match[2] && match[2] !== 'changelog' ? Number(match[2]) : null,
    changelog: match[2] === 'changelog',
    params,
    page: rawPage === null ? null : Number(rawPage),
  };
}

type Answer = { status: 200; body: unknown } | { status: 400 | 404; message: string };

function answerFor(state: FakeState, parsed: Parsed): Answer {
  const spec = resourceSpec(parsed.resource)!;
  const render = renderOptions(state);
  if (parsed.id !== null) {
    const record = state.store.table(parsed.resource).get(parsed.id);
    if (!record) return { status: 404, message: `No ${spec.entityType} ${parsed.id}` };
    return { status: 200, body: { [spec.oneKey]: renderOne(state.store, record, render) } };
  }
  if (parsed.changelog) return changelog(state, parsed, render);

  const filters = readFilters(parsed.params);
  if (typeof filters === 'string') return { status: 400, message: filters };
  const all = [...state.store.table(parsed.resource).values()].filter((record) =>
    matches(record, filters),
  );
  const page = pageOf(state, parsed, all, state.options.defaultPageSize ?? 100);
  return {
    status: 200,
    body: { [spec.listKey]: page.map((record) => renderListed(state.store, record, render)) },
  };
}

function changelog(state: FakeState, parsed: Parsed, render: RenderOptions): Answer {
  const from = Number(parsed.params.get('from-revision') ?? 0);
  const to = Number(parsed.params.get('to-revision') ?? Number.POSITIVE_INFINITY);
  // The research gives no paging for changelogs; this fake pages them only when asked to.
  const changes = state.store.changes.filter(
    (change) =>
      change.resource === parsed.resource && change.toRevision >= from && change.toRevision <= to,
  );
  const page = parsed.params.has('page-size')
    ? pageOf(state, parsed, changes, changes.length)
    : changes;
  return {
    status: 200,
    body: { changes: page.map((change) => renderChange(state.store, change, render)) },
  };
}

function pageOf<T>(state: FakeState, parsed: Parsed, rows: readonly T[], fallback: number): T[] {
  const size = Math.max(1, Number(parsed.params.get('page-size') ?? fallback));
  const first = state.options.firstPageNumber ?? 1;
  const looping = hits(state.faults.ignorePageNumber, parsed.resource, parsed.page);
  const page = looping ? first : (parsed.page ?? first);
  const start = (page - first) * size;
  return rows.slice(start, start + size);
}

function renderOptions(state: FakeState): RenderOptions {
  return {
    detail: state.options.detail ?? 'full',
    stripped: new Set(state.faults.stripped ?? []),
  };
}

// A record deleted from the part of a listing already served moves every later record one
// place up, so page-number paging skips one: the hazard of offset paging under change.
function afterPage(state: FakeState, parsed: Parsed): void {
  const fault = state.faults.deleteBetweenPages;
  if (!fault || parsed.changelog || parsed.id !== null) return;
  if (fault.resource !== parsed.resource || fault.afterPage !== parsed.page) return;
  state.faults.deleteBetweenPages = undefined;
  const ids = [...state.store.table(parsed.resource).keys()].slice(0, fault.count);
  for (const id of ids) state.store.remove(parsed.resource, id);
}

function sendError(res: ServerResponse, code: number, reason: string, message: string) {
  const body = JSON.stringify({
    response: { code, reason, errors: [{ exception: `${reason}Exception`, message, trace: [] }] },
  });
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(body);
}

function sendHtml(res: ServerResponse, status: number, title: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>${title}</title></head><body>${title}</body></html>`);
}

function sendTruncated(res: ServerResponse, body: Buffer) {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function evenly<T>(rows: readonly T[], count: number, offset = 0): T[] {
  if (count <= 0 || rows.length === 0) return [];
  const step = Math.max(1, Math.floor(rows.length / count));
  const picked: T[] = [];
  for (let index = offset % step; index < rows.length && picked.length < count; index += step) {
    picked.push(rows[index]!);
  }
  return picked;
}

function changeResults(store: ArborStore, count: number): string[] {
  const marks = [...store.table('student-progress-assessment-marks').values()].filter(
    (mark) => mark.grade !== null,
  );
  return evenly(marks, count).map((mark) => {
    store.update('student-progress-assessment-marks', mark.id, {
      grade: store.otherGrade(mark.grade as Ref),
      completedDatetime: londonLocal(new Date().toISOString()),
    });
    return String(mark.id);
  });
}

function changePupilNames(store: ArborStore, count: number): string[] {
  const students = [...store.table('students').values()];
  return evenly(students, count, 1).map((student) => {
    const person = store.find(student.person as Ref)!;
    store.update('people', person.id, { legalLastName: `${person.legalLastName}-Hughes` });
    return String(student.id);
  });
}

function changeSen(store: ArborStore, count: number): string[] {
  const students = [...store.table('students').values()];
  const today = new Date().toISOString().slice(0, 10);
  return evenly(students, count, 2).map((student) => {
    const current = [...store.table('sen-status-assignments').values()].find(
      (row) => (row.student as Ref).href === student.href && row.endDate === null,
    );
    if (current) {
      store.update('sen-status-assignments', current.id, { endDate: yesterday(today) });
    } else {
      const support = [...store.table('sen-statuses').values()].find((s) => s.d00229 === 'K')!;
      store.create('sen-status-assignments', {
        student: { entityType: student.entityType, href: student.href },
        senStatus: { entityType: support.entityType, href: support.href },
        startDate: today,
        endDate: null,
      });
    }
    return String(student.id);
  });
}

function deleteEvery(store: ArborStore, resource: string, count: number): string[] {
  const rows: ArborRecord[] = [...store.table(resource).values()];
  return evenly(rows, count, 3).map((row) => {
    store.remove(resource, row.id);
    return String(row.id);
  });
}

function yesterday(today: string): string {
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}
