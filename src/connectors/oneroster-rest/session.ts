import type { IncomingHttpHeaders } from 'node:http';
import { Agent } from 'undici';
import { z } from 'zod';
import {
  ConnectorError,
  createHttpClient,
  type Describe,
  type ErrorDetails,
  type HttpClient,
  isConnectorError,
  redactText,
} from '../http/index.ts';
import type { OneRosterConfig, OneRosterSecrets } from './config.ts';
import { type Endpoint, scopePlan, scopeString, scopeSuffix } from './endpoints.ts';
import { readOAuthError } from './status-info.ts';
import { describeRead, describeToken } from './wording.ts';

/**
 * One pull's (or one check's) connection to a OneRoster provider: the HTTP client and the
 * OAuth 2 client-credentials token of 1.2 (research A.1). A token is fetched when first needed,
 * renewed shortly before it expires, and fetched again once when the server refuses it, since
 * a provider may revoke tokens early (a restart, a key rotation).
 */

export interface Token {
  value: string;
  /** Epoch ms, or null when the server did not say. */
  expiresAt: number | null;
  /** Scope suffixes the server says it granted, or null when its answer did not list them. */
  granted: string[] | null;
}

export interface Fetched {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Method, path and query with any credential removed: safe for raw labels and problems. */
  label: string;
}

export interface Session {
  readonly system: string;
  readonly config: OneRosterConfig;
  token(signal: AbortSignal): Promise<Token>;
  /** GETs one URL of an endpoint with the token; a refused token is renewed once. */
  get(endpoint: Endpoint, url: URL, signal: AbortSignal): Promise<Fetched>;
  /** The server's clock at its first answer (from `Date`), or null before any answer. */
  firstServerTime(): string | null;
  /** A ConnectorError in this session's terms, redacted, with the given wording if any. */
  fail(details: ErrorDetails, describe?: Describe): ConnectorError;
  close(): Promise<void>;
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.string()]).optional(),
  scope: z.string().optional(),
});

// Renew this long before the server's expiry, so a page is never sent with a dying token.
const RENEW_BEFORE_MS = 30_000;

export function openSession(config: OneRosterConfig, secrets: OneRosterSecrets): Session {
  const system = config.systemName;
  // Tokens join this list as they are issued: the client reads it whenever it words an error.
  const secretValues: string[] = [secrets.clientSecret];
  const dispatcher = config.caCertificate
    ? new Agent({ connect: { ca: config.caCertificate } })
    : undefined;
  const client: HttpClient = createHttpClient({
    system,
    secrets: secretValues,
    timeouts: config.http.timeouts,
    retry: config.http.retry,
    deadlineMs: config.http.deadlineMs,
    maxConcurrent: config.http.maxConcurrent,
    dispatcher,
  });
  let current: Token | null = null;
  let serverTime: string | null = null;

  const fail = (details: ErrorDetails, describe?: Describe): ConnectorError =>
    new ConnectorError({ ...details, system, secrets: secretValues, describe });

  const token = async (signal: AbortSignal, renew = false): Promise<Token> => {
    const fresh = current && !renew && !expiresSoon(current);
    if (fresh) return current!;
    current = await requestToken(client, config, secrets, signal, fail);
    secretValues.push(current.value);
    return current;
  };

  const get = async (endpoint: Endpoint, url: URL, signal: AbortSignal): Promise<Fetched> => {
    for (let renewed = false; ; renewed = true) {
      const { value } = await token(signal, renewed);
      try {
        const response = await client.request({
          url: url.toString(),
          expect: 'buffer',
          headers: { authorization: `Bearer ${value}` },
          signal,
          describe: describeRead(config, endpoint),
        });
        serverTime ??= serverClock(response.headers);
        const body = response.empty ? Buffer.alloc(0) : response.body;
        return { status: response.status, headers: response.headers, body, label: labelOf(url) };
      } catch (error) {
        if (!renewed && isConnectorError(error) && error.code === 'http_unauthorized') continue;
        throw error;
      }
    }
  };

  return {
    system,
    config,
    token: (signal) => token(signal),
    get,
    firstServerTime: () => serverTime,
    fail,
    async close() {
      await client.close();
      await dispatcher?.close();
    },
  };
}

