import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ZodType } from 'zod';
import type { BudgetOptions } from './budget.ts';
import type { ConnectorErrorCode } from './codes.ts';
import type { Describe } from './errors.ts';
import type { RetryPolicy } from './retry.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Timeouts {
  /** To open the TCP and TLS connection. Ignored when a dispatcher is injected. */
  connectMs: number;
  /** From sending the request to the last response header. */
  headersMs: number;
  /** Of silence while the body arrives: an idle limit, not a total. */
  bodyMs: number;
}

export interface HttpClientOptions {
  /** The system's name as a school data lead knows it: "Wonde", "Arbor". */
  system: string;
  /** Relative request URLs resolve against this; give it a trailing slash. */
  baseUrl?: string;
  defaultHeaders?: Record<string, string>;
  /** Values never to appear in an error. Authorization headers are added automatically. */
  secrets?: readonly string[];
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  /** For one request, retries and waits included. */
  deadlineMs?: number;
  /** Requests in flight at once, across every host of this client. */
  maxConcurrent?: number;
  budget?: BudgetOptions;
  /** Headers that say when to try again, first match wins. */
  resetHeaders?: readonly string[];
  onEvent?: (event: HttpEvent) => void;
  describe?: Describe;
  /** Replaces the client's own pool, for TLS options such as `ca`; the caller closes it. */
  dispatcher?: Dispatcher;
}

export type QueryValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly (string | number)[];

export interface RequestBase {
  /** GET, or POST when there is a body. */
  method?: HttpMethod;
  /** Absolute, or relative to baseUrl. */
  url: string;
  /** Added to the URL's own query; undefined and null values are left out. */
  query?: Record<string, QueryValue>;
  headers?: Record<string, string | undefined>;
  body?: string | Uint8Array;
  /** Sent as JSON, with its content type. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded, as OAuth token endpoints expect. */
  form?: Record<string, string>;
  /** Allows retries of a request that is not GET or HEAD, such as an OAuth token POST. */
  idempotent?: boolean;
  signal?: AbortSignal;
  /** More values never to appear in an error, for this request only. */
  secrets?: readonly string[];
  describe?: Describe;
}

export interface JsonRequest<T> extends RequestBase {
  expect: 'json';
  schema?: ZodType<T>;
}

export type GetJsonOptions<T> = Omit<JsonRequest<T>, 'url' | 'expect' | 'method'>;

export interface TextRequest extends RequestBase {
  expect: 'text';
}

export interface BufferRequest extends RequestBase {
  expect: 'buffer';
}

export type RequestOptions<T = unknown> = JsonRequest<T> | TextRequest | BufferRequest;

export interface ResponseMeta {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL requested, unredacted: it may hold a token, so do not log it. */
  url: string;
  attempts: number;
}

export interface FullResponse<T> extends ResponseMeta {
  empty: false;
  body: T;
}

/** A 304 Not Modified, a 204 or 205, or an answer to HEAD: a success with no body. */
export interface EmptyResponse extends ResponseMeta {
  empty: true;
  body: undefined;
}

export type HttpResponse<T> = FullResponse<T> | EmptyResponse;

export interface StreamResponse extends ResponseMeta {
  /** Consume it or destroy it: until it closes, it holds one of the maxConcurrent slots. */
  body: Readable;
}

interface EventBase {
  system: string;
  method: HttpMethod;
  /** Redacted. */
  url: string;
}

export type HttpEvent =
  | (EventBase & {
      type: 'retry_scheduled';
      /** The attempt that failed. */
      attempt: number;
      delayMs: number;
      reason: ConnectorErrorCode;
      status?: number;
    })
  | (EventBase & { type: 'budget_wait'; waitMs: number });

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000 };
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };
export const DEFAULT_DEADLINE_MS = 120_000;
export const DEFAULT_MAX_CONCURRENT = 4;
