import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { failure, serve, testClient } from './setup.ts';

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(status < 400 ? { data: [{ id: 'A1' }] } : { error: `status ${status}` }));
}

/** A handler that answers with each status in turn, then 200 for ever. */
function sequence(...statuses: Array<[number, Record<string, string>?]>) {
  return (_req: unknown, res: ServerResponse) => {
    const next = statuses.shift();
    if (next) answer(res, next[0], next[1]);
    else answer(res, 200);
  };
}

describe('retries', () => {
  it('waits the seconds a 429 Retry-After asks for, then succeeds', async () => {
    const server = await serve(sequence([429, { 'retry-after': '1' }]));
    const { client, events } = testClient({
      retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 2000 },
    });

    const response = await client.getJson(`${server.url}/v1.0/schools`);

    expect(response.status).toBe(200);
    expect(response.attempts).toBe(2);
    const [first, second] = server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
    expect(events).toMatchObject([{ type: 'retry_scheduled', reason: 'rate_limited', attempt: 1 }]);
  });

  it('backs off with jittered delays when a 429 gives no Retry-After', async () => {
    const server = await serve(sequence([429], [429]));
    const { client, events } = testClient({
      retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 1000 },
    });

    const response = await client.getJson(`${server.url}/v1.0/schools`);

    expect(response.attempts).toBe(3);
    const delays = events.map((event) => (event.type === 'retry_scheduled' ? event.delayMs : -1));
    expect(delays[0]).toBeGreaterThanOrEqual(0);
    expect(delays[0]).toBeLessThan(20);
    expect(delays[1]).toBeLessThan(40);
  });

  it('gives up on a 429 that never clears as rate_limited after the last attempt', async () => {
    const server = await serve((_req, res) => answer(res, 429));
    const { client } = testClient({ retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 } });

    const error = await failure(client.getJson(`${server.url}/v1.0/schools`));

    expect(error).toMatchObject({ category: 'rate_limited', code: 'rate_limited', status: 429 });
    expect(error.attempts).toBe(4);
    expect(server.requests).toHaveLength(4);
  });

  it('retries a 503 twice and returns the 200 that follows', async () => {
    const server = await serve(sequence([503], [503]));
    const { client } = testClient();

    const response = await client.getJson(`${server.url}/v1.0/schools`);

    expect(response).toMatchObject({ status: 200, attempts: 3, body: { data: [{ id: 'A1' }] } });
    expect(server.requests).toHaveLength(3);
  });

  it('reports a lasting 500 as transient with status, redacted URL and excerpt', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<h1>Internal Server Error</h1>');
    });
    const { client } = testClient();

    const error = await failure(
      client.getJson(`${server.url}/v1.0/schools`, { query: { access_token: 'tok-123456' } }),
    );

    expect(error).toMatchObject({ category: 'transient', code: 'server_error', status: 500 });
    expect(error.attempts).toBe(3);
    expect(error.url).toBe(`${server.url}/v1.0/schools?access_token=REDACTED`);
    expect(error.bodyExcerpt).toBe('<h1>Internal Server Error</h1>');
    expect(error.message).toContain('Wonde');
  });

  it('stops retrying when the server asks for a wait that would pass the deadline', async () => {
    const server = await serve((_req, res) => answer(res, 503, { 'retry-after': '5' }));
    const { client } = testClient({
      deadlineMs: 500,
      retry: { attempts: 5, baseDelayMs: 5, maxDelayMs: 10_000 },
    });
    const started = Date.now();

    const error = await failure(client.getJson(`${server.url}/v1.0/schools`));

    expect(error).toMatchObject({ code: 'server_error', status: 503, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a 429 whose reset is past the deadline as rate_limited at once', async () => {
    const server = await serve((_req, res) => answer(res, 429, { 'x-ratelimit-reset': '120' }));
    const { client } = testClient({
      deadlineMs: 1000,
      retry: { attempts: 5, baseDelayMs: 5, maxDelayMs: 300_000 },
    });

    const error = await failure(client.getJson(`${server.url}/api/assessments`));

    expect(error).toMatchObject({ category: 'rate_limited', attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('gives up rather than retry before a Retry-After longer than maxDelayMs', async () => {
    const server = await serve((_req, res) => answer(res, 429, { 'retry-after': '60' }));
    const { client } = testClient({ retry: { attempts: 5, baseDelayMs: 5, maxDelayMs: 30_000 } });

    const error = await failure(client.getJson(`${server.url}/v1.0/schools`));

    expect(error).toMatchObject({ category: 'rate_limited', attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('does not resend a POST that may have reached the server', async () => {
    const server = await serve((_req, res) => answer(res, 503));
    const { client } = testClient();

    const error = await failure(
      client.request({
        method: 'POST',
        url: `${server.url}/graphql/query`,
        json: { query: '{ Student { id } }' },
        expect: 'json',
      }),
    );

    expect(error).toMatchObject({ code: 'server_error', attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('resends a POST flagged idempotent, such as an OAuth token request', async () => {
    const server = await serve(sequence([503]));
    const { client } = testClient();

    const response = await client.request({
      method: 'POST',
      url: `${server.url}/oauth/token`,
      form: { grant_type: 'client_credentials' },
      idempotent: true,
      expect: 'json',
    });

    expect(response.attempts).toBe(2);
    expect(server.requests.map((seen) => seen.body)).toEqual([
      'grant_type=client_credentials',
      'grant_type=client_credentials',
    ]);
    expect(server.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});
