import type { RawPayload } from '../contract.ts';
import {
  type ConnectorError,
  createHttpClient,
  type ErrorDetails,
  type HttpClient,
  type HttpEvent,
  type QueryValue,
  redactUrl,
} from '../http/index.ts';
import type { WondeConfig, WondeSecrets } from './config.ts';
import { describeWonde } from './describe.ts';

/** One answer from Wonde: parsed JSON, the bytes as received, and the server's clock. */
export interface WondeAnswer {
  json: unknown;
  raw: RawPayload;
  /** Method, path and query, redacted: safe for a label or a problem's location. */
  label: string;
  /** The path and query, to store in a checkpoint and request again. */
  ref: string;
  /** The server's Date header as an ISO timestamp, when it sent one. */
  serverTime: string | null;
}

export interface WondeClient {
  /** GETs a path from the API root (`schools/A1/students`) or a stored path and query. */
  get(ref: string, query?: Record<string, QueryValue>, signal?: AbortSignal): Promise<WondeAnswer>;
  /** Resolves a reference the way `get` would, for loop detection. */
  resolve(ref: string): URL;
  schoolRef(path: string): string;
  error(details: ErrorDetails): ConnectorError;
  close(): Promise<void>;
}

export function createWondeClient(
  config: WondeConfig,
  secrets: WondeSecrets,
  onEvent?: (event: HttpEvent) => void,
): WondeClient {
  const base = new URL(config.baseUrl);
  const http = createHttpClient({
    system: 'Wonde',
    baseUrl: config.baseUrl,
    defaultHeaders: { authorization: authorization(config, secrets), accept: 'application/json' },
    secrets: [secrets.token],
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
    // Pages of one school are read one at a time: Wonde publishes no limit (research 1.10).
    maxConcurrent: 1,
    onEvent,
    describe: describeWonde(config.schoolId, base.host),
  });

  const resolve = (ref: string): URL => new URL(ref, config.baseUrl);

  return {
    resolve,
    schoolRef: (path) => `schools/${encodeURIComponent(config.schoolId)}/${path}`,
    error: (details) => http.error(details),
    close: () => http.close(),
    async get(ref, query, signal) {
      const url = resolve(ref);
      for (const [name, value] of Object.entries(query ?? {})) appendQuery(url, name, value);
      return getAnswer(http, url, secrets, signal);
    },
  };
}

async function getAnswer(
  http: HttpClient,
  url: URL,
  secrets: WondeSecrets,
  signal: AbortSignal | undefined,
): Promise<WondeAnswer> {
  const response = await http.request({ url: url.toString(), expect: 'buffer', signal });
  const safe = new URL(redactUrl(url.toString(), [secrets.token]));
  const label = `GET ${safe.pathname}${safe.search}`;
  const contentType = first(response.headers['content-type']) ?? 'application/json';
  const body = response.empty ? Buffer.alloc(0) : response.body;
  return {
    json: parseJson(http, url, body, contentType),
    raw: { label, contentType, body },
    label,
    ref: `${url.pathname}${url.search}`,
    serverTime: serverTime(first(response.headers.date)),
  };
}

// Parsed here rather than by the client so that the page's bytes can be kept as received.
function parseJson(http: HttpClient, url: URL, body: Buffer, contentType: string): unknown {
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch {
    // Broken JSON from a roster endpoint may hold pupil names: only a page that is plainly not
    // JSON (a login or maintenance page) is quoted.
    const looksLikeJson = /^\s*[[{]/.test(text);
    throw http.error({
      code: 'invalid_json',
      url: url.toString(),
      detail: text.trim() === '' ? 'an empty answer' : contentType,
      bodyExcerpt: looksLikeJson ? undefined : text.slice(0, 300),
    });
  }
}

function authorization(config: WondeConfig, secrets: WondeSecrets): string {
  if (config.authScheme === 'basic') {
    return `Basic ${Buffer.from(`${secrets.token}:`).toString('base64')}`;
  }
  return `Bearer ${secrets.token}`;
}

function appendQuery(url: URL, name: string, value: QueryValue): void {
  if (value === undefined || value === null) return;
  // Wonde takes lists comma-separated: `include=education_details,year`.
  url.searchParams.set(name, Array.isArray(value) ? value.join(',') : String(value));
}

function serverTime(date: string | undefined): string | null {
  if (!date) return null;
  const time = Date.parse(date);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
