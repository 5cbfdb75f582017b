import { onTestFinished } from 'vitest';
import {
  type ConnectorError,
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type HttpEvent,
  isConnectorError,
} from '../../../src/connectors/http/index.ts';
import { type Handler, type Loopback, type LoopbackOptions, startLoopback } from './loopback.ts';

/** A loopback server that closes when the test ends. */
export async function serve(handler: Handler, options?: LoopbackOptions): Promise<Loopback> {
  const loopback = await startLoopback(handler, options);
  onTestFinished(() => loopback.close());
  return loopback;
}

export interface TestClient {
  client: HttpClient;
  events: HttpEvent[];
}

/** A client with delays small enough for tests; it closes when the test ends. */
export function testClient(overrides: Partial<HttpClientOptions> = {}): TestClient {
  const events: HttpEvent[] = [];
  const client = createHttpClient({
    system: 'Wonde',
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 },
    timeouts: { connectMs: 1000, headersMs: 2000, bodyMs: 2000 },
    deadlineMs: 5000,
    onEvent: (event) => events.push(event),
    ...overrides,
  });
  onTestFinished(() => client.close());
  return { client, events };
}

/** The ConnectorError a promise must reject with; anything else fails the test. */
export async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    if (isConnectorError(error)) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}
