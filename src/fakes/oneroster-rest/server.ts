import { createHash } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { addDays } from '../../domain/iso-date.ts';
import type { SyntheticSchool } from '../school.ts';
import {
  buildStore,
  type CollectionName,
  type Json,
  orgIdOf,
  rescaleLineItem,
  SCHEMA_FIELDS,
  type Store,
  type Stored,
} from './data.ts';
import {
  type FakeEndpoint,
  FaultCounter,
  type OneRosterFaults,
  type RequestSpot,
  statusRules,
} from './faults.ts';
import { parseFields, parseFilter, QueryError, select, sortRecords } from './query.ts';

/**
 * A OneRoster 1.2 REST provider on loopback: OAuth 2 client credentials with scopes, the
 * rostering and gradebook services (and the Assessment Results Profile when asked), `limit`
 * and `offset` paging with `X-Total-Count` and `Link`, `filter`, `fields` and `sort`, and
 * failures in the imsx_StatusInfo shape (bare, wrapped, or as a 1.1 `statusInfoSet`). It
 * serves synthetic schools from memory and can be told to misbehave (see faults.ts).
 */

export type ScopeSuffix =
  | 'roster-core.readonly'
  | 'roster.readonly'
  | 'roster-demographics.readonly'
  | 'gradebook-core.readonly'
  | 'gradebook.readonly'
  | 'assessment.readonly';

export const ALL_SCOPES: readonly ScopeSuffix[] = [
  'roster-core.readonly',
  'roster.readonly',
  'roster-demographics.readonly',
  'gradebook-core.readonly',
  'gradebook.readonly',
  'assessment.readonly',
];

const SCOPE_PREFIX = 'https://purl.imsglobal.org/spec/or/v1p2/scope/';

export const DEFAULT_CLIENT_ID = 'next-steps-sync';
export const DEFAULT_CLIENT_SECRET = 'fake-oneroster-client-secret-7d1c9a';

