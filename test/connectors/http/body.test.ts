import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { failure, serve, testClient } from './setup.ts';

const Students = z.object({
  data: z.array(z.object({ id: z.string(), upi: z.string(), forename: z.string() })),
});

function json(body: string, contentType = 'application/json') {
  return serve((_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  });
}

describe('response bodies', () => {
  it('reports an HTML page where JSON was expected as bad data, with an excerpt', async () => {
    const server = await json('<html><title>Scheduled maintenance</title></html>', 'text/html');
    const { client } = testClient();

    const error = await failure(client.getJson(`${server.url}/v1.0/schools`));

    expect(error).toMatchObject({ category: 'bad_data', code: 'invalid_json', attempts: 1 });
    expect(error.bodyExcerpt).toContain('Scheduled maintenance');
    expect(error.message).toContain('text/html');
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the text of broken JSON out of the error, as it may hold pupil data', async () => {
    const server = await json('{"data":[{"forename":"Amara",}]}');
    const { client } = testClient();

    const error = await failure(client.getJson(`${server.url}/v1.0/schools/A1/students`));

    expect(error.code).toBe('invalid_json');
    expect(error.bodyExcerpt).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain('Amara');
    expect(String((error.cause as Error | undefined)?.message)).not.toContain('Amara');
  });

  it('returns the parsed value when the JSON matches the schema', async () => {
    const server = await json('{"data":[{"id":"A1","upi":"u-1","forename":"Amara","extra":1}]}');
    const { client } = testClient();

    const response = await client.getJson(`${server.url}/v1.0/schools/A1/students`, {
      schema: Students,
    });

    if (response.empty) throw new Error('expected a body');
    expect(response.body.data[0]).toEqual({ id: 'A1', upi: 'u-1', forename: 'Amara' });
  });

  it('reports JSON of the wrong shape as bad data naming the path of the first issue', async () => {
    const server = await json('{"data":[{"id":"A1","upi":"u-1","forename":"Amara"},{"id":"A2"}]}');
    const { client } = testClient();

    const error = await failure(
      client.getJson(`${server.url}/v1.0/schools/A1/students`, { schema: Students }),
    );

    expect(error).toMatchObject({ category: 'bad_data', code: 'schema_mismatch' });
    expect(error.message).toContain('at data[1].upi');
    expect(error.message).not.toContain('Amara');
  });

  it('returns text and bytes as they came', async () => {
    const server = await json('UPN,Forename\nA123,Amara\n', 'text/csv');
    const { client } = testClient();

    const text = await client.request({ url: `${server.url}/export.csv`, expect: 'text' });
    const bytes = await client.request({ url: `${server.url}/export.csv`, expect: 'buffer' });

    expect(text.body).toBe('UPN,Forename\nA123,Amara\n');
    expect(Buffer.isBuffer(bytes.body) && bytes.body.toString()).toBe('UPN,Forename\nA123,Amara\n');
  });

  it('sends query values, repeating array values and leaving out undefined ones', async () => {
    const server = await json('{}');
    const { client } = testClient({ baseUrl: `${server.url}/rest-v2/` });

    await client.getJson('students', {
      query: { 'filters.tags.year': ['7', '8'], 'page-size': 500, 'page-number': undefined },
    });

    expect(server.requests[0]!.url).toBe(
      '/rest-v2/students?filters.tags.year=7&filters.tags.year=8&page-size=500',
    );
  });
});
