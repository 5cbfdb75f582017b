import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sources } from '../../src/db/schema.ts';
import {
  type ArborFake,
  type ArborFaults,
  FAKE_PASSWORD,
  FAKE_USERNAME,
  startArborFake,
} from '../../src/fakes/arbor/index.ts';
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
 * Every way the Arbor fake can misbehave, in the middle of a full pull of a small primary: 40
 * pupils in pages of 25, their marks asked for 20 pupils at a time in pages of 25, so a fault
 * on the second page of marks comes after every pupil and some marks are staged.
 */

const PUPILS = 40;
const PAGE = 25;
const MARKS = 'student-progress-assessment-marks';
const school = generateSchool({
  seed: 6230,
  name: 'Oakfield Primary Academy',
  urn: '140623',
  la: 207,
  establishment: 2623,
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
  deadlineMs: 4000,
  connectMs: 1000,
  headersMs: 1000,
  bodyMs: 1000,
};
const MIDDLE = { resource: MARKS, page: 2 };

function refusedMarks(arborSays: string) {
  return (
    'Arbor at {host} says the Next Steps Sync application may not read assessment marks ' +
    `(StudentProgressAssessmentMark) (403); Arbor says: "${arborSays}". Ask the school to ` +
    'switch the application on in Arbor and let it read assessment marks ' +
    '(StudentProgressAssessmentMark), then run the sync again.'
  );
}

// The cases run in order: by the warned ones the source has five clean full pulls behind it.
const CASES: FaultCase<ArborFaults>[] = [
  {
    title: 'a 503 that lasts fails the run as transient',
    faults: { serverError: { ...MIDDLE, status: 503 } },
    status: 'failed',
    category: 'transient',
    code: 'server_error',
    message:
      'The Arbor server had a problem of its own (503), after 2 attempts. The sync will try ' +
      'again at its next run. If this lasts more than a day, contact Arbor support.',
  },
  {
    title: 'a single 503 is retried and the run lands everything',
    faults: { serverError: { ...MIDDLE, status: 503, times: 1 } },
    status: 'succeeded',
  },
  {
    title: '429s without Retry-After that last fail the run as rate limited',
    faults: { rateLimit: MIDDLE },
    status: 'failed',
    category: 'rate_limited',
    code: 'rate_limited',
    message:
      'The Arbor server asked us to slow down (429), after 2 attempts. The sync will try again ' +
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
    faults: { rateLimit: { ...MIDDLE, retryAfterSeconds: 120 } },
    status: 'failed',
    category: 'rate_limited',
    code: 'rate_limited',
    message:
      'The Arbor server asked us to slow down (429). The sync will try again at its next run. ' +
      'If this keeps happening, sync fewer schools at the same time.',
  },
  {
    title: 'answers turning slower than the timeout part-way fail the run as transient',
    midway: { nth: 2, faults: { slowMs: 3000 } },
    config: { http: { ...HTTP, headersMs: 500 } },
    status: 'failed',
    category: 'transient',
    code: 'timeout',
    message:
      'The Arbor server took too long to answer, after 2 attempts. The sync will try again at ' +
      'its next run.',
  },
  {
    title: 'answers turning slow but within the timeout part-way land everything',
    midway: { nth: 2, faults: { slowMs: 100 } },
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
      'Arbor did not give a complete answer in the time allowed. The sync will try again at its ' +
      'next run.',
  },
  {
    title: 'a body cut off every time fails the run as bad data',
    faults: { truncate: MIDDLE },
    status: 'failed',
    category: 'bad_data',
    code: 'truncated_body',
    message:
      'The answer from Arbor was cut off part-way, after 2 attempts. The sync will try again at ' +
      'its next run.',
  },
  {
    title: 'a body cut off once is read again and the run lands everything',
    faults: { truncate: { ...MIDDLE, times: 1 } },
    status: 'succeeded',
  },
  {
    title: 'a page number ignored part-way fails the run as a paging loop',
    faults: { ignorePageNumber: MIDDLE },
    status: 'failed',
    category: 'bad_data',
    code: 'pagination_loop',
    message:
      'Arbor at {host} sent the same page of assessment marks (StudentProgressAssessmentMark) ' +
      'twice (page 2 repeats page 1). Check the page number settings of the source (parameter ' +
      'name and first page); if they are the defaults, report this to the Next Steps team.',
  },
  {
    title: 'a password rotated part-way fails the run as auth',
    midway: { nth: 2, faults: { credentials: 'rotated' } },
    status: 'failed',
    category: 'auth',
    code: 'http_unauthorized',
    message:
      'Arbor at {host} refused the API username and password (401). Check them against the ' +
      'Next Steps Sync application in the Arbor Developers Portal; if its password was ' +
      'regenerated there, paste the new one.',
  },
  {
    title: 'the application switched off part-way fails the run as auth',
    midway: { nth: 2, faults: { credentials: 'revoked' } },
    status: 'failed',
    category: 'auth',
    code: 'http_forbidden',
    message: refusedMarks('This application is not enabled for this school'),
  },
  {
    title: 'the marks permission withdrawn part-way fails the run as auth, naming it',
    midway: { nth: 2, faults: { forbidden: [MARKS] } },
    status: 'failed',
    category: 'auth',
    code: 'http_forbidden',
    message: refusedMarks('You do not have permission to read StudentProgressAssessmentMark'),
  },
  {
    title: 'marks listed as bare references part-way warn of the drop and withdraw nothing',
    midway: { nth: 2, faults: { stripped: [MARKS] } },
    status: 'succeeded_with_warnings',
    message:
      'This full pull brought 25 results where the last 5 brought about ' +
      `${marked}. Check that the school's system still shares assessment data with the trust ` +
      '(a permission or an assessment may have been removed). Results it did not bring keep ' +
      'their points.',
  },
  {
    title: 'the host answering for no school part-way fails the run as config',
    midway: { nth: 2, faults: { wrongSchool: true } },
    status: 'failed',
    category: 'config',
    code: 'http_not_found',
    message:
      'Arbor at {host} has no assessment marks (StudentProgressAssessmentMark) resource (404). ' +
      'If this school\'s Arbor names it differently, correct it under "resources" in the ' +
      'source settings.',
  },
];

let database: FaultDatabase;
let fake: ArborFake;
let source: RunSource;

beforeAll(async () => {
  database = await faultDatabase();
  await seedTrust(database.db);
  const oakfield = await createSchool(database.db, { urn: '140623', laestab: '2072623' });
  fake = await startArborFake({ school });
  const engine = testEngine(database);
  source = await createSource(database.db, engine.secretKey, ANALYST, {
    schoolId: oakfield.id,
    kind: 'arbor',
    name: 'Arbor MIS',
    config: settings(),
    secrets: { password: FAKE_PASSWORD },
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
    host: fake.url,
    username: FAKE_USERNAME,
    pageSize: PAGE,
    join: { chunkSize: 20 },
    http: HTTP,
    ...overrides,
  };
}

async function arm(fault: FaultCase<ArborFaults>) {
  const save = (config: Record<string, unknown>) =>
    database.db.update(sources).set({ config }).where(eq(sources.id, source.id));
  await save(settings(fault.config));
  fake.setFaults(fault.faults ?? {});
  const midway = fault.midway;
  const stopWatching = midway
    ? onRequest(
        fake.requests,
        (url) => url.startsWith(`/rest-v2/${MARKS}?`),
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

describe('an Arbor full pull that meets a fault part-way', () => {
  it.each(CASES)('$title', async (fault) => {
    await throughFault(
      {
        engine: testEngine(database),
        source,
        pupils: PUPILS,
        results: marked,
        pupilPages: Math.ceil(PUPILS / PAGE),
        change: () => fake.changeResults(6).length,
        arm: (armed) => arm(armed as FaultCase<ArborFaults>),
      },
      { ...fault, message: fault.message?.replace('{host}', new URL(fake.url).host) },
    );
  });
});
