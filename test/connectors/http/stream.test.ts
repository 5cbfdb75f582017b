import { describe, expect, it } from 'vitest';
import { readAll } from '../../../src/connectors/http/body.ts';
import { failure, serve, testClient } from './setup.ts';

const CTF = Buffer.alloc(256 * 1024, 'x');

describe('streamed downloads', () => {
  it('streams a large body, retrying a 503 that comes before the first byte', async () => {
    let answered = 0;
    const server = await serve((_req, res) => {
      answered += 1;
      if (answered === 1) return res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/zip' });
      res.end(CTF);
    });
    const { client } = testClient();

    const response = await client.stream({ url: `${server.url}/exports/ctf.zip` });

    expect(response).toMatchObject({ status: 200, attempts: 2 });
    expect((await readAll(response.body)).equals(CTF)).toBe(true);
  });

  it('retries a download whose connection drops before the first byte of the body', async () => {
    let answered = 0;
    const server = await serve((_req, res) => {
      answered += 1;
      res.writeHead(200, { 'content-length': String(CTF.length) });
      res.flushHeaders();
      if (answered === 1) return void setTimeout(() => res.socket?.destroy(), 10);
      res.end(CTF);
    });
    const { client } = testClient();

    const response = await client.stream({ url: `${server.url}/exports/ctf.zip` });

    expect(response.attempts).toBe(2);
    expect((await readAll(response.body)).length).toBe(CTF.length);
  });

  it('fails the stream with a ConnectorError when the body breaks later', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(CTF.length) });
      res.write(CTF.subarray(0, 1024));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const { client } = testClient();

    const response = await client.stream({ url: `${server.url}/exports/ctf.zip` });
    const error = await failure(readAll(response.body));

    expect(error).toMatchObject({ category: 'bad_data', code: 'truncated_body', attempts: 1 });
  });

  it('frees its slot when the stream is destroyed unread', async () => {
    const server = await serve((_req, res) => res.end(CTF));
    const { client } = testClient({ maxConcurrent: 1 });

    const first = await client.stream({ url: `${server.url}/a.zip` });
    first.body.destroy();
    const second = await client.stream({ url: `${server.url}/b.zip` });

    expect((await readAll(second.body)).length).toBe(CTF.length);
  });
});
