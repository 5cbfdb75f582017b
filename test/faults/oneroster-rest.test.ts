import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sources } from '../../src/db/schema.ts';
import {
  ALL_SCOPES,
  type OneRosterFaults,
  type OneRosterRestFake,
  startOneRosterRestFake,
} from '../../src/fakes/oneroster-rest/index.ts';
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
 * Every way the OneRoster fake can misbehave, in the middle of a full pull of a small primary:
 * 40 pupils and their results in pages of 40, so a fault on the third page of results comes
 * after every pupil and some results are staged.
 */

const PUPILS = 40;
const PAGE = 40;
const school = generateSchool({
  seed: 7340,
  name: 'Oakfield Primary Academy',
  urn: '140734',
  la: 801,
  establishment: 2734,
  pupils: PUPILS,
  style: 'primary',
  terms: lastTerms(2026, 3),
  currentStartYear: 2026,
});
const marked = school.results.filter((result) => typeof result.value === 'string').length;

const HTTP = {
  retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 50 },
  timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000 },
  deadlineMs: 4000,
};
const MIDDLE = { endpoint: 'results', page: 3 } as const;

const SAME_PAGE =
  'OneRoster kept sending the same page of results (it gave a next page that points back at ' +
  'this one, reading the results at offset 80). Report this to the Next Steps team.';

const CASES: FaultCase<OneRosterFaults>[] = [
  {
    title: 'a 503 that lasts fails the run as transient',
    faults: { status: { ...MIDDLE, status: 503 } },
    status: 'failed',
    category: 'transient',
    code: 'server_error',
    message:
      'The OneRoster server had a problem of its own (503), after 2 attempts. The sync will try ' +
      'again at its next run. If this lasts more than a day, contact OneRoster support. The ' +
      'server said: "Fault 503; internal_server_error".',
  },
  {
    title: 'a single 503 is retried and the run lands everything',
    faults: { status: { ...MIDDLE, status: 503, times: 1 } },
    status: 'succeeded',
  },
  {
    title: '429s without Retry-After that last fail the run as rate limited',
    faults: { status: { ...MIDDLE, status: 429 } },
    status: 'failed',
    category: 'rate_limited',
    code: 'rate_limited',
    message:
      'The OneRoster server asked us to slow down (429), after 2 attempts. The sync will try ' +
      'again at its next run. If this keeps happening, sync fewer schools at the same time. ' +
      'The server said: "Fault 429; server_busy".',
  },
  {
    title: 'a 429 with a short Retry-After is waited out and the run lands everything',
    faults: { status: { ...MIDDLE, status: 429, retryAfter: '1', times: 1 } },
    config: { http: { ...HTTP, retry: { ...HTTP.retry, maxDelayMs: 2000 } } },
    status: 'succeeded',
  },
  {
    title: 'a 429 asking for a longer wait than allowed fails the run at once',
    faults: { status: { ...MIDDLE, status: 429, retryAfter: '120' } },
    status: 'failed',
    category: 'rate_limited',
    code: 'rate_limited',
    message:
      'The OneRoster server asked us to slow down (429). The sync will try again at its next ' +
      'run. If this keeps happening, sync fewer schools at the same time. The server said: ' +
      '"Fault 429; server_busy".',
  },
  {
    title: 'a 500 quoting the request fails the run without repeating the secret',
    faults: { status: { ...MIDDLE, status: 500, echo: true } },
    status: 'failed',
    category: 'transient',
    code: 'server_error',
    message:
      'The OneRoster server had a problem of its own (500), after 2 attempts. The sync will try ' +
      'again at its next run. If this lasts more than a day, contact OneRoster support.',
  },
  {
    title: 'answers slower than the timeout fail the run as transient',
    faults: { slow: { ...MIDDLE, delayMs: 3000 } },
    config: { http: { ...HTTP, timeouts: { ...HTTP.timeouts, headersMs: 500 } } },
    status: 'failed',
    category: 'transient',
    code: 'timeout',
    message:
      'The OneRoster server took too long to answer, after 2 attempts. The sync will try again ' +
      'at its next run.',
  },
  {
    title: 'answers slow but within the timeout land everything',
    faults: { slow: { ...MIDDLE, delayMs: 150 } },
    status: 'succeeded',
  },
  {
    title: 'an answer that stops part-way fails the run at its deadline',
    faults: { stall: MIDDLE },
    config: { http: { ...HTTP, timeouts: { ...HTTP.timeouts, bodyMs: 10_000 }, deadlineMs: 1000 } },
    status: 'failed',
    category: 'transient',
    code: 'deadline_exceeded',
    message:
      'OneRoster did not give a complete answer in the time allowed. The sync will try again at ' +
      'its next run.',
  },
  {
    title: 'a body cut off every time fails the run as bad data',
    faults: { truncate: MIDDLE },
    status: 'failed',
    category: 'bad_data',
    code: 'truncated_body',
    message:
      'The answer from OneRoster was cut off part-way, after 2 attempts. The sync will try again ' +
      'at its next run.',
  },
  {
    title: 'a body cut off once is read again and the run lands everything',
    faults: { truncate: { ...MIDDLE, times: 1 } },
    status: 'succeeded',
  },
  {
    title: 'a next link pointing back at its own page fails the run as a paging loop',
    faults: { selfLink: MIDDLE },
    status: 'failed',
    category: 'bad_data',
    code: 'pagination_loop',
    message: SAME_PAGE,
  },
  {
    title: 'an offset ignored part-way fails the run as a paging loop',
    faults: { ignoreOffset: MIDDLE },
    status: 'failed',
    category: 'bad_data',
    code: 'pagination_loop',
    message: SAME_PAGE,
  },
  {
    title: 'a busy status sent with a 200 part-way fails the run as rate limited',
    faults: { failureInOk: { ...MIDDLE, codeMinor: 'server_busy' } },
    status: 'failed',
    category: 'rate_limited',
    code: 'rate_limited',
    message:
      'The OneRoster server asked us to slow down (200). The sync will try again at its next ' +
      'run. If this keeps happening, sync fewer schools at the same time. The server said: ' +
      '"The request failed; server_busy".',
  },
  {
    title: 'the gradebook scope withdrawn part-way fails the run as auth, naming it',
    midway: { nth: 3, faults: {} },
    status: 'failed',
    category: 'auth',
    code: 'http_forbidden',
    message:
      'OneRoster would not let the Next Steps Sync app read the results (403). The app needs ' +
      "the scope gradebook-core.readonly (or gradebook.readonly): ask the school's OneRoster " +
      'administrator to grant it, then run the sync again. The server said: "This request ' +
      'needs the scope https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook-core.readonly ' +
      'or https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly".',
  },
  {
    title: 'tokens that expire part-way are renewed and the run lands everything',
    midway: { nth: 3, faults: {} },
    status: 'succeeded',
  },
  {
    title: 'access revoked part-way fails the run as auth',
    midway: { nth: 3, faults: {} },
    status: 'failed',
    category: 'auth',
    code: 'http_unauthorized',
    message:
      'OneRoster did not accept the client id and secret (401). They may be mistyped, or the ' +
      "app's access may have been revoked: ask the school's OneRoster administrator for the " +
      'client id and secret of the Next Steps Sync app, and enter them in the source settings. ' +
      'The server said: "invalid_client: Client authentication failed.".',
  },
];

