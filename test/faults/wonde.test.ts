import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sources } from '../../src/db/schema.ts';
import { generateSchool, lastTerms } from '../../src/fakes/school.ts';
import { startWondeFake, type WondeFake, type WondeFaults } from '../../src/fakes/wonde/index.ts';
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
 * Every way the Wonde fake can misbehave, in the middle of a full pull of a small primary: 40
 * pupils and their results in pages of 40, so a fault on the third page of results comes after
 * every pupil and some results are staged.
 */

const PUPILS = 40;
const PAGE = 40;
const school = generateSchool({
  seed: 5120,
  name: 'Oakfield Primary Academy',
  urn: '140512',
  la: 330,
  establishment: 2512,
  pupils: PUPILS,
  style: 'primary',
  terms: lastTerms(2026, 3),
  currentStartYear: 2026,
});
const marked = school.results.filter((result) => typeof result.value === 'string').length;

const HTTP = {
  attempts: 2,
  baseDelayMs: 5,
  maxDelayMs: 50,
  connectMs: 1000,
  headersMs: 1000,
  bodyMs: 1000,
  deadlineMs: 4000,
};
const MIDDLE = { endpoint: 'results', page: 3 } as const;

const TOKEN_REFUSED =
  'Wonde refused the API token (401). It has been revoked or replaced, or was not pasted ' +
  'whole: copy the current token of the Next Steps Sync app from the Wonde portal into the ' +
  'source settings. If every Wonde school fails at once, the token itself changed.';

// The cases run in order: by the warned one the source has five clean full pulls behind it.
const CASES: FaultCase<WondeFaults>[] = [
  {
    title: 'a 503 that lasts fails the run as transient',
    faults: { serverError: { ...MIDDLE, status: 503 } },
    status: 'failed',
    category: 'transient',
    code: 'server_error',
    message:
      'The Wonde server had a problem of its own (503), after 2 attempts. The sync will try ' +
      'again at its next run. If this lasts more than a day, contact Wonde support.',
  },
  {
    title: 'a single 503 is retried and the run lands everything',
    faults: { serverError: { ...MIDDLE, status: 503, times: 1 } },
    status: 'succeeded',
  },
  {
    title: '429s without Retry-After that last fail the run as rate limited',
    faults: { rateLimit: { ...MIDDLE, times: 99 } },
    status: 'failed',
    category: 'rate_limited',
    code: 'rate_limited',
    message:
      'The Wonde server asked us to slow down (429), after 2 attempts. The sync will try again ' +
      'at its next run. If this keeps happening, sync fewer schools at the same time.',
  },
  {
    title: 'a 429 with a short Retry-After is waited out and the run lands everything',
    faults: { rateLimit: { ...MIDDLE, times: 1, retryAfterSeconds: 1 } },
    config: { http: { ...HTTP, maxDelayMs: 2000 } },
    status: 'succeeded',
  },
  {
    title: 'a 429 asking for a longer wait than allowed fails the run at once',
    faults: { rateLimit: { ...MIDDLE, times: 99, retryAfterSeconds: 30 } },
    status: 'failed',
    category: 'rate_limited',
    code: 'rate_limited',
    message:
      'The Wonde server asked us to slow down (429). The sync will try again at its next run. ' +
      'If this keeps happening, sync fewer schools at the same time.',
  },
  {
    title: 'answers slower than the timeout fail the run as transient',
    faults: { slow: { ...MIDDLE, delayMs: 3000 } },
    config: { http: { ...HTTP, headersMs: 500 } },
    status: 'failed',
    category: 'transient',
    code: 'timeout',
    message:
      'The Wonde server took too long to answer, after 2 attempts. The sync will try again at ' +
      'its next run.',
  },
  {
    title: 'answers slow but within the timeout land everything',
    faults: { slow: { ...MIDDLE, delayMs: 150 } },
    status: 'succeeded',
  },
  {
    title: 'an answer that never comes fails the run at its deadline',
    faults: { hang: MIDDLE },
    config: { http: { ...HTTP, headersMs: 10_000, deadlineMs: 1000 } },
    status: 'failed',
    category: 'transient',
    code: 'deadline_exceeded',
    message:
      'Wonde did not give a complete answer in the time allowed. The sync will try again at its ' +
      'next run.',
  },
  {
    title: 'a body cut off every time fails the run as bad data',
    faults: { truncate: MIDDLE },
    status: 'failed',
    category: 'bad_data',
    code: 'truncated_body',
    message:
      'The answer from Wonde was cut off part-way, after 2 attempts. The sync will try again at ' +
      'its next run.',
  },
  {
    title: 'a body cut off once is read again and the run lands everything',
    faults: { truncate: { ...MIDDLE, times: 1 } },
    status: 'succeeded',
  },
  {
    title: 'a next link pointing back at its own page fails the run as a paging loop',
    faults: { loop: MIDDLE },
    status: 'failed',
    category: 'bad_data',
    code: 'pagination_loop',
    message:
      'Wonde kept sending the same page of results (page 3 of results links back to a page ' +
      'already read). Report this to the Next Steps team.',
  },
  {
    title: 'a token that expires part-way fails the run as auth',
    midway: { nth: 3, faults: { token: 'expired' } },
    status: 'failed',
    category: 'auth',
    code: 'http_unauthorized',
    message: TOKEN_REFUSED,
  },
  {
    title: 'a token revoked part-way fails the run as auth',
    midway: { nth: 3, faults: { token: 'revoked' } },
    status: 'failed',
    category: 'auth',
    code: 'http_unauthorized',
    message: TOKEN_REFUSED,
  },
  {
    title: 'the assessment permission withdrawn part-way fails the run as auth, naming it',
    midway: { nth: 3, faults: { missingScopes: ['assessment'] } },
    status: 'failed',
    category: 'auth',
    code: 'http_forbidden',
    message:
      'Wonde is not sharing aspects, result sets and results with Next Steps Sync: the school ' +
      'has not approved the "assessment" permission. Ask the school to approve it for the Next ' +
      'Steps Sync app in the Wonde portal, then run the sync again. (403)',
  },
  {
    title: 'answers from another region part-way warn of the drop and withdraw nothing',
    midway: { nth: 3, faults: { wrongRegion: true } },
    status: 'succeeded_with_warnings',
    message:
      'This full pull brought 40 results where the last 5 brought about ' +
      `${marked}. Check that the school's system still shares assessment data with the trust ` +
      '(a permission or an assessment may have been removed). Results it did not bring keep ' +
      'their points.',
  },
];

