import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConnectorError, isConnectorError } from '../../../src/connectors/http/index.ts';
import { wondeConfigSchema, wondeConnector } from '../../../src/connectors/wonde/index.ts';
import type { WondeFake, WondeFaults } from '../../../src/fakes/wonde/index.ts';
import { collectPull } from '../support.ts';
import { configFor, fakeWith, QUICK_HTTP, requestsTo, schoolOf, secretsFor } from './helpers.ts';

let fake: WondeFake;

afterEach(async () => {
  await fake.close();
});

interface Failed {
  error: ConnectorError;
  elapsedMs: number;
  outcome: Awaited<ReturnType<typeof collectPull>>;
}

async function pullFailing(
  faults: WondeFaults,
  overrides: Record<string, unknown> = {},
): Promise<Failed> {
  fake = await fakeWith(schoolOf(120), { faults });
  const started = Date.now();
  const outcome = await collectPull(wondeConnector, {
    config: configFor(fake, overrides),
    secrets: secretsFor(fake),
  });
  const elapsedMs = Date.now() - started;
  if (!isConnectorError(outcome.error))
    throw new Error(`expected a ConnectorError, got ${String(outcome.error)}`);
  return { error: outcome.error, elapsedMs, outcome };
}

describe('a Wonde pull that fails', () => {
  it('on a revoked token is auth, says to paste the current token, after one try', async () => {
    const { error } = await pullFailing({ token: 'revoked' });
    expect(error).toMatchObject({
      category: 'auth',
      code: 'http_unauthorized',
      status: 401,
      attempts: 1,
    });
    expect(error.message).toMatch(/revoked or replaced/);
    expect(error.message).toMatch(/Wonde portal/);
    expect(fake.requests).toHaveLength(1);
  });

  it('on an expired token is the same auth failure', async () => {
    const { error } = await pullFailing({ token: 'expired' });
    expect(error).toMatchObject({ category: 'auth', code: 'http_unauthorized' });
    expect(fake.requests).toHaveLength(1);
  });

  it('on a withheld assessment permission names the permission', async () => {
    const { error, outcome } = await pullFailing({ missingScopes: ['assessment'] });
    expect(error).toMatchObject({
      category: 'auth',
      code: 'http_forbidden',
      status: 403,
      attempts: 1,
    });
    expect(error.message).toMatch(/"assessment" permission/);
    expect(outcome.pupils).toHaveLength(120);
  });

  it('on null extended details names the permission rather than reading "no SEN"', async () => {
    const { error, outcome } = await pullFailing({ missingScopes: ['extended_details'] });
    expect(error).toMatchObject({ category: 'auth', code: 'http_forbidden' });
    expect(error.message).toMatch(/"student extended details" permission/);
    expect(error.message).toMatch(/SEN status, free school meals, pupil premium and EAL/);
    expect(outcome.pupils).toEqual([]);
  });

  it('on null extended details, told to warn, leaves SEN, disadvantage, EAL unknown', async () => {
    fake = await fakeWith(schoolOf(120), { faults: { missingScopes: ['extended_details'] } });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake, { onMissingPermission: 'warn' }),
      secrets: secretsFor(fake),
    });
    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toHaveLength(120);
    for (const pupil of outcome.pupils) {
      expect(pupil).toMatchObject({ senStatus: null, disadvantaged: null, eal: null });
    }
    const warnings = outcome.events.filter((e) => e.code === 'wonde_permission_missing');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/"student extended details" permission/);
  });

  it('on 429 with a Retry-After longer than allowed gives up at once as rate limited', async () => {
    const { error, elapsedMs } = await pullFailing({
      rateLimit: { times: 10, retryAfterSeconds: 30 },
    });
    expect(error).toMatchObject({
      category: 'rate_limited',
      code: 'rate_limited',
      status: 429,
      attempts: 1,
    });
    expect(error.message).toMatch(/slow down/);
    expect(fake.requests).toHaveLength(1);
    // At once, not after the 30 seconds asked for; generous for a busy machine.
    expect(elapsedMs).toBeLessThan(5000);
  });

  it('on 429 without Retry-After backs off and carries on when Wonde lets it', async () => {
    fake = await fakeWith(schoolOf(120), {
      faults: { rateLimit: { times: 2, endpoint: 'students' } },
    });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });
    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toHaveLength(120);
    expect(requestsTo(fake, 'students')).toBe(3);
    expect(outcome.events.filter((e) => e.code === 'wonde_retry')).toHaveLength(2);
  });

  it('on 429 that lasts is rate limited after every attempt is used', async () => {
    const { error } = await pullFailing({ rateLimit: { times: 99 } });
    expect(error).toMatchObject({ category: 'rate_limited', attempts: QUICK_HTTP.attempts });
    expect(fake.requests).toHaveLength(QUICK_HTTP.attempts);
  });

  it('on 500s that last is transient after every attempt, and says it will try again', async () => {
    const { error } = await pullFailing({ serverError: { endpoint: 'results' } });
    expect(error).toMatchObject({ category: 'transient', code: 'server_error', status: 500 });
    expect(error.attempts).toBe(QUICK_HTTP.attempts);
    expect(requestsTo(fake, 'assessment/results')).toBe(QUICK_HTTP.attempts);
    expect(error.message).toMatch(/try again at its next run/);
  });

  it('on the first two 500s retries and succeeds', async () => {
    fake = await fakeWith(schoolOf(120), {
      faults: { serverError: { times: 2, endpoint: 'aspects' } },
    });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });
    expect(outcome.error).toBeNull();
    expect(requestsTo(fake, 'assessment/aspects')).toBe(3);
  });

  it('on a response slower than the timeout is transient, within its deadline', async () => {
    const http = { ...QUICK_HTTP, attempts: 2, deadlineMs: 4000 };
    const { error, elapsedMs } = await pullFailing(
      { slow: { endpoint: 'students', delayMs: 2500 } },
      { http },
    );
    expect(error).toMatchObject({ category: 'transient', code: 'timeout', attempts: 2 });
    expect(requestsTo(fake, 'students')).toBe(2);
    expect(elapsedMs).toBeLessThan(http.deadlineMs + 1000);
  });

  it('on a response that never comes is transient, within its deadline', async () => {
    const http = { ...QUICK_HTTP, attempts: 5, headersMs: 1000, deadlineMs: 2500 };
    const { error, elapsedMs } = await pullFailing({ hang: { endpoint: 'school' } }, { http });
    expect(error.category).toBe('transient');
    expect(['timeout', 'deadline_exceeded']).toContain(error.code);
    expect(elapsedMs).toBeLessThan(http.deadlineMs + 1000);
  });

  it('on a body cut off part-way is bad data after every attempt', async () => {
    const { error } = await pullFailing({ truncate: { endpoint: 'students', page: 1 } });
    expect(error).toMatchObject({
      category: 'bad_data',
      code: 'truncated_body',
      attempts: QUICK_HTTP.attempts,
    });
    expect(requestsTo(fake, 'students')).toBe(QUICK_HTTP.attempts);
  });

  it('at the wrong regional host is a config failure that names the regional hosts', async () => {
    const { error, outcome } = await pullFailing({ wrongRegion: true });
    expect(error).toMatchObject({ category: 'config', code: 'http_not_found' });
    expect(error.message).toMatch(/regional host/);
    expect(error.message).toMatch(/api\.wonde\.com/);
    expect(outcome.pupils).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('for a school id Wonde does not know is a config failure naming the id', async () => {
    fake = await fakeWith(schoolOf(20));
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake, { schoolId: 'A1111111111' }),
      secrets: secretsFor(fake),
    });
    expect(outcome.error).toMatchObject({
      category: 'config',
      code: 'http_not_found',
      status: 404,
    });
    expect((outcome.error as Error).message).toMatch(/does not know school A1111111111/);
  });

  it('when the host refuses connections is transient after every attempt', async () => {
    fake = await fakeWith(schoolOf(20));
    const port = await closedPort();
    const config = wondeConfigSchema.parse({
      baseUrl: `http://127.0.0.1:${port}/v1.0/`,
      schoolId: fake.store().id,
      pageDelayMs: 0,
      http: QUICK_HTTP,
    });
    const outcome = await collectPull(wondeConnector, { config, secrets: secretsFor(fake) });
    expect(outcome.error).toMatchObject({
      category: 'transient',
      code: 'connection_refused',
      attempts: QUICK_HTTP.attempts,
    });
  });

  it('stops between pages when the run is cancelled', async () => {
    fake = await fakeWith(schoolOf(400));
    const controller = new AbortController();
    const pull = wondeConnector.pull({
      config: configFor(fake, { pageSize: 50 }),
      secrets: secretsFor(fake),
      mode: 'full',
      resumeFrom: null,
      cursor: null,
      file: null,
      signal: controller.signal,
      log: () => {},
    });
    await pull.next();
    controller.abort();
    await expect(pull.next()).rejects.toMatchObject({ code: 'aborted' });
    expect(requestsTo(fake, 'students')).toBe(1);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