export interface OneRosterRestFakeOptions {
  schools: readonly SyntheticSchool[];
  clientId?: string;
  clientSecret?: string;
  /** Scopes the client may be granted; all read scopes by default. */
  grantedScopes?: readonly ScopeSuffix[];
  /** Lists the granted scopes in the token answer (RFC 6749 5.1); on by default. */
  echoScope?: boolean;
  /** Refuses a token request asking for a scope not granted, instead of narrowing it. */
  rejectUngrantedScopes?: boolean;
  tokenLifetimeSeconds?: number;
  rosteringPath?: string;
  gradebookPath?: string;
  assessmentPath?: string;
  tokenPath?: string;
  /** The largest `limit` served; a larger one is cut to it without a word. */
  maxLimit?: number;
  errorEnvelope?: 'bare' | 'wrapped' | 'set';
  offerAssessmentResults?: boolean;
  offerScoreScales?: boolean;
  faults?: OneRosterFaults;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface OneRosterRestFake {
  /** The origin: `http://127.0.0.1:54321`. */
  url: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  requests: SeenRequest[];
  /** Every access token issued, for tests that search for leaks. */
  issuedTokens: string[];
  /** The org sourcedId of the n-th school. */
  schoolId(index?: number): string;
  setFaults(faults: OneRosterFaults): void;
  setScopes(scopes: readonly ScopeSuffix[]): void;
  /** Every token issued so far stops working; new ones can be had. */
  expireTokens(): void;
  /** The app's access is withdrawn: tokens stop working and no new ones are issued. */
  revokeAccess(): void;
  restoreAccess(): void;
  /** Changes n results' grades and their modified time; returns their ids. */
  changeResults(count: number): string[];
  /** Changes n students' family names and their modified time. */
  changePupils(count: number): string[];
  /** Moves n dates of birth by a day; only the demographics record changes. */
  changeDemographics(count: number): string[];
  /**
   * Gives n line items the score scale `gradeSet` (added once), as a gradebook whose teachers
   * chose another scale for some of a category's line items; returns their ids.
   */
  rescaleLineItems(count: number, gradeSet: string): string[];
  /** Marks n results `tobedeleted`. */
  deleteResults(count: number): string[];
  /** Marks n students `tobedeleted`. */
  deletePupils(count: number): string[];
  close(): Promise<void>;
}

interface Route {
  endpoint: FakeEndpoint;
  collection: CollectionName;
  /** Any one is enough. */
  scopes: readonly ScopeSuffix[];
  /** Only this org's records. */
  org?: string;
  /** A single read of this id, answered under the singular key. */
  single?: { id: string; key: string };
  /** Only users (students). */
  where?: (stored: Stored) => boolean;
}

interface IssuedToken {
  scopes: Set<ScopeSuffix>;
  expiresAt: number;
}

const ROSTER: readonly ScopeSuffix[] = ['roster-core.readonly', 'roster.readonly'];
const GRADEBOOK: readonly ScopeSuffix[] = ['gradebook-core.readonly', 'gradebook.readonly'];
const DEFAULT_LIMIT = 100;

const CODE_MINOR: Record<number, string> = {
  400: 'invaliddata',
  401: 'unauthorisedrequest',
  403: 'forbidden',
  404: 'unknownobject',
  422: 'invaliddata',
  429: 'server_busy',
};

export async function startOneRosterRestFake(
  options: OneRosterRestFakeOptions,
): Promise<OneRosterRestFake> {
  const fake = new Fake(options);
  const server = createServer((req, res) => {
    fake.handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.origin = origin;

  return {
    url: origin,
    tokenUrl: `${origin}${fake.paths.token}`,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    requests: fake.requests,
    issuedTokens: fake.issuedTokens,
    schoolId: (index = 0) => orgIdOf(options.schools[index]!),
    setFaults: (faults) => fake.setFaults(faults),
    setScopes: (scopes) => {
      fake.granted = new Set(scopes);
    },
    expireTokens: () => fake.expireTokens(),
    revokeAccess: () => {
      fake.revoked = true;
      fake.expireTokens();
    },
    restoreAccess: () => {
      fake.revoked = false;
    },
    changeResults: (count) => fake.change('results', count, changeGrade),
    changePupils: (count) =>
      fake.change('users', count, (record) => {
        record.familyName = `${String(record.familyName)}-Jones`;
      }),
    changeDemographics: (count) =>
      fake.change('demographics', count, (record) => {
        record.birthDate = addDays(String(record.birthDate), 1);
      }),
    rescaleLineItems: (count, gradeSet) =>
      fake.change('lineItems', count, (record) => fake.rescale(record, gradeSet)),
    deleteResults: (count) => fake.change('results', count, markDeleted),
    deletePupils: (count) => fake.change('users', count, markDeleted),
    async close() {
      fake.closing();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class Fake {
  origin = '';
  readonly clientId: string;
  readonly clientSecret: string;
  readonly requests: SeenRequest[] = [];
  readonly issuedTokens: string[] = [];
  readonly paths: { rostering: string; gradebook: string; assessment: string; token: string };
  granted: Set<ScopeSuffix>;
  revoked = false;
  private readonly store: Store;
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly known = new Map<CollectionName, Set<string>>();
  // Listings by query, so that paging through 13,000 results does not sort them every page;
  // any change to the records empties it.
  private readonly listings = new Map<string, Json[]>();
  private faults: OneRosterFaults;
  private counter = new FaultCounter();
  private lastStamp = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: OneRosterRestFakeOptions) {
    this.clientId = options.clientId ?? DEFAULT_CLIENT_ID;
    this.clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
    this.granted = new Set(options.grantedScopes ?? ALL_SCOPES);
    this.faults = options.faults ?? {};
    this.paths = {
      rostering: options.rosteringPath ?? '/ims/oneroster/rostering/v1p2',
      gradebook: options.gradebookPath ?? '/ims/oneroster/gradebook/v1p2',
      assessment: options.assessmentPath ?? '/ims/oneroster/gradebook/v1p2',
      token: options.tokenPath ?? '/oauth/token',
    };
    this.store = buildStore(options.schools, {
      rosteringPath: this.paths.rostering,
      gradebookPath: this.paths.gradebook,
      assessmentPath: this.paths.assessment,
      offerAssessmentResults: options.offerAssessmentResults ?? false,
    });
  }

  setFaults(faults: OneRosterFaults): void {
    this.faults = faults;
    this.counter = new FaultCounter();
  }

  expireTokens(): void {
    for (const token of this.tokens.values()) token.expiresAt = 0;
  }

  closing(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  rescale(lineItem: Json, gradeSet: string): void {
    rescaleLineItem(this.store, lineItem, gradeSet);
  }

  /** Applies a change to n records spread through the collection; returns their ids. */
  change(collection: CollectionName, count: number, apply: (record: Json) => void): string[] {
    const active = this.store[collection].filter((stored) => stored.record.status === 'active');
    const step = Math.max(1, Math.floor(active.length / Math.max(1, count)));
    const chosen = active.filter((_, index) => index % step === 0).slice(0, count);
    for (const { record } of chosen) {
      apply(record);
      record.dateLastModified = this.stamp();
    }
    this.listings.clear();
    return chosen.map(({ record }) => String(record.sourcedId));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    const url = new URL(req.url ?? '/', this.origin);
    if (url.pathname === this.paths.token) return this.token(req, res);

    const route = this.route(url.pathname);
    if (!route) return this.fail(res, 404, 'unknownobject', `No such resource: ${url.pathname}`);
    const limit = Math.min(
      positive(url.searchParams.get('limit')) ?? DEFAULT_LIMIT,
      this.options.maxLimit ?? 1000,
    );
    const offset = Math.max(0, Number(url.searchParams.get('offset') ?? 0) || 0);
    const spot: RequestSpot = { endpoint: route.endpoint, page: Math.floor(offset / limit) + 1 };

    if (this.statusFault(req, res, spot)) return;
    const slow = this.faults.slow;
    if (this.counter.fire(slow, spot)) await this.sleep(slow!.delayMs);
    if (res.destroyed) return;

    const token = this.bearer(req);
    if (!token) return this.fail(res, 401, 'unauthorisedrequest', 'The access token is not valid.');
    if (!route.scopes.some((scope) => token.scopes.has(scope))) {
      const needs = route.scopes.map((scope) => SCOPE_PREFIX + scope).join(' or ');
      return this.fail(res, 403, 'forbidden', `This request needs the scope ${needs}.`);
    }
    if (route.single) return this.single(res, route);
    if (route.org !== undefined && !this.store.orgs.some((s) => s.record.sourcedId === route.org)) {
      return this.fail(res, 404, 'unknownobject', `Unknown school ${route.org}.`);
    }
    return this.list(res, url, route, spot, { limit, offset });
  }

  private route(pathname: string): Route | null {
    const { rostering, gradebook, assessment } = this.paths;
    const under = (base: string) =>
      pathname.startsWith(`${base}/`) ? pathname.slice(base.length + 1).split('/') : null;
    const roster = under(rostering);
    if (roster) return this.rosterRoute(roster);
    const assessed = under(assessment);
    const offered = this.options.offerAssessmentResults ?? false;
    if (assessed && offered && assessed.length === 1) {
      if (assessed[0] === 'assessmentLineItems' || assessed[0] === 'assessmentResults') {
        const name = assessed[0];
        return { endpoint: name, collection: name, scopes: ['assessment.readonly'] };
      }
    }
    const graded = under(gradebook);
    if (graded?.length !== 1) return null;
    const name = graded[0] as CollectionName;
    if (name === 'scoreScales' && this.options.offerScoreScales === false) return null;
    if (!['categories', 'scoreScales', 'lineItems', 'results'].includes(name)) return null;
    return { endpoint: name as FakeEndpoint, collection: name, scopes: GRADEBOOK };
  }

  private rosterRoute(parts: string[]): Route | null {
    const [first, id, sub] = parts;
    if (first === 'schools' && parts.length === 1) {
      return { endpoint: 'schools', collection: 'orgs', scopes: ROSTER };
    }
    if (first === 'schools' && parts.length === 2) {
      const single = { id: decodeURIComponent(id!), key: 'org' };
      return { endpoint: 'school', collection: 'orgs', scopes: ROSTER, single };
    }
    if (first === 'schools' && sub === 'students' && parts.length === 3) {
      // A school's own listings need the full rostering scope (research A.1).
      const org = decodeURIComponent(id!);
      return { endpoint: 'students', collection: 'users', scopes: ['roster.readonly'], org };
    }
    if (first === 'students' && parts.length <= 2) {
      const single = id ? { id: decodeURIComponent(id), key: 'user' } : undefined;
      return { endpoint: 'students', collection: 'users', scopes: ROSTER, single };
    }
    if (first === 'demographics' && parts.length === 1) {
      const scopes: ScopeSuffix[] = ['roster-demographics.readonly'];
      return { endpoint: 'demographics', collection: 'demographics', scopes };
    }
    if (first === 'academicSessions' && parts.length === 1) {
      return { endpoint: 'academicSessions', collection: 'academicSessions', scopes: ROSTER };
    }
    return null;
  }

  private single(res: ServerResponse, route: Route) {
    const found = this.store[route.collection].find((s) => s.record.sourcedId === route.single!.id);
    if (!found) return this.fail(res, 404, 'unknownobject', `Unknown ${route.single!.key}.`);
    sendJson(res, 200, { [route.single!.key]: found.record });
  }

  private list(
    res: ServerResponse,
    url: URL,
    route: Route,
    spot: RequestSpot,
    page: { limit: number; offset: number },
  ) {
    const params = url.searchParams;
    const known = this.knownFields(route.collection);
    if (this.faults.rejectFilter && params.has('filter')) {
      return this.fail(res, 400, 'invalid_filter_field', 'Filtering is not supported.');
    }
    if (this.faults.rejectFields && params.has('fields')) {
      return this.fail(res, 400, 'invalid_selection_field', 'Field selection is not supported.');
    }
    let matches: (record: Json) => boolean;
    let fields: string[] | null;
    try {
      const filter = this.faults.ignoreFilter ? null : params.get('filter');
      matches = parseFilter(filter, known) ?? (() => true);
      fields = parseFields(params.get('fields'), known);
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      return this.fail(res, 400, error.codeMinor, error.message);
    }
    const failure = this.faults.failureInOk;
    if (this.counter.fire(failure, spot)) {
      return sendJson(res, 200, this.envelope(failure!.codeMinor, 'The request failed.'));
    }

    const listed = this.listing(route, params, matches);
    const offset = this.counter.fire(this.faults.ignoreOffset, spot) ? 0 : page.offset;
    const slice = listed.slice(offset, offset + page.limit).map((r) => select(r, fields));
    const headers: Record<string, string> = {};
    if (!this.faults.omitTotalCount) headers['x-total-count'] = String(listed.length);
    if (!this.faults.omitLink) {
      const self = this.counter.fire(this.faults.selfLink, spot);
      headers.link = linkHeader(url, offset, page.limit, listed.length, self);
    }
    const body = Buffer.from(JSON.stringify({ [route.collection]: slice }));
    this.write(res, body, headers, spot);

    const removal = this.faults.removeAfterPage;
    if (this.counter.fire(removal, spot)) {
      const doomed = new Set(listed.slice(0, removal!.count));
      this.listings.clear();
      this.store[route.collection] = this.store[route.collection].filter(
        (stored) => !doomed.has(stored.record),
      );
    }
  }

  private listing(route: Route, params: URLSearchParams, matches: (record: Json) => boolean) {
    const filter = this.faults.ignoreFilter ? '' : (params.get('filter') ?? '');
    const key = [route.collection, route.org, filter, params.get('sort'), params.get('orderBy')];
    const cacheKey = JSON.stringify(key);
    const cached = this.listings.get(cacheKey);
    if (cached) return cached;
    const held = this.store[route.collection].filter(
      (stored) => route.org === undefined || stored.org === route.org,
    );
    const listed = sortRecords(
      held.map((stored) => stored.record).filter(matches),
      params.get('sort'),
      params.get('orderBy'),
    );
    this.listings.set(cacheKey, listed);
    return listed;
  }

  private write(
    res: ServerResponse,
    body: Buffer,
    headers: Record<string, string>,
    spot: RequestSpot,
  ): void {
    const type = { 'content-type': 'application/json; charset=utf-8' };
    if (this.counter.fire(this.faults.stall, spot)) {
      res.writeHead(200, { ...type, ...headers });
      res.write(body.subarray(0, 16));
      return;
    }
    if (this.counter.fire(this.faults.truncate, spot)) {
      res.writeHead(200, { ...type, ...headers, 'content-length': String(body.length) });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.writeHead(200, { ...type, ...headers, 'content-length': String(body.length) });
    res.end(body);
  }

  private statusFault(
    req: IncomingMessage,
    res: ServerResponse,
    spot: RequestSpot,
    body = '',
  ): boolean {
    const rule = statusRules(this.faults).find((candidate) => this.counter.fire(candidate, spot));
    if (!rule) return false;
    const headers: Record<string, string> = rule.retryAfter
      ? { 'retry-after': rule.retryAfter }
      : {};
    const echoed = rule.echo
      ? ` Request: ${req.headers.authorization ?? ''} ${req.url ?? ''} ${body}`
      : '';
    if (spot.endpoint === 'token') {
      const answer = { error: 'temporarily_unavailable', error_description: `Busy.${echoed}` };
      sendJson(res, rule.status, answer, headers);
      return true;
    }
    const codeMinor = CODE_MINOR[rule.status] ?? 'internal_server_error';
    const description = `Fault ${rule.status}.${echoed}`;
    sendJson(res, rule.status, this.envelope(codeMinor, description), headers);
    return true;
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const form = new URLSearchParams(body);
    if (this.statusFault(req, res, { endpoint: 'token', page: 1 }, body)) return;
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'invalid_request' });

    const [id, secret] = clientCredentials(req.headers.authorization, form);
    if (this.revoked || id !== this.clientId || secret !== this.clientSecret) {
      const description = 'Client authentication failed.';
      const headers = { 'www-authenticate': 'Basic realm="oneroster"' };
      return sendJson(
        res,
        401,
        { error: 'invalid_client', error_description: description },
        headers,
      );
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return sendJson(res, 400, { error: 'unsupported_grant_type' });
    }

    const asked = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
    const suffixes = asked.map((scope) => scope.slice(scope.lastIndexOf('/') + 1) as ScopeSuffix);
    const unknown = suffixes.find((scope) => !ALL_SCOPES.includes(scope));
    const ungranted = suffixes.find((scope) => !this.granted.has(scope));
    const refuse = unknown ?? (this.options.rejectUngrantedScopes ? ungranted : undefined);
    if (refuse !== undefined) {
      const description = `The scope ${refuse} is not available to this client.`;
      return sendJson(res, 400, { error: 'invalid_scope', error_description: description });
    }

    const scopes = new Set(
      suffixes.length > 0 ? suffixes.filter((s) => this.granted.has(s)) : this.granted,
    );
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    const value = this.newToken();
    this.tokens.set(value, { scopes, expiresAt: Date.now() + lifetime * 1000 });
    sendJson(res, 200, {
      access_token: value,
      token_type: 'bearer',
      expires_in: lifetime,
      ...(this.options.echoScope === false
        ? {}
        : { scope: [...scopes].map((scope) => SCOPE_PREFIX + scope).join(' ') }),
    });
  }

  private bearer(req: IncomingMessage): IssuedToken | null {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const token = match ? this.tokens.get(match[1]!) : undefined;
    if (!token || token.expiresAt <= Date.now()) return null;
    return token;
  }

  // Deterministic, but shaped like a real opaque token.
  private newToken(): string {
    const n = this.issuedTokens.length + 1;
    const digest = createHash('sha256').update(`${this.clientSecret}:${n}`).digest('base64url');
    const value = `or2.${digest.slice(0, 40)}`;
    this.issuedTokens.push(value);
    return value;
  }

  private fail(res: ServerResponse, status: number, codeMinor: string, description: string) {
    sendJson(res, status, this.envelope(codeMinor, description));
  }

  /** The 1.2 status info, bare or in one of the wrappers real providers use (research A.5). */
  private envelope(codeMinor: string, description: string): Json {
    const info = {
      imsx_codeMajor: 'failure',
      imsx_severity: 'error',
      imsx_description: description,
      imsx_CodeMinor: {
        imsx_codeMinorField: [
          { imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor },
        ],
      },
    };
    const shape = this.options.errorEnvelope ?? 'bare';
    if (shape === 'wrapped') return { imsx_StatusInfo: info };
    if (shape === 'set') return { statusInfoSet: [info] };
    return info;
  }

  private knownFields(collection: CollectionName): Set<string> {
    let known = this.known.get(collection);
    if (!known) {
      known = new Set(SCHEMA_FIELDS[collection]);
      this.known.set(collection, known);
    }
    return known;
  }

  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function changeGrade(record: Json): void {
  if (typeof record.score === 'number') {
    record.score = record.score >= 9 ? record.score - 1 : record.score + 1;
  } else {
    record.textScore = record.textScore === 'EXS' ? 'GDS' : 'EXS';
  }
}

function markDeleted(record: Json): void {
  record.status = 'tobedeleted';
}

function linkHeader(url: URL, offset: number, limit: number, total: number, self: boolean) {
  const at = (value: number) => {
    const link = new URL(url);
    link.searchParams.set('offset', String(value));
    link.searchParams.set('limit', String(limit));
    return link.toString();
  };
  const lastOffset = Math.max(0, Math.floor((total - 1) / limit) * limit);
  const links = [`<${at(0)}>; rel="first"`];
  if (offset > 0) links.push(`<${at(Math.max(0, offset - limit))}>; rel="prev"`);
  if (self) links.push(`<${at(offset)}>; rel="next"`);
  else if (offset + limit < total) links.push(`<${at(offset + limit)}>; rel="next"`);
  links.push(`<${at(lastOffset)}>; rel="last"`);
  return links.join(', ');
}

function clientCredentials(
  authorization: string | undefined,
  form: URLSearchParams,
): [string | null, string | null] {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (basic) {
    const pair = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = pair.indexOf(':');
    return colon < 0 ? [pair, null] : [pair.slice(0, colon), pair.slice(colon + 1)];
  }
  return [form.get('client_id'), form.get('client_secret')];
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.headersSent) return;
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(bytes.length),
    ...headers,
  });
  res.end(bytes);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function positive(value: string | null): number | null {
  const number = Number(value);
  return value !== null && Number.isInteger(number) && number >= 1 ? number : null;
}
