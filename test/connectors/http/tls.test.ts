import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { failure, serve, testClient } from './setup.ts';

const fixtures = new URL('./fixtures/', import.meta.url);
const tls = {
  key: readFileSync(new URL('test-only-self-signed.key.pem', fixtures)),
  cert: readFileSync(new URL('test-only-self-signed.cert.pem', fixtures)),
};

function hello() {
  return serve(
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"hello":"school"}');
    },
    { tls },
  );
}

describe('TLS', () => {
  it('reports a self-signed certificate as a config error, without retrying', async () => {
    const server = await hello();
    const { client } = testClient({ system: 'Arbor' });

    const error = await failure(client.getJson(`${server.url}/rest-v2/students`));

    expect(error).toMatchObject({ category: 'config', code: 'certificate_invalid', attempts: 1 });
    expect(error.message).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('trusts a self-signed certificate given as ca through an injected dispatcher', async () => {
    const server = await hello();
    const dispatcher = new Agent({ connect: { ca: tls.cert } });
    onTestFinished(() => dispatcher.close());
    const { client } = testClient({ system: 'Arbor', dispatcher });

    const response = await client.getJson(`${server.url}/rest-v2/students`);

    expect(response).toMatchObject({ status: 200, body: { hello: 'school' } });
  });
});
