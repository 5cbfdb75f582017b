import { describe, expect, it } from 'vitest';
import { refusedUrl } from './loopback.ts';
import { failure, serve, testClient } from './setup.ts';

describe('network failures', () => {
  it('times out a response that never arrives, within the headers timeout', async () => {
    const server = await serve(() => {});
    const { client, events } = testClient({
      timeouts: { headersMs: 100 },
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
      deadlineMs: 8000,
    });
    const started = Date.now();

    const error = await failure(client.getJson(`${server.url}/v1.0/schools`));

    expect(error).toMatchObject({ category: 'transient', code: 'timeout', attempts: 2 });
    expect(server.requests).toHaveLength(2);
    expect(events).toMatchObject([{ type: 'retry_scheduled', reason: 'timeout' }]);
    // undici checks the headers timeout on a clock that ticks about every half second, so
    // each 100 ms timeout fires within about a second; the bound only rules out the deadline.
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('stops a hanging request at the deadline when that comes first', async () => {
    const server = await serve(() => {});
    const { client } = testClient({ timeouts: { headersMs: 10_000 }, deadlineMs: 200 });
    const started = Date.now();

    const error = await failure(client.getJson(`${server.url}/v1.0/schools`));

    expect(error).toMatchObject({ category: 'transient', code: 'deadline_exceeded', attempts: 1 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('retries a body cut short, then reports it as truncated bad data', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
      res.write('{"data":[{"id":"A1"');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const { client } = testClient();

    const error = await failure(client.getJson(`${server.url}/v1.0/schools/A1/students`));

    expect(error).toMatchObject({ category: 'bad_data', code: 'truncated_body', attempts: 3 });
    expect(server.requests).toHaveLength(3);
    expect(error.bodyExcerpt).toBeUndefined();
  });

  it('recovers when only the first answer is cut short', async () => {
    let answered = 0;
    const server = await serve((_req, res) => {
      answered += 1;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '12' });
      if (answered > 1) return res.end('{"data":[]}\n');
      res.write('{"da');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const { client } = testClient();

    const response = await client.getJson(`${server.url}/v1.0/schools`);

    expect(response).toMatchObject({ status: 200, body: { data: [] }, attempts: 2 });
  });

  it('reports an unknown host as config, pointing at the regional host', async () => {
    const { client } = testClient();

    const error = await failure(client.getJson('https://api.wonde.invalid/v1.0/schools'));

    expect(error).toMatchObject({ category: 'config', code: 'host_not_found' });
    expect(error.message).toContain('regional host');
  });

  it('reports a refused connection as transient after retrying it', async () => {
    const url = await refusedUrl();
    const { client } = testClient();

    const error = await failure(client.getJson(`${url}/v1.0/schools`));

    expect(error).toMatchObject({ category: 'transient', code: 'connection_refused', attempts: 3 });
  });

  it('reports a cancel by the caller as aborted, without retrying', async () => {
    const server = await serve(() => {});
    const { client } = testClient();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await failure(
      client.getJson(`${server.url}/v1.0/schools`, { signal: controller.signal }),
    );

    expect(error).toMatchObject({ code: 'aborted', attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('reports a URL that cannot be read as config before sending anything', async () => {
    const { client } = testClient({ baseUrl: undefined });

    const error = await failure(client.getJson('schools/A1'));

    expect(error).toMatchObject({ category: 'config', code: 'invalid_url', attempts: 0 });
  });
});
