import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  type AssemblyConfig,
  type AssemblySecrets,
  assemblyConnector,
} from '../../../src/connectors/assembly/index.ts';
import { collectPull, type PullOptions } from '../support.ts';
import { configFor, connectorError, fakeAssembly, requestsTo, secretsFor } from './helpers.ts';

const fixtures = new URL('../http/fixtures/', import.meta.url);

type Options = PullOptions<AssemblyConfig, AssemblySecrets>;

async function timedPull(kind: typeof assemblyConnector, options: Options) {
  const started = Date.now();
  const outcome = await collectPull(kind, options);
  return { ...outcome, error: connectorError(outcome.error), ms: Date.now() - started };
}

describe('Assembly pull failures', () => {
  it('gives up on a server that keeps answering 500, as transient, after 3 tries', async () => {
    const fake = await fakeAssembly({ faults: { serverError: { path: '/students' } } });

    const { error, ms } = await timedPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'transient', code: 'server_error', attempts: 3 });
    expect(error.message).toContain('contact Assembly support');
    expect(requestsTo(fake, '/students')).toHaveLength(3);
    expect(ms).toBeLessThan(5000);
  });

  it('rides out a server that fails the first two times', async () => {
    const fake = await fakeAssembly({ faults: { serverError: { path: '/students', times: 2 } } });

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(outcome.error).toBeNull();
    expect(outcome.events.filter((e) => e.code === 'retry_scheduled')).toHaveLength(2);
  });

  it('ends as rate limited when 429s without Retry-After keep coming', async () => {
    const fake = await fakeAssembly({ faults: { tooManyRequests: { path: '/students' } } });

    const { error } = await timedPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'rate_limited', code: 'rate_limited', attempts: 3 });
    expect(error.message).toContain('600 requests per 5 minutes');
    expect(requestsTo(fake, '/students')).toHaveLength(3);
  });

  it('gives up at once when Retry-After asks for longer than it may wait', async () => {
    const fake = await fakeAssembly({
      faults: { tooManyRequests: { path: '/students', retryAfter: '120' } },
    });

    const { error, ms } = await timedPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'rate_limited', attempts: 1 });
    expect(requestsTo(fake, '/students')).toHaveLength(1);
    // At once, not after the two minutes asked for; generous for a busy machine.
    expect(ms).toBeLessThan(5000);
  });

  it('waits as long as Retry-After says, then carries on', async () => {
    const fake = await fakeAssembly({
      faults: { tooManyRequests: { path: '/students', retryAfter: '1', times: 1 } },
    });

    const started = Date.now();
    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake, { http: { retry: { attempts: 3, maxDelayMs: 2000 } } }),
      secrets: secretsFor(fake),
    });

    expect(outcome.error).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it("stays within Assembly's limit by spacing its requests", async () => {
    const fake = await fakeAssembly({ pupils: 20, limit: { requests: 5, perMs: 1000 } });

    // Four requests in any 1.25 s against Assembly's five in any second: a request that
    // leaves late on a busy machine still arrives inside the limit.
    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake, { rateLimit: { requests: 4, perMs: 1250 } }),
      secrets: secretsFor(fake),
    });

    expect(outcome.error).toBeNull();
    expect(outcome.events.some((e) => e.code === 'rate_limit_wait')).toBe(true);
    expect(outcome.events.filter((e) => e.code === 'retry_scheduled')).toEqual([]);
  });

  it("reports going over Assembly's documented limit as rate limited", async () => {
    const fake = await fakeAssembly({ pupils: 20, limit: { requests: 3, perMs: 60_000 } });

    const { error } = await timedPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'rate_limited', code: 'rate_limited', status: 429 });
    expect(fake.requests).toHaveLength(3 + 3);
  });

  it('times out an answer slower than the header timeout, as transient', async () => {
    const fake = await fakeAssembly({ faults: { slow: { path: '/students', delayMs: 2500 } } });

    const { error, ms } = await timedPull(assemblyConnector, {
      config: configFor(fake, {
        http: { retry: { attempts: 2, baseDelayMs: 5 }, deadlineMs: 8000 },
      }),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'transient', code: 'timeout', attempts: 2 });
    expect(requestsTo(fake, '/students')).toHaveLength(2);
    expect(ms).toBeLessThan(8000);
  });

  it('ends a hanging request at its deadline', async () => {
    const fake = await fakeAssembly({ faults: { hang: { path: '/students' } } });

    const { error, ms } = await timedPull(assemblyConnector, {
      config: configFor(fake, {
        http: { timeouts: { headersMs: 10_000 }, deadlineMs: 1500 },
      }),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'transient', code: 'deadline_exceeded' });
    expect(requestsTo(fake, '/students')).toHaveLength(1);
    expect(ms).toBeLessThan(3000);
  });

  it('retries a body cut off part-way, then reports it as bad data', async () => {
    const fake = await fakeAssembly({ faults: { truncate: { path: '/students' } } });

    const { error } = await timedPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'bad_data', code: 'truncated_body', attempts: 3 });
    expect(requestsTo(fake, '/students')).toHaveLength(3);
  });

  it('treats a revoked school token as auth, after one try at renewing it', async () => {
    const fake = await fakeAssembly({ faults: { revoked: true } });

    const { error } = await timedPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'auth', code: 'http_unauthorized' });
    expect(error.message).toContain('approve the Next Steps Sync app again in the Assembly');
    expect(requestsTo(fake, '/oauth/token')).toHaveLength(1);
    expect(requestsTo(fake, '/students')).toHaveLength(1);
  });

  it('names the scope the school has not granted', async () => {
    const fake = await fakeAssembly({ faults: { missingScopes: ['results'] } });

    const { error } = await timedPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'auth', code: 'http_forbidden', attempts: 1 });
    expect(error.message).toContain('grant the "results" scope');
  });

  it('says which API version Assembly refused', async () => {
    const fake = await fakeAssembly();

    const { error } = await timedPull(assemblyConnector, {
      config: configFor(fake, { apiVersion: '9.9' }),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'config', code: 'http_bad_request', status: 406 });
    expect(error.message).toContain('API version 9.9');
  });

  it('refuses to pull a school other than the one in the settings', async () => {
    const fake = await fakeAssembly();

    const { error } = await timedPull(assemblyConnector, {
      config: configFor(fake, { schoolUrn: '999999' }),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'config' });
    expect(error.message).toContain('not for the school in the source settings (URN 999999)');
    expect(requestsTo(fake, '/students')).toEqual([]);
  });

  it('reports an address nothing listens on as transient, after retrying', async () => {
    const port = await closedPort();
    const fake = await fakeAssembly();

    const { error } = await timedPull(assemblyConnector, {
      config: configFor(fake, { apiUrl: `http://127.0.0.1:${port}` }),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'transient', code: 'connection_refused', attempts: 3 });
  });

  it('reports a host that does not exist as config, at once', async () => {
    const fake = await fakeAssembly();

    const { error } = await timedPull(assemblyConnector, {
      config: configFor(fake, { apiUrl: 'https://api.assembly.invalid' }),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'config', code: 'host_not_found', attempts: 1 });
  });

  it('reports a certificate that cannot be verified as config', async () => {
    const tls = {
      key: readFileSync(new URL('test-only-self-signed.key.pem', fixtures)),
      cert: readFileSync(new URL('test-only-self-signed.cert.pem', fixtures)),
    };
    const fake = await fakeAssembly({ tls });

    const { error } = await timedPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(error).toMatchObject({ category: 'config', code: 'certificate_invalid', attempts: 1 });
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
