import { describe, expect, it } from 'vitest';
import { failure, serve, testClient } from './setup.ts';

const TOKEN = 'wonde-token-0123456789abcdef';
const QUERY_TOKEN = 'query-secret-9876543210';

/** A server that answers 500 with everything it was sent, as a debug page might. */
function echo() {
  return serve((req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(
      `url=${req.url} authorization=${req.headers.authorization} ` +
        `all=${JSON.stringify(req.headers)}`,
    );
  });
}

function fields(error: { message: string; url: string; bodyExcerpt?: string | undefined }) {
  return [error.message, error.url, error.bodyExcerpt ?? ''].join('\n');
}

describe('secrets in errors', () => {
  it('keeps a bearer token and a query token out of message, URL and excerpt', async () => {
    const server = await echo();
    const { client } = testClient({ defaultHeaders: { Authorization: `Bearer ${TOKEN}` } });

    const error = await failure(
      client.getJson(`${server.url}/v1.0/schools?access_token=${QUERY_TOKEN}&page=2`),
    );

    expect(error.bodyExcerpt).toContain('REDACTED');
    expect(fields(error)).not.toContain(TOKEN);
    expect(fields(error)).not.toContain(QUERY_TOKEN);
    expect(error.url).toBe(`${server.url}/v1.0/schools?access_token=REDACTED&page=2`);
  });

  it('keeps a Basic credential and its decoded token out of the excerpt', async () => {
    const server = await serve((req, res) => {
      const basic = (req.headers.authorization ?? '').replace('Basic ', '');
      res.writeHead(403).end(`credential ${basic} decodes to ${Buffer.from(basic, 'base64')}`);
    });
    const basic = Buffer.from(`${TOKEN}:`).toString('base64');
    const { client } = testClient();

    const error = await failure(
      client.getJson(`${server.url}/v1.0/schools`, {
        headers: { authorization: `Basic ${basic}` },
      }),
    );

    expect(fields(error)).not.toContain(TOKEN);
    expect(fields(error)).not.toContain(basic);
  });

  it('keeps a configured secret out of the excerpt, even where the excerpt is cut', async () => {
    const padding = 'x'.repeat(290);
    const server = await serve((_req, res) => res.writeHead(500).end(`${padding}${TOKEN}`));
    const { client } = testClient({ secrets: [TOKEN], retry: { attempts: 1 } });

    const error = await failure(client.getJson(`${server.url}/v1.0/schools`));

    expect(error.bodyExcerpt).toBe(`${padding}REDACTED`);
    expect(error.bodyExcerpt).not.toContain(TOKEN.slice(0, 10));
  });

  it('keeps secrets out of the URL userinfo and of a connector-worded message', async () => {
    const server = await serve((_req, res) => res.writeHead(401).end());
    const { client } = testClient({
      system: 'Arbor',
      describe: (problem) => `Arbor refused ${problem.url} and, wrongly quoted, ${TOKEN}`,
      secrets: [TOKEN],
    });
    const withUser = server.url.replace('://', `://api-user:${TOKEN}@`);

    const error = await failure(client.getJson(`${withUser}/rest-v2/students`));

    expect(error.url).toBe(
      `${server.url.replace('://', '://REDACTED:REDACTED@')}/rest-v2/students`,
    );
    expect(fields(error)).not.toContain(TOKEN);
  });
});
