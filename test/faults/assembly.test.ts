import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sources } from '../../src/db/schema.ts';
import {
  type AssemblyFake,
  type AssemblyFaults,
  startAssemblyFake,
} from '../../src/fakes/assembly/index.ts';
import { generateSchool, lastTerms } from '../../src/fakes/school.ts';
import { createSource } from '../../src/sync/sources.ts';
import { ANALYST, testEngine } from '../support/engine.ts';
import { createSchool, seedTrust } from '../support/fixtures.ts';
import { type FaultDatabase, faultDatabase } from './database.ts';
import {
  agreeMappings,
  type FaultCase,
  fullRun,
  onRequest,
  type RunSource,
  throughFault,
  unagreedValues,
} from './harness.ts';

/**
 * Every way the Assembly fake can misbehave, in the middle of a full pull of a small primary:
 * 40 pupils in pages of 20, their results asked for 20 pupils at a time in pages of 60, so a
 * fault on the second page of results comes after pupils and some results are staged.
 */

const PUPILS = 40;
const school = generateSchool({
  seed: 4021,
  name: 'Oakfield Primary Academy',
  urn: '140321',
  la: 801,
  establishment: 2321,
  pupils: PUPILS,
  style: 'primary',
  terms: lastTerms(2026, 3),
  currentStartYear: 2026,
});
const marked = school.results.filter((result) => typeof result.value === 'string').length;

const CONFIG = {
  pageSize: 20,
  resultsPageSize: 60,
  studentsPerResultsRequest: 20,
  http: {
    deadlineMs: 4000,
    retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 50 },
    timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000 },
  },
};
const MIDDLE = { path: '/results', page: 2 };

const CASES: FaultCase<AssemblyFaults>[] = [
  {
    title: 'a 503 that lasts fails the run as transient, naming Assembly',
    faults: { serverError: { ...MIDDLE, status: 503 } },
    status: 'failed',
    category: 'transient',
    code: 'server_error',
    message:
      'The Assembly server had a problem of its own (503), after 2 attempts. The sync will ' +
      'try again at its next run. If this lasts more than a day, contact Assembly support.',
  },
  {
    title: 'a single 503 is retried and the run lands everything',
    faults: { serverError: { ...MIDDLE, status: 503, times: 1 } },
    status: 'succeeded',
  },
  {
    title: '429s without Retry-After that last fail the run as rate limited',
    faults: { tooManyRequests: MIDDLE },
    status: 'failed',
    category: 'rate_limited',
    code: 'rate_limited',
    message:
      'The Assembly server asked us to slow down (429), after 2 attempts. The sync will try ' +
      'again at its next run. If this keeps happening, sync fewer schools at the same time. ' +
      'Assembly allows 600 requests per 5 minutes for each school.',
  },
  {
    title: 'a 429 with a short Retry-After is waited out and the run lands everything',
    faults: { tooManyRequests: { ...MIDDLE, retryAfter: '1', times: 1 } },
    config: { http: { ...CONFIG.http, retry: { ...CONFIG.http.retry, maxDelayMs: 2000 } } },
    status: 'succeeded',
  },
  {
    title: 'a 429 asking for a longer wait than allowed fails the run at once',
    faults: { tooManyRequests: { ...MIDDLE, retryAfter: '120' } },
    status: 'failed',
    category: 'rate_limited',
    code: 'rate_limited',
    message:
      'The Assembly server asked us to slow down (429). The sync will try again at its next ' +
      'run. If this keeps happening, sync fewer schools at the same time. Assembly allows 600 ' +
      'requests per 5 minutes for each school.',
  },
  {
    title: 'answers slower than the timeout fail the run as transient',
    faults: { slow: { ...MIDDLE, delayMs: 3000 } },
    config: { http: { ...CONFIG.http, timeouts: { ...CONFIG.http.timeouts, headersMs: 500 } } },
    status: 'failed',
    category: 'transient',
    code: 'timeout',
    message:
      'The Assembly server took too long to answer, after 2 attempts. The sync will try again ' +
      'at its next run.',
  },
  {
    title: 'answers slow but within the timeout land everything',
    faults: { slow: { ...MIDDLE, delayMs: 150 } },
    status: 'succeeded',
  },
  {
    title: 'an answer that never comes fails the run at its deadline',
    faults: { hang: MIDDLE },
    config: { http: { ...CONFIG.http, deadlineMs: 1000, timeouts: { headersMs: 10_000 } } },
    status: 'failed',
    category: 'transient',
    code: 'deadline_exceeded',
    message:
      'Assembly did not give a complete answer in the time allowed. The sync will try again at ' +
      'its next run.',
  },
  {
    title: 'a body cut off every time fails the run as bad data',
    faults: { truncate: MIDDLE },
    status: 'failed',
    category: 'bad_data',
    code: 'truncated_body',
    message:
      'The answer from Assembly was cut off part-way, after 2 attempts. The sync will try ' +
      'again at its next run.',
  },
  {
    title: 'a body cut off once is read again and the run lands everything',
    faults: { truncate: { ...MIDDLE, times: 1 } },
    status: 'succeeded',
  },
  {
    title: 'a next page pointing back at itself fails the run as a paging loop',
    faults: { loop: MIDDLE },
    status: 'failed',
    category: 'bad_data',
    code: 'pagination_loop',
    message:
      'Assembly kept sending the same pages of results: page 2 of /results points on to page ' +
      '2. The run was stopped so that nothing is read twice. Report this to the Next Steps team.',
  },
  {
    title: 'tokens that expire part-way are renewed and the run lands everything',
    midway: { nth: 2, faults: { expireAfterRequests: 0 } },
    status: 'succeeded',
  },
  {
    title: 'the app removed part-way fails the run as auth, saying to approve it again',
    midway: { nth: 2, faults: { revoked: true } },
    status: 'failed',
    category: 'auth',
    code: 'http_unauthorized',
    message:
      "Assembly refused the school's token and would not renew it: the school may have " +
      'removed the Next Steps Sync app or withdrawn its approval. Ask the school to approve the ' +
      'Next Steps Sync app again in the Assembly Platform, then paste the new tokens into the ' +
      'source settings.',
  },
  {
    title: 'the results scope withdrawn part-way fails the run as auth, naming the scope',
    midway: { nth: 2, faults: { missingScopes: ['results'] } },
    status: 'failed',
    category: 'auth',
    code: 'http_forbidden',
    message:
      'Assembly says the Next Steps Sync app may not read results for this school (403). Ask ' +
      'the school to grant the "results" scope to the app in the Assembly Platform, then run ' +
      'the sync again.',
  },
];