let database: FaultDatabase;
let fake: WondeFake;
let source: RunSource;

beforeAll(async () => {
  database = await faultDatabase();
  await seedTrust(database.db);
  const oakfield = await createSchool(database.db, { urn: '140512', laestab: '3302512' });
  fake = await startWondeFake({ schools: [{ school }] });
  const engine = testEngine(database);
  source = await createSource(database.db, engine.secretKey, ANALYST, {
    schoolId: oakfield.id,
    kind: 'wonde',
    name: 'Wonde',
    config: settings(),
    secrets: { token: fake.token },
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

function settings(overrides: Record<string, unknown> = {}) {
  return {
    baseUrl: fake.url,
    schoolId: fake.store().id,
    pageSize: PAGE,
    pageDelayMs: 0,
    http: HTTP,
    ...overrides,
  };
}

async function arm(fault: FaultCase<WondeFaults>) {
  const save = (config: Record<string, unknown>) =>
    database.db.update(sources).set({ config }).where(eq(sources.id, source.id));
  await save(settings(fault.config));
  fake.setFaults(fault.faults ?? {});
  const midway = fault.midway;
  const stopWatching = midway
    ? onRequest(
        fake.requests,
        (url) => url.includes('/assessment/results'),
        midway.nth,
        () => fake.setFaults(midway.faults),
      )
    : () => {};
  return async () => {
    stopWatching();
    fake.setFaults({});
    await save(settings());
  };
}

describe('a Wonde full pull that meets a fault part-way', () => {
  it.each(CASES)('$title', async (fault) => {
    await throughFault(
      {
        engine: testEngine(database),
        source,
        pupils: PUPILS,
        results: marked,
        pupilPages: PUPILS / PAGE,
        change: () => fake.changeResults(6).length,
        arm: (armed) => arm(armed as FaultCase<WondeFaults>),
      },
      fault,
    );
  });
});
