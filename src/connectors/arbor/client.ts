import { setMaxListeners } from 'node:events';
import {
  type ConnectorError,
  createHttpClient,
  type ErrorDetails,
  type HttpEvent,
  isConnectorError,
  redactUrl,
} from '../http/index.ts';
import { type ArborConfig, type ArborSecrets, arborBaseUrl, displayHost } from './config.ts';
import { describeArbor, NOT_ARBOR } from './messages.ts';
import type { RawPart } from './raw.ts';

/** A JSON object as Arbor sends it. */
export type Row = Record<string, unknown>;

export interface Fetched {
  body: Row;
  part: RawPart;
}

export type Query = Record<string, string | number | null | undefined>;

export interface GetOptions {
  /** Answer null for a 404, as for a record deleted since it was listed. */
  missingIsNull?: boolean;
}

/** One pull's or one check's connection to a school's Arbor. */
export interface ArborClient {
  /** The host as written in messages. */
  host: string;
  get(path: string, query?: Query, options?: GetOptions): Promise<Fetched | null>;
  error(details: Omit<ErrorDetails, 'url'> & { path: string }): ConnectorError;
  close(): Promise<void>;
}

// Codes which, on the first request, mean that what answered is not a school's Arbor.
const NOT_ARBOR_CODES = new Set(['http_not_found', 'invalid_json', 'schema_mismatch']);

export function createArborClient(
  config: ArborConfig,
  secrets: ArborSecrets,
  cancel: AbortSignal,
  onEvent?: (event: HttpEvent) => void,
): ArborClient {
  const { signal, release } = ownSignal(cancel);
  const base = arborBaseUrl(config.host);
  if (!base) throw new TypeError('the Arbor host setting was not validated');
  const host = displayHost(config.host);
  const http = createHttpClient({
    system: 'Arbor',
    baseUrl: base.href,
    defaultHeaders: headers(config, secrets),
    secrets: [secrets.password],
    timeouts: {
      connectMs: config.http.connectMs,
      headersMs: config.http.headersMs,
      bodyMs: config.http.bodyMs,
    },
    retry: {
      attempts: config.http.attempts,
      baseDelayMs: config.http.baseDelayMs,
      maxDelayMs: config.http.maxDelayMs,
    },
    deadlineMs: config.http.deadlineMs,
    maxConcurrent: config.http.maxConcurrent,
    describe: describeArbor(host, config.resources),
    onEvent,
  });

  const urlFor = (path: string, query: Query = {}): URL => requestUrl(base, path, query);

  const error: ArborClient['error'] = ({ path, ...details }) =>
    http.error({ ...details, url: urlFor(path).href });

  // The first answer of a run shows whether a school's Arbor is at this host at all.
  let answered = false;
  const get = async (path: string, query?: Query, options: GetOptions = {}) => {
    const url = urlFor(path, query);
    const first = !answered;
    try {
      const fetched = await fetchJson(url);
      answered = true;
      return fetched;
    } catch (failure) {
      if (!isConnectorError(failure)) throw failure;
      if (options.missingIsNull && failure.code === 'http_not_found') return null;
      if (first && NOT_ARBOR_CODES.has(failure.code) && !isArborError(failure)) {
        throw http.error({ code: 'http_not_found', url: url.href, detail: NOT_ARBOR });
      }
      throw failure;
    }
  };

  async function fetchJson(url: URL): Promise<Fetched> {
    const response = await http.request({ url: url.href, expect: 'buffer', signal });
    const label = `GET ${labelOf(url)}`;
    if (response.empty) {
      throw http.error({ code: 'schema_mismatch', url: url.href, detail: 'an empty answer' });
    }
    const contentType = String(response.headers['content-type'] ?? 'application/json');
    const body = parseObject(response.body);
    if (body === undefined) {
      // No excerpt and no cause: a broken roster answer may hold pupil names.
      throw http.error({ code: 'invalid_json', url: url.href, detail: contentType });
    }
    if (body === null) {
      throw http.error({ code: 'schema_mismatch', url: url.href, detail: 'at the top level' });
    }
    return { body, part: { label, contentType, body: response.body } };
  }

  return {
    host,
    get,
    error,
    close: () => {
      release();
      return http.close();
    },
  };
}

// Every request in flight listens to the signal, and a page of pupils has dozens in flight: a
// signal of our own, following the caller's, keeps them off the caller's listener limit.
function ownSignal(cancel: AbortSignal) {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const follow = (): void => controller.abort(cancel.reason);
  if (cancel.aborted) follow();
  else cancel.addEventListener('abort', follow, { once: true });
  return { signal: controller.signal, release: () => cancel.removeEventListener('abort', follow) };
}

// Arbor answers its own errors as {response: {code, reason, errors}} (research 2, "Errors").
function isArborError(failure: ConnectorError): boolean {
  return /^\s*\{\s*"response"\s*:/.test(failure.bodyExcerpt ?? '');
}

function headers(config: ArborConfig, secrets: ArborSecrets): Record<string, string> {
  const credential = Buffer.from(`${config.username}:${secrets.password}`).toString('base64');
  return {
    authorization: `Basic ${credential}`,
    // The SDK sends this only to the shared host, which has no school in its name (research 2).
    ...(config.applicationId ? { 'x-mis-application-id': config.applicationId } : {}),
  };
}

/** The address a request goes to: the path on the school's Arbor, and the query. */
export function requestUrl(base: URL, path: string, query: Query = {}): URL {
  const url = new URL(path, base);
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined) url.searchParams.append(name, String(value));
  }
  return url;
}

/** The path and query of a request, with any credential parameter removed. */
export function labelOf(url: URL): string {
  const safe = new URL(redactUrl(url.href));
  return `${safe.pathname}${safe.search}`;
}

// undefined: not JSON; null: JSON but not an object.
export function parseObject(bytes: Buffer): Row | null | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Row)
    : null;
}
