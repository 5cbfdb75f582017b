import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { arborConnector } from '../../../src/connectors/arbor/index.ts';
import type { ConnectorError } from '../../../src/connectors/http/index.ts';
import { configFor, fakeArbor, pull, SECRETS } from './helpers.ts';

const fixtures = new URL('../http/fixtures/', import.meta.url);
const tls = {
  key: readFileSync(new URL('test-only-self-signed.key.pem', fixtures)),
  cert: readFileSync(new URL('test-only-self-signed.cert.pem', fixtures)),
};

function failureOf(outcome: { error: unknown }): ConnectorError {
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as ConnectorError;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('when Arbor fails a pull', () => {
  it('names a rotated password as auth at once, pointing at the Developers Portal', async () => {
    const fake = await fakeArbor({ faults: { credentials: 'rotated' } });

    const error = failureOf(await pull(configFor(fake)));

    expect(error).toMatchObject({ category: 'auth', code: 'http_unauthorized', attempts: 1 });
    expect(error.message).toContain('Arbor Developers Portal');
    expect(fake.requests).toHaveLength(1);
  });

  it('asks the school to switch the application on when Arbor refuses all', async () => {
    const fake = await fakeArbor({ faults: { credentials: 'revoked' } });

    const error = failureOf(await pull(configFor(fake)));

    expect(error).toMatchObject({ category: 'auth', code: 'http_forbidden', attempts: 1 });
    expect(error.message).toContain('switch the application on in Arbor');
    expect(error.message).toContain('This application is not enabled for this school');
  });

  it('names the missing permission in Arbor terms when one resource is refused', async () => {
    const fake = await fakeArbor({ faults: { forbidden: ['uk-dfe_upn-assignments'] } });

    const error = failureOf(await pull(configFor(fake)));

    expect(error).toMatchObject({ category: 'auth', code: 'http_forbidden', attempts: 1 });
    expect(error.message).toContain('may not read UPNs (UkDfe_UpnAssignment)');
    expect(error.message).toContain('You do not have permission to read UkDfe_UpnAssignment');
  });

  it('names the resource Arbor does not have when its path is set wrongly', async () => {
    const fake = await fakeArbor();

    const config = configFor(fake, { resources: { upnAssignments: 'upn-assignments' } });
    const error = failureOf(await pull(config));

    expect(error).toMatchObject({ category: 'config', code: 'http_not_found', attempts: 1 });
    expect(error.message).toContain('has no UPNs (UkDfe_UpnAssignment) resource (404)');
    expect(error.message).toContain('under "resources" in the source settings');
  });

  it('waits out 429s without Retry-After, backing off, and then carries on', async () => {
    const fake = await fakeArbor({ faults: { rateLimit: { times: 2 } } });

    const outcome = await pull(configFor(fake));

    expect(outcome.error).toBeNull();
    expect(outcome.events.filter((event) => event.code === 'arbor_retry')).toHaveLength(2);
  });

  it('honours a Retry-After it can wait for', async () => {
    const fake = await fakeArbor({ faults: { rateLimit: { times: 1, retryAfterSeconds: 1 } } });
    const started = Date.now();

    const outcome = await pull(configFor(fake, { http: { maxDelayMs: 2000 } }));

    expect(outcome.error).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('gives up at once when Retry-After asks for longer than it may wait', async () => {
    const fake = await fakeArbor({ faults: { rateLimit: { retryAfterSeconds: 600 } } });

    const error = failureOf(await pull(configFor(fake)));

    expect(error).toMatchObject({ category: 'rate_limited', code: 'rate_limited', attempts: 1 });
    expect(error.message).toContain('asked us to slow down');
    expect(fake.requests).toHaveLength(1);
  });

  it('ends as rate limited after its attempts when 429s never stop', async () => {
    const fake = await fakeArbor({ faults: { rateLimit: {} } });

    const error = failureOf(await pull(configFor(fake)));

    expect(error).toMatchObject({ category: 'rate_limited', code: 'rate_limited', attempts: 3 });
    expect(fake.requests).toHaveLength(3);
  });

  it('retries 500s and carries on when they stop', async () => {
    const fake = await fakeArbor({ faults: { serverError: { times: 2 } } });

    const outcome = await pull(configFor(fake));

    expect(outcome.error).toBeNull();
    expect(outcome.pupils.length).toBeGreaterThan(0);
  });

  it('ends as transient after its attempts when every answer is a 500', async () => {
    const fake = await fakeArbor({ faults: { serverError: {} } });

    const error = failureOf(await pull(configFor(fake)));

    expect(error).toMatchObject({ category: 'transient', code: 'server_error', attempts: 3 });
    expect(error.message).toContain('The sync will try again at its next run');
    expect(fake.requests).toHaveLength(3);
  });

  it('times out a slow answer, retries, and ends as transient within its deadline', async () => {
    const fake = await fakeArbor({ faults: { slowMs: 2500 } });
    const started = Date.now();

    const error = failureOf(
      await pull(configFor(fake, { http: { attempts: 2, headersMs: 1000, deadlineMs: 6000 } })),
    );

    expect(error).toMatchObject({ category: 'transient', code: 'timeout', attempts: 2 });
    expect(fake.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('stops waiting for an answer that never comes when the deadline passes', async () => {
    const fake = await fakeArbor({ faults: { hang: {} } });
    const started = Date.now();

    const error = failureOf(
      await pull(configFor(fake, { http: { headersMs: 5000, bodyMs: 5000, deadlineMs: 1500 } })),
    );

    expect(error).toMatchObject({ category: 'transient', code: 'deadline_exceeded' });
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('retries an answer cut off part-way, then reports it as bad data', async () => {
    const fake = await fakeArbor({ faults: { truncate: {} } });

    const error = failureOf(await pull(configFor(fake)));

    expect(error).toMatchObject({ category: 'bad_data', code: 'truncated_body', attempts: 3 });
    expect(fake.requests).toHaveLength(3);
  });

  it('recovers from a cut-off answer that is not repeated', async () => {
    const fake = await fakeArbor({ faults: { truncate: { times: 1 } } });

    const outcome = await pull(configFor(fake));

    expect(outcome.error).toBeNull();
  });

  it('stops between pages when the run is cancelled', async () => {
    const fake = await fakeArbor();
    const controller = new AbortController();
    const generator = arborConnector.pull({
      config: configFor(fake),
      secrets: SECRETS,
      mode: 'full',
      resumeFrom: null,
      cursor: null,
      file: null,
      signal: controller.signal,
      log: () => {},
    });

    await generator.next();
    controller.abort();
    const next = generator.next();

    await expect(next).rejects.toMatchObject({ code: 'aborted', category: 'transient' });
  });
});

describe('when the Arbor address is wrong', () => {
  it('says no such server exists for a host that does not resolve', async () => {
    const fake = await fakeArbor();

    const error = failureOf(await pull({ ...configFor(fake), host: 'no-such-school.invalid' }));

    expect(error).toMatchObject({ category: 'config', code: 'host_not_found' });
    expect(error.message).toContain('There is no server called no-such-school.invalid');
    expect(error.message).toContain('yourschool.uk.arbor.sc');
  });

  it('says no Arbor school answers at a host that serves something else', async () => {
    const fake = await fakeArbor({ faults: { wrongSchool: true } });

    const error = failureOf(await pull(configFor(fake)));

    expect(error).toMatchObject({ category: 'config', code: 'http_not_found', attempts: 1 });
    expect(error.message).toContain('No Arbor school answers at 127.0.0.1');
  });

  it('reports a certificate it cannot verify as a config error, without retrying', async () => {
    const fake = await fakeArbor({ tls });

    const error = failureOf(await pull(configFor(fake)));

    expect(error).toMatchObject({ category: 'config', code: 'certificate_invalid', attempts: 1 });
  });

  it('reports a host that refuses connections as transient, after its attempts', async () => {
    const fake = await fakeArbor();
    const port = await closedPort();

    const error = failureOf(await pull({ ...configFor(fake), host: `http://127.0.0.1:${port}` }));

    expect(error).toMatchObject({ category: 'transient', code: 'connection_refused', attempts: 3 });
  });
});