/** `GET /path?query` with credentials removed, for raw labels and problem locations. */
export function labelOf(url: URL): string {
  return redactText(`GET ${url.pathname}${url.search}`);
}

async function requestToken(
  client: HttpClient,
  config: OneRosterConfig,
  secrets: OneRosterSecrets,
  signal: AbortSignal,
  fail: Session['fail'],
): Promise<Token> {
  const plan = scopePlan(config);
  try {
    return await tokenFor(client, config, secrets, plan.scopes, signal);
  } catch (error) {
    // RFC 6749 5.2 lets a server refuse a request for scopes the client may not have rather
    // than narrow it: ask once more without a list, for whatever the app has been granted.
    if (!plan.fallBack || oauthErrorOf(error) !== 'invalid_scope')
      throw reword(error, config, fail);
    return await tokenFor(client, config, secrets, [], signal).catch((retryError: unknown) => {
      throw reword(retryError, config, fail);
    });
  }
}

async function tokenFor(
  client: HttpClient,
  config: OneRosterConfig,
  secrets: OneRosterSecrets,
  scopes: readonly string[],
  signal: AbortSignal,
): Promise<Token> {
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (scopes.length > 0) form.scope = scopes.map((scope) => scopeString(config, scope)).join(' ');
  const headers: Record<string, string> = {};
  if (config.clientAuth === 'basic') {
    // Sent as given, not form-encoded first: most providers compare the raw pair.
    const pair = `${config.clientId}:${secrets.clientSecret}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    form.client_id = config.clientId;
    form.client_secret = secrets.clientSecret;
  }

  const started = Date.now();
  const response = await client.request({
    method: 'POST',
    url: config.tokenUrl,
    form,
    headers,
    expect: 'json',
    schema: tokenSchema,
    // Asking for a token twice does no harm, so a dropped connection may be retried.
    idempotent: true,
    signal,
    describe: describeToken(config),
  });
  if (response.empty) throw new Error('token endpoint answered without a body');
  const { access_token, expires_in, scope } = response.body;
  const seconds = Number(expires_in);
  return {
    value: access_token,
    expiresAt: Number.isFinite(seconds) && seconds > 0 ? started + seconds * 1000 : null,
    granted: scope === undefined ? null : scope.split(/\s+/).filter(Boolean).map(scopeSuffix),
  };
}

// A token endpoint answers a bad client with 400 or 401 (RFC 6749 5.2): either way the school
// must fix the credentials, so both become `auth`; a refused scope is a missing permission.
function reword(error: unknown, config: OneRosterConfig, fail: Session['fail']): unknown {
  if (!isConnectorError(error) || error.code !== 'http_bad_request') return error;
  const oauth = oauthErrorOf(error);
  const describe = describeToken(config);
  const details = { url: error.url, status: error.status, bodyExcerpt: error.bodyExcerpt };
  if (oauth === 'invalid_client' || oauth === 'unauthorized_client' || oauth === 'invalid_grant') {
    return fail({ ...details, code: 'http_unauthorized', cause: error }, describe);
  }
  if (oauth === 'invalid_scope') {
    return fail({ ...details, code: 'http_forbidden', cause: error }, describe);
  }
  return error;
}

function oauthErrorOf(error: unknown): string | null {
  if (!isConnectorError(error)) return null;
  return readOAuthError(error.bodyExcerpt)?.error ?? null;
}

function expiresSoon(token: Token): boolean {
  return token.expiresAt !== null && token.expiresAt - RENEW_BEFORE_MS <= Date.now();
}

function serverClock(headers: IncomingHttpHeaders): string {
  const date = Date.parse(String(headers.date ?? ''));
  return new Date(Number.isNaN(date) ? Date.now() : date).toISOString();
}
