import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { PulledPage } from '../../../src/connectors/contract.ts';
import { isConnectorError } from '../../../src/connectors/http/index.ts';
import type { OneRosterRestFake } from '../../../src/fakes/oneroster-rest/index.ts';
import {
  configFor,
  connector,
  markedResults,
  pullError,
  pullFrom,
  requestsTo,
  SMALL_SCHOOL,
  secretsFor,
  startFake,
  TEST_HTTP,
} from './helpers.ts';

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await run();
  return { value, ms: Date.now() - started };
}

/** Runs a pull, calling `between` after each page, and returns what it ended with. */
async function pullCalling(
  fake: OneRosterRestFake,
  between: (page: PulledPage, index: number) => void,
) {
  const pages = connector.pull({
    config: configFor(fake),
    secrets: secretsFor(fake),
    mode: 'full',
    resumeFrom: null,
    cursor: null,
    file: null,
    signal: new AbortController().signal,
    log: () => {},
  });
  const seen: PulledPage[] = [];
  try {
    for (let step = await pages.next(); !step.done; step = await pages.next()) {
      between(step.value, seen.length);
      seen.push(step.value);
    }
    return { seen, error: null };
  } catch (error) {
    return { seen, error };
  }
}

describe('OneRoster failures', () => {
  it('500s until the retries run out end as transient, after three attempts', async () => {
    const fake = await startFake({ faults: { status: { endpoint: 'results', status: 500 } } });

    const { value: outcome, ms } = await timed(() => pullFrom(fake));

    const error = pullError(outcome);
    expect(error).toMatchObject({ category: 'transient', code: 'server_error', attempts: 3 });
    expect(error.message).toContain('The sync will try again at its next run');
    expect(requestsTo(fake, '/results')).toHaveLength(3);
    expect(ms).toBeLessThan(TEST_HTTP.deadlineMs);
  });

  it('a 500 on the first two tries of a page is retried and the pull completes', async () => {
    const fake = await startFake({
      faults: { status: { endpoint: 'lineItems', status: 502, times: 2 } },
    });

    const outcome = await pullFrom(fake);

    expect(outcome.error).toBeNull();
    expect(outcome.results).toHaveLength(markedResults(SMALL_SCHOOL).length);
    expect(requestsTo(fake, '/lineItems')).toHaveLength(3);
  });

  it('429s without Retry-After end as rate_limited after three attempts', async () => {
    const fake = await startFake({ faults: { status: { endpoint: 'students', status: 429 } } });

    const error = pullError(await pullFrom(fake));

    expect(error).toMatchObject({ category: 'rate_limited', code: 'rate_limited', attempts: 3 });
    expect(error.message).toContain('asked us to slow down');
    expect(requestsTo(fake, '/students')).toHaveLength(3);
  });

  it('a 429 asking for a longer wait than allowed gives up at once', async () => {
    const fake = await startFake({
      faults: { status: { endpoint: 'students', status: 429, retryAfter: '120' } },
    });

    const { value: outcome, ms } = await timed(() => pullFrom(fake));

    expect(pullError(outcome)).toMatchObject({ code: 'rate_limited', attempts: 1 });
    expect(requestsTo(fake, '/students')).toHaveLength(1);
    expect(ms).toBeLessThan(5000);
  });

  it('a 429 with a short Retry-After is waited out and the pull completes', async () => {
    const fake = await startFake({
      faults: { status: { endpoint: 'results', status: 429, retryAfter: '1', times: 1 } },
    });

    const { value: outcome, ms } = await timed(() =>
      pullFrom(fake, {
        config: {
          http: { ...TEST_HTTP, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 2000 } },
        },
      }),
    );

    expect(outcome.error).toBeNull();
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(requestsTo(fake, '/results').length).toBeGreaterThan(1);
  });

  it('a server slower than the timeout ends as transient, within the deadline', async () => {
    const fake = await startFake({ faults: { slow: { endpoint: 'categories', delayMs: 3000 } } });
    const http = { ...TEST_HTTP, retry: { ...TEST_HTTP.retry, attempts: 2 } };

    const { value: outcome, ms } = await timed(() => pullFrom(fake, { config: { http } }));

    expect(pullError(outcome)).toMatchObject({
      category: 'transient',
      code: 'timeout',
      attempts: 2,
    });
    expect(requestsTo(fake, '/categories')).toHaveLength(2);
    expect(ms).toBeLessThan(TEST_HTTP.deadlineMs);
  });

  it('an answer that stops part-way ends as transient, within the deadline', async () => {
    const fake = await startFake({ faults: { stall: { endpoint: 'academicSessions' } } });
    const http = { ...TEST_HTTP, retry: { ...TEST_HTTP.retry, attempts: 2 } };

    const { value: outcome, ms } = await timed(() => pullFrom(fake, { config: { http } }));

    expect(pullError(outcome)).toMatchObject({ category: 'transient', code: 'timeout' });
    expect(requestsTo(fake, '/academicSessions')).toHaveLength(2);
    expect(ms).toBeLessThan(TEST_HTTP.deadlineMs);
  });

  it('an answer cut off every time ends as bad_data after three attempts', async () => {
    const fake = await startFake({ faults: { truncate: { endpoint: 'results', page: 2 } } });

    const error = pullError(await pullFrom(fake));

    expect(error).toMatchObject({ category: 'bad_data', code: 'truncated_body', attempts: 3 });
    expect(requestsTo(fake, '/results')).toHaveLength(4);
  });

  it('an answer cut off once is read again and the pull completes', async () => {
    const fake = await startFake({ faults: { truncate: { endpoint: 'students', times: 1 } } });

    const outcome = await pullFrom(fake);

    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toHaveLength(SMALL_SCHOOL.pupils.length);
  });

  it('a token that expires part-way is renewed once and the pull completes', async () => {
    const fake = await startFake();

    const outcome = await pullCalling(fake, (_page, index) => {
      if (index === 3) fake.expireTokens();
    });

    expect(outcome.error).toBeNull();
    expect(requestsTo(fake, '/oauth/token')).toHaveLength(2);
    expect(fake.requests.filter((r) => r.url.includes('/v1p2/')).length).toBeGreaterThan(5);
  });

  it('access revoked part-way ends as auth, naming the client id and secret', async () => {
    const fake = await startFake();

    const outcome = await pullCalling(fake, (_page, index) => {
      if (index === 3) fake.revokeAccess();
    });

    expect(outcome.error).toMatchObject({ category: 'auth', code: 'http_unauthorized' });
    const message = (outcome.error as Error).message;
    expect(message).toContain('did not accept the client id and secret');
    expect(message).toContain('revoked');
    expect(requestsTo(fake, '/oauth/token')).toHaveLength(2);
  });

  it('a token refused even when new ends as auth after one renewal', async () => {
    const fake = await startFake({ faults: { status: { endpoint: 'categories', status: 401 } } });

    const error = pullError(await pullFrom(fake));

    expect(error).toMatchObject({ category: 'auth', code: 'http_unauthorized' });
    expect(error.message).toContain('even a newly issued one');
    expect(requestsTo(fake, '/categories')).toHaveLength(2);
    expect(requestsTo(fake, '/oauth/token')).toHaveLength(2);
  });

  it('a missing gradebook scope ends as auth and names the scope, without retrying', async () => {
    const fake = await startFake({
      grantedScopes: ['roster.readonly', 'roster-demographics.readonly'],
    });

    const error = pullError(await pullFrom(fake, { config: { assessmentResults: 'off' } }));

    expect(error).toMatchObject({ category: 'auth', code: 'http_forbidden', attempts: 1 });
    expect(error.message).toContain('gradebook-core.readonly');
    expect(error.message).toContain("ask the school's OneRoster administrator to grant it");
    expect(requestsTo(fake, '/categories')).toHaveLength(1);
  });

  it('a missing demographics scope names roster-demographics.readonly', async () => {
    const fake = await startFake({ grantedScopes: ['roster.readonly', 'gradebook.readonly'] });

    const error = pullError(await pullFrom(fake));

    expect(error).toMatchObject({ category: 'auth', code: 'http_forbidden' });
    expect(error.message).toContain('roster-demographics.readonly');
    expect(error.message).toContain('dates of birth');
  });

  it('an unknown school id ends as config and says which setting to check', async () => {
    const fake = await startFake();

    const error = pullError(await pullFrom(fake, { config: { schoolSourcedId: 'org-999' } }));

    expect(error).toMatchObject({ category: 'config', code: 'http_not_found', attempts: 1 });
    expect(error.message).toContain('"org-999"');
  });

  it('a wrong gradebook path ends as config naming the setting', async () => {
    const fake = await startFake();

    const error = pullError(
      await pullFrom(fake, { config: { gradebookPath: '/ims/oneroster/v1p1' } }),
    );

    expect(error).toMatchObject({ category: 'config', code: 'http_not_found' });
    expect(error.message).toContain('gradebookPath');
  });

  it('a host that refuses connections ends as transient after three attempts', async () => {
    const fake = await startFake();
    const closed = await startFake();
    const dead = closed.url;
    await closed.close();

    const error = pullError(
      await pullFrom(fake, { config: { baseUrl: dead, tokenUrl: `${dead}/oauth/token` } }),
    );

    expect(error).toMatchObject({
      category: 'transient',
      code: 'connection_refused',
      attempts: 3,
    });
  });

  it('a host that does not exist ends as config, naming the token URL', async () => {
    const fake = await startFake();
    const host = 'https://oneroster.no-such-region.invalid';

    const error = pullError(
      await pullFrom(fake, { config: { baseUrl: host, tokenUrl: `${host}/oauth/token` } }),
    );

    expect(error).toMatchObject({ category: 'config', code: 'host_not_found' });
    expect(error.message).toContain('token URL');
  });

  it('a certificate that cannot be verified ends as config, without retrying', async () => {
    const fixtures = new URL('../http/fixtures/', import.meta.url);
    const server = createHttpsServer(
      {
        key: readFileSync(new URL('test-only-self-signed.key.pem', fixtures)),
        cert: readFileSync(new URL('test-only-self-signed.cert.pem', fixtures)),
      },
      (_req, res) => res.end('{}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fake = await startFake();

    const outcome = await pullFrom(fake, {
      config: { baseUrl: origin, tokenUrl: `${origin}/oauth/token` },
    });

    expect(isConnectorError(outcome.error)).toBe(true);
    expect(outcome.error).toMatchObject({
      category: 'config',
      code: 'certificate_invalid',
      attempts: 1,
    });
  });

  it('stops between pages when the run is cancelled', async () => {
    const fake = await startFake();
    const stop = new AbortController();
    const pages = connector.pull({
      config: configFor(fake),
      secrets: secretsFor(fake),
      mode: 'full',
      resumeFrom: null,
      cursor: null,
      file: null,
      signal: stop.signal,
      log: () => {},
    });

    await pages.next();
    stop.abort();
    const ended = await pages.next().catch((error: unknown) => error);

    expect(ended).toMatchObject({ code: 'aborted', category: 'transient' });
  });
});
