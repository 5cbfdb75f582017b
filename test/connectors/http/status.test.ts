import { describe, expect, it } from 'vitest';
import { failure, serve, testClient } from './setup.ts';

/** A server that always answers with one status and a small JSON error. */
function always(status: number, headers: Record<string, string> = {}) {
  return serve((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: 'invalid_permissions' }));
  });
}

describe('answers that are not success', () => {
  it('reports a 401 as auth, once, with a message that says how to fix it', async () => {
    const server = await always(401);
    const { client } = testClient();

    const error = await failure(client.getJson(`${server.url}/v1.0/schools/A1`));

    expect(error).toMatchObject({ category: 'auth', code: 'http_unauthorized', status: 401 });
    expect(error.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(error.message).toBe(
      'The Wonde server refused the token (401). It may have been revoked or expired: ask the ' +
        'school to re-approve access, then paste the new token.',
    );
  });

  it('reports a 403 as auth, for a missing permission', async () => {
    const server = await always(403);
    const { client } = testClient();

    const error = await failure(client.getJson(`${server.url}/v1.0/schools/A1/contacts`));

    expect(error).toMatchObject({ category: 'auth', code: 'http_forbidden', status: 403 });
    expect(error.bodyExcerpt).toBe('{"error":"invalid_permissions"}');
  });

  it('lets a connector word a 403 through its describe hook', async () => {
    const server = await always(403);
    const { client } = testClient({
      describe: (problem) =>
        problem.code === 'http_forbidden' && problem.url.endsWith('/contacts')
          ? 'The school has not shared contacts with Next Steps in Wonde.'
          : undefined,
    });

    const contacts = await failure(client.getJson(`${server.url}/v1.0/schools/A1/contacts`));
    const students = await failure(client.getJson(`${server.url}/v1.0/schools/A1/students`));

    expect(contacts.message).toBe('The school has not shared contacts with Next Steps in Wonde.');
    expect(students.message).toContain('grant the missing permission');
  });

  it('reports a 404 as config', async () => {
    const server = await always(404);
    const { client } = testClient({ system: 'Arbor' });

    const error = await failure(client.getJson(`${server.url}/rest-v2/students/710`));

    expect(error).toMatchObject({ category: 'config', code: 'http_not_found', system: 'Arbor' });
    expect(error.message).toContain('Arbor');
  });

  it('reports a 400 and a 422 as config without retrying', async () => {
    const bad = await always(400);
    const invalid = await always(422);
    const { client } = testClient();

    const errors = [
      await failure(client.getJson(`${bad.url}/v1.0/schools`)),
      await failure(client.getJson(`${invalid.url}/v1.0/schools`)),
    ];

    expect(errors.map((error) => [error.category, error.status])).toEqual([
      ['config', 400],
      ['config', 422],
    ]);
    expect(bad.requests.length + invalid.requests.length).toBe(2);
  });

  it('does not follow a redirect, which could carry the token to another host', async () => {
    const server = await always(301, { location: 'https://elsewhere.invalid/' });
    const { client } = testClient();

    const error = await failure(client.getJson(`${server.url}/v1.0/schools`));

    expect(error).toMatchObject({ category: 'config', code: 'http_redirect', status: 301 });
    expect(server.requests).toHaveLength(1);
  });

  it('returns a 304 as a success with no body', async () => {
    const server = await serve((req, res) => {
      const fresh = req.headers['if-none-match'] === '"v7"';
      res.writeHead(fresh ? 304 : 200, { etag: '"v7"', 'content-type': 'application/json' });
      res.end(fresh ? undefined : '[]');
    });
    const { client } = testClient({ system: 'Assembly' });

    const response = await client.getJson(`${server.url}/assessments`, {
      headers: { 'If-None-Match': '"v7"' },
    });

    expect(response).toMatchObject({ status: 304, empty: true, body: undefined, attempts: 1 });
    expect(response.headers.etag).toBe('"v7"');
  });
});