let database: FaultDatabase;
let fake: AssemblyFake;
let source: RunSource;

beforeAll(async () => {
  database = await faultDatabase();
  await seedTrust(database.db);
  const oakfield = await createSchool(database.db, { urn: '140321', laestab: '8012321' });
  fake = await startAssemblyFake({ schools: [school], targets: false });
  const engine = testEngine(database);
  const tokens = fake.tokens();
  source = await createSource(database.db, engine.secretKey, ANALYST, {
    schoolId: oakfield.id,
    kind: 'assembly',
    name: 'Assembly Platform',
    config: { clientId: fake.clientId, apiUrl: fake.url, authUrl: fake.url, ...CONFIG },
    secrets: { clientSecret: fake.clientSecret, ...tokens },
  });
  const first = await fullRun(engine, source);
  expect(first).toMatchObject({ status: 'succeeded', pupilsSeen: PUPILS, resultsSeen: marked });
  await agreeMappings(database.db, oakfield.id);
  expect(await unagreedValues(database.db, source.id)).toEqual([]);
});
afterAll(async () => {
  await fake?.close();
  await database?.close();
});

async function arm(fault: FaultCase<AssemblyFaults>) {
  await withConfig(fault.config);
  fake.setFaults(fault.faults ?? {});
  const midway = fault.midway;
  const stopWatching = midway
    ? onRequest(
        fake.requests,
        (url) => url.startsWith('/results'),
        midway.nth,
        () => fake.setFaults(midway.faults),
      )
    : () => {};
  return async () => {
    stopWatching();
    fake.setFaults({});
    await withConfig(undefined);
  };
}

async function withConfig(overrides: Record<string, unknown> | undefined) {
  const config = { clientId: fake.clientId, apiUrl: fake.url, authUrl: fake.url, ...CONFIG };
  await database.db
    .update(sources)
    .set({ config: { ...config, ...overrides } })
    .where(eq(sources.id, source.id));
}

describe('an Assembly full pull that meets a fault part-way', () => {
  it.each(CASES)('$title', async (fault) => {
    await throughFault(
      {
        engine: testEngine(database),
        source,
        pupils: PUPILS,
        results: marked,
        pupilPages: PUPILS / CONFIG.pageSize,
        change: () => fake.changeResults(6).length,
        arm: (armed) => arm(armed as FaultCase<AssemblyFaults>),
      },
      fault,
    );
  });
});
