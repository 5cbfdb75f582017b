import { addAbortSignal } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { Expect } from './body.ts';
import { createBudget, describeBudget } from './budget.ts';
import { networkFailure } from './classify.ts';
import { ConnectorError, type ConnectorErrorInit } from './errors.ts';
import { createGate } from './gate.ts';
import {
  type BufferRequest,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUTS,
  type GetJsonOptions,
  type HttpClientOptions,
  type HttpEvent,
  type HttpResponse,
  type JsonRequest,
  type RequestBase,
  type RequestOptions,
  type StreamResponse,
  type TextRequest,
  type Timeouts,
} from './options.ts';
import { prepareExchange } from './prepare.ts';
import { readBuffered, readStream } from './read.ts';
import { DEFAULT_RESET_HEADERS } from './retry.ts';
import { type Runtime, send, toError } from './send.ts';

export type ErrorDetails = Omit<ConnectorErrorInit, 'system' | 'secrets' | 'describe'>;

/** The one HTTP client every connector uses: retries, limits, and errors a school can act on. */
export interface HttpClient {
  request<T = unknown>(options: JsonRequest<T>): Promise<HttpResponse<T>>;
  request(options: TextRequest): Promise<HttpResponse<string>>;
  request(options: BufferRequest): Promise<HttpResponse<Buffer>>;
  /** GET and parse JSON, validated by `schema` when one is given. */
  getJson<T = unknown>(url: string, options?: GetJsonOptions<T>): Promise<HttpResponse<T>>;
  /** Retries until the first byte of the body arrives, then streams the rest. */
  stream(options: RequestBase): Promise<StreamResponse>;
  /** A ConnectorError worded and redacted like the client's own, for a connector to throw. */
  error(details: ErrorDetails): ConnectorError;
  /** Releases the connection pool; an injected dispatcher stays open. */
  close(): Promise<void>;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  const ownAgent = options.dispatcher ? undefined : createAgent(timeouts, maxConcurrent);
  const rt = createRuntime(options, timeouts, maxConcurrent, options.dispatcher ?? ownAgent!);
  let closed = false;

  const exchange = (given: RequestBase, expect: Expect | 'stream') => {
    if (closed) throw new Error(`the ${options.system} HTTP client is closed`);
    return prepareExchange(given, expect, options);
  };

  const request = async (given: RequestOptions): Promise<HttpResponse<unknown>> => {
    const ex = exchange(given, given.expect);
    const schema = given.expect === 'json' ? given.schema : undefined;
    const sent = await send(rt, ex, readBuffered(given.expect, schema, ex.method));
    const { status, headers, empty, body } = sent.value;
    const meta = { status, headers, url: ex.url, attempts: sent.attempts };
    return empty ? { ...meta, empty: true, body: undefined } : { ...meta, empty: false, body };
  };

  return {
    request: request as HttpClient['request'],
    getJson: <T>(url: string, rest?: GetJsonOptions<T>) =>
      request({ ...rest, url, method: 'GET', expect: 'json' }) as Promise<HttpResponse<T>>,
    async stream(given) {
      const ex = exchange(given, 'stream');
      const sent = await send(
        rt,
        ex,
        readStream(ex.method, (error, attempts) =>
          toError(rt, ex, networkFailure(error, 'body'), attempts),
        ),
      );
      const { status, headers, body } = sent.value;
      // The deadline ends with the first byte; the caller's cancel still ends the download.
      if (given.signal) addAbortSignal(given.signal, body);
      return { status, headers, body, url: ex.url, attempts: sent.attempts };
    },
    error: (details) =>
      new ConnectorError({
        ...details,
        system: options.system,
        secrets: options.secrets,
        describe: options.describe,
      }),
    async close() {
      closed = true;
      await ownAgent?.close();
    },
  };
}

function createAgent(timeouts: Timeouts, maxConcurrent: number): Agent {
  // One keep-alive pool per origin, no bigger than the requests we allow in flight.
  return new Agent({
    connections: maxConcurrent,
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
  });
}

function createRuntime(
  options: HttpClientOptions,
  timeouts: Timeouts,
  maxConcurrent: number,
  dispatcher: Dispatcher,
): Runtime {
  return {
    system: options.system,
    dispatcher,
    policy: { ...DEFAULT_RETRY, ...options.retry },
    deadlineMs: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
    timeouts,
    resetHeaders: options.resetHeaders ?? DEFAULT_RESET_HEADERS,
    gate: createGate(maxConcurrent),
    budget: options.budget ? createBudget(options.budget) : undefined,
    budgetDetail: options.budget ? describeBudget(options.budget) : undefined,
    emit: safeEmit(options.onEvent),
    describe: options.describe,
  };
}

// Diagnostics must never change the outcome of a request, so a throwing hook is ignored.
function safeEmit(onEvent: ((event: HttpEvent) => void) | undefined) {
  return (event: HttpEvent): void => {
    try {
      onEvent?.(event);
    } catch {
      // Deliberately ignored: see above.
    }
  };
}
