import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { PullEvent } from '../contract.ts';
import {
  type ConnectorError,
  type ConnectorErrorCode,
  createHttpClient,
  type HttpEvent,
  isConnectorError,
  type QueryValue,
  redactUrl,
} from '../http/index.ts';
import { type AssemblyConfig, type AssemblySecrets, hostsOf } from './config.ts';
import { type ErrorFacts, type Fail, failureFor } from './failure.ts';
import { describeEndpoint, type Endpoint, REVOKED, SYSTEM } from './messages.ts';
import { createTokens } from './tokens.ts';

/** One answer from the API, read whole; `body` is null for a 304 Not Modified. */
export interface Fetched {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer | null;
  /** Path and query, redacted: safe for a problem's location. */
  path: string;
  /** Method, path and query, redacted: the raw payload's label. */
  label: string;
}

export interface GetOptions {
  endpoint: Endpoint;
  headers?: Record<string, string | undefined>;
}

/** The API as one school's token sees it: bearer auth, one renewal, Assembly's wording. */
export interface AssemblySession {
  get(path: string, query: Record<string, QueryValue>, options: GetOptions): Promise<Fetched>;
  /** Parses a JSON body and validates it, as bad data if it does not fit. */
  parse<T extends z.ZodType>(fetched: Fetched, schema: T): z.output<T>;
  /** Asks for an app token with the client credentials alone: are they right? */
  appToken(): Promise<void>;
  /** The server's Date on the first API answer: the clock deltas are measured by. */
  firstServerDate(): string | null;
  fail(code: ConnectorErrorCode, facts: ErrorFacts): ConnectorError;
  close(): Promise<void>;
}

export interface SessionOptions {
  config: AssemblyConfig;
  secrets: AssemblySecrets;
  signal: AbortSignal;
  log?: (event: PullEvent) => void;
}

/** One HTTP client for one pull or check, with Assembly's version header and rate limit. */
export function openSession(options: SessionOptions): AssemblySession {
  const { config, secrets, signal } = options;
  const log = options.log ?? (() => {});
  const hosts = hostsOf(config);
  // Grows as tokens are issued, so that a renewed token is redacted like the stored ones.
  const known = [secrets.clientSecret, secrets.refreshToken];
  if (secrets.accessToken) known.push(secrets.accessToken);
  const fail = failureFor(hosts.api, known);

  const client = createHttpClient({
    system: SYSTEM,
    defaultHeaders: { accept: `application/vnd.assembly+json; version=${config.apiVersion}` },
    secrets: known,
    retry: config.http.retry,
    timeouts: config.http.timeouts,
    deadlineMs: config.http.deadlineMs,
    maxConcurrent: config.http.maxConcurrent,
    budget: config.rateLimit,
    onEvent: (event) => log(toPullEvent(event)),
  });
  const tokens = createTokens({
    client,
    authUrl: hosts.auth,
    clientId: config.clientId,
    clientSecret: secrets.clientSecret,
    refreshToken: secrets.refreshToken,
    accessToken: secrets.accessToken ?? null,
    signal,
    known,
    log,
    fail,
  });
  let serverDate: string | null = null;

  const send = async (
    token: string,
    path: string,
    query: Record<string, QueryValue>,
    o: GetOptions,
  ) => {
    const response = await client.request({
      url: `${hosts.api}${path}`,
      query,
      headers: { ...o.headers, authorization: `Bearer ${token}` },
      expect: 'buffer',
      signal,
      secrets: known,
      describe: describeEndpoint(o.endpoint, config.apiVersion),
    });
    serverDate ??= first(response.headers.date) ?? null;
    const safePath = pathOf(response.url, known);
    return {
      status: response.status,
      headers: response.headers,
      body: response.empty ? null : response.body,
      path: safePath,
      label: `GET ${safePath}`,
    };
  };

  const revoked = (path: string, error: ConnectorError): ConnectorError =>
    fail('http_unauthorized', {
      path,
      status: error.status,
      attempts: error.attempts,
      message: REVOKED,
    });

  return {
    async get(path, query, o) {
      const before = tokens.refreshes();
      const token = await tokens.bearer();
      try {
        return await send(token, path, query, o);
      } catch (error) {
        // A school token lasts 24 hours (research 6.6), so one can lapse mid-pull: renew it once
        // and ask again. A token renewed for this very request and still refused is revoked.
        if (!isUnauthorized(error)) throw error;
        if (tokens.refreshes() > before) throw revoked(path, error);
        await tokens.refresh();
        try {
          return await send(await tokens.bearer(), path, query, o);
        } catch (again) {
          throw isUnauthorized(again) ? revoked(path, again) : again;
        }
      }
    },

    parse(fetched, schema) {
      const checked = schema.safeParse(parseJson(fetched, fail));
      if (checked.success) return checked.data;
      throw fail('schema_mismatch', {
        path: fetched.path,
        detail: `${fetched.label} at ${issuePath(checked.error.issues[0]?.path ?? [])}`,
        message:
          `Assembly sent data in a shape we do not recognise (${fetched.label}). ` +
          'Report this to the Next Steps team.',
      });
    },

    appToken: () => tokens.appToken(),
    firstServerDate: () => serverDate,
    fail,
    close: () => client.close(),
  };
}

function parseJson(fetched: Fetched, fail: Fail): unknown {
  const text = (fetched.body ?? Buffer.alloc(0)).toString('utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch {
    // No excerpt and no cause: broken JSON from a roster endpoint may hold pupil names.
    throw fail('invalid_json', {
      path: fetched.path,
      detail: text.trim() === '' ? 'an empty answer' : first(fetched.headers['content-type']),
      message:
        `Assembly answered ${fetched.label} with something that is not data. Check the API ` +
        'address in the source settings: it may be a login or maintenance page.',
    });
  }
}

function isUnauthorized(error: unknown): error is ConnectorError {
  return isConnectorError(error) && error.code === 'http_unauthorized';
}

/** `/students?page=2`: the path and query of a URL, secrets removed. */
function pathOf(url: string, secrets: readonly string[]): string {
  const safe = new URL(redactUrl(url, secrets));
  return `${safe.pathname}${safe.search}`;
}

function toPullEvent(event: HttpEvent): PullEvent {
  const path = new URL(event.url).pathname;
  if (event.type === 'budget_wait') {
    return {
      level: 'info',
      code: 'rate_limit_wait',
      message: `Waited ${seconds(event.waitMs)} before ${path} to stay within Assembly's limit.`,
    };
  }
  const answer = event.status ? `answered ${event.status}` : `failed (${event.reason})`;
  return {
    level: 'warn',
    code: 'retry_scheduled',
    message: `Assembly ${answer} to ${path}; trying again in ${seconds(event.delayMs)}.`,
  };
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function issuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the top level';
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