/** What happens at the fake besides its faults, for the cases that change access part-way. */
const ACCESS: Record<string, (fake: OneRosterRestFake) => void> = {
  'the gradebook scope withdrawn part-way fails the run as auth, naming it': (fake) => {
    fake.setScopes(['roster-core.readonly', 'roster.readonly', 'roster-demographics.readonly']);
    fake.expireTokens();
  },
  'tokens that expire part-way are renewed and the run lands everything': (fake) =>
    fake.expireTokens(),
  'access revoked part-way fails the run as auth': (fake) => fake.revokeAccess(),
};

let database: FaultDatabase;
let fake: OneRosterRestFake;
let source: RunSource;

beforeAll(async () => {
  database = await faultDatabase();
  await seedTrust(database.db);
  const oakfield = await createSchool(database.db, { urn: '140734', laestab: '8012734' });
  fake = await startOneRosterRestFake({ schools: [school] });
  const engine = testEngine(database);
  source = await createSource(database.db, engine.secretKey, ANALYST, {
    schoolId: oakfield.id,
    kind: 'oneroster_rest',
    name: 'OneRoster',
    config: settings(),
    secrets: { clientSecret: fake.clientSecret },
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
    tokenUrl: fake.tokenUrl,
    clientId: fake.clientId,
    schoolSourcedId: fake.schoolId(),
    pageSize: PAGE,
    http: HTTP,
    ...overrides,
  };
}

async function arm(fault: FaultCase<OneRosterFaults>) {
  const save = (config: Record<string, unknown>) =>
    database.db.update(sources).set({ config }).where(eq(sources.id, source.id));
  await save(settings(fault.config));
  fake.setFaults(fault.faults ?? {});
  const midway = fault.midway;
  const stopWatching = midway
    ? onRequest(
        fake.requests,
        (url) => url.includes('/results'),
        midway.nth,
        () => {
          fake.setFaults(midway.faults);
          ACCESS[fault.title]?.(fake);
        },
      )
    : () => {};
  return async () => {
    stopWatching();
    fake.setFaults({});
    fake.restoreAccess();
    fake.setScopes(ALL_SCOPES);
    await save(settings());
  };
}

describe('a OneRoster full pull that meets a fault part-way', () => {
  it.each(CASES)('$title', async (fault) => {
    await throughFault(
      {
        engine: testEngine(database),
        source,
        pupils: PUPILS,
        results: marked,
        pupilPages: PUPILS / PAGE,
        change: () => fake.changeResults(6).length,
        arm: (armed) => arm(armed as FaultCase<OneRosterFaults>),
      },
      fault,
    );
  });
});
