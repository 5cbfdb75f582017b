import { afterEach, describe, expect, it } from 'vitest';
import { isConnectorError } from '../../../src/connectors/http/index.ts';
import { wondeConnector } from '../../../src/connectors/wonde/index.ts';
import type { Endpoint, WondeFake } from '../../../src/fakes/wonde/index.ts';
import { collectPull, repeated } from '../support.ts';
import { configFor, fakeWith, QUICK_HTTP, requestsTo, schoolOf, secretsFor } from './helpers.ts';

let fake: WondeFake;

afterEach(async () => {
  await fake.close();
});

async function failThenResume(endpoint: Endpoint, page: number, mode: 'full' | 'incremental') {
  const school = schoolOf(700);
  fake = await fakeWith(school);
  const options = { config: configFor(fake, { pageSize: 100 }), secrets: secretsFor(fake) };
  const cursor =
    mode === 'incremental'
      ? { version: 1, schoolId: fake.store().id, since: new Date(0).toISOString() }
      : null;

  fake.setFaults({ serverError: { endpoint, page } });
  const failed = await collectPull(wondeConnector, { ...options, mode, cursor });
  const attemptsAtFault = fake.requests.filter((r) => {
    const url = new URL(r.url, 'http://fake');
    return (
      (url.searchParams.get('page') ?? '1') === String(page) &&
      url.pathname.endsWith(endpoint === 'results' ? '/assessment/results' : `/${endpoint}`)
    );
  }).length;

  fake.setFaults({});
  const resumed = await collectPull(wondeConnector, {
    ...options,
    mode,
    cursor,
    resumeFrom: failed.checkpoints.at(-1) ?? null,
  });
  return { school, failed, resumed, attemptsAtFault };
}

describe('a resumed Wonde pull', () => {
  it('after results page 4 failed, goes on from it: nothing skipped or repeated', async () => {
    const { school, failed, resumed, attemptsAtFault } = await failThenResume('results', 4, 'full');

    expect(isConnectorError(failed.error) && failed.error.code).toBe('server_error');
    expect(attemptsAtFault).toBe(QUICK_HTTP.attempts);
    expect(failed.results).toHaveLength(300);
    expect(resumed.error).toBeNull();

    const pupils = [...failed.pupils, ...resumed.pupils].map((p) => p.externalId);
    const results = [...failed.results, ...resumed.results].map((r) => r.externalId);
    expect(pupils).toHaveLength(school.pupils.length);
    expect(results).toHaveLength(school.results.length);
    expect(repeated(pupils)).toEqual([]);
    expect(repeated(results)).toEqual([]);
    expect(resumed.summary?.complete).toBe(true);
  });

  it('after pupils page 3 failed, goes on from it, joining every result to its pupil', async () => {
    const { school, failed, resumed } = await failThenResume('students', 3, 'full');

    expect(failed.pupils).toHaveLength(200);
    const pupils = [...failed.pupils, ...resumed.pupils].map((p) => p.externalId);
    expect(pupils).toHaveLength(school.pupils.length);
    expect(repeated(pupils)).toEqual([]);
    expect(resumed.results).toHaveLength(school.results.length);
    expect(resumed.events.map((e) => e.code)).not.toContain('wonde_results_not_on_roll');
  });

  it('resumes an incremental pull with the same delta start', async () => {
    const { failed, resumed } = await failThenResume('results', 2, 'incremental');
    const since = (failed.checkpoints.at(-1) as { since: string }).since;
    const lastUrls = fake.requests.slice(-3).map((r) => r.url);
    expect(lastUrls.some((url) => url.includes('updated_after='))).toBe(true);
    expect(resumed.checkpoints.every((c) => c.since === since)).toBe(true);
    expect(repeated([...failed.results, ...resumed.results].map((r) => r.externalId))).toEqual([]);
  });

  it('starts again when the saved place belongs to another school', async () => {
    fake = await fakeWith(schoolOf(60));
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
      resumeFrom: { version: 1, schoolId: 'A999', phase: 'results' },
    });
    expect(outcome.pupils).toHaveLength(60);
    expect(outcome.events.map((e) => e.code)).toContain('wonde_resume_ignored');
    expect(requestsTo(fake, 'students')).toBeGreaterThan(0);
  });
});
