import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordProblem } from '../../src/connectors/contract.ts';
import { syncRuns } from '../../src/db/schema.ts';
import { generateSchool, lastTerms } from '../../src/fakes/school.ts';
import { DEFAULT_SCHOOL_ID, startWondeFake, type WondeFake } from '../../src/fakes/wonde/index.ts';
import { requestRun } from '../../src/sync/runs.ts';
import { createSource } from '../../src/sync/sources.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST, drain, testEngine } from '../support/engine.ts';
import { createSchool, seedTrust } from '../support/fixtures.ts';
import {
  confirmLibrary,
  confirmSuggestedSubjects,
  fixture,
  outcomeOf,
  problem,
} from './helpers.ts';
import { type Answer, type BrokenSystem, DEEP, inFrontOf, rewriteJson } from './loopback.ts';

// Broken answers from a school's system: the Wonde fake serves Oakfield's real-looking roster,
// and a loopback server in front of it breaks one answer the way a failing system does.

const QUICK_HTTP = {
  attempts: 2,
  baseDelayMs: 5,
  maxDelayMs: 20,
  connectMs: 1000,
  headersMs: 1000,
  bodyMs: 1000,
  deadlineMs: 5000,
};

const OAKFIELD = generateSchool({
  seed: 2611,
  name: 'Oakfield Primary Academy',
  urn: '138245',
  la: 801,
  establishment: 2345,
  pupils: 8,
  style: 'primary',
  terms: lastTerms(2026, 1),
  currentStartYear: 2026,
});

const STUDENTS = `/v1.0/schools/${DEFAULT_SCHOOL_ID}/students`;

let database: TestDatabase;
let fake: WondeFake;
let broken: BrokenSystem;
let schools = 0;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  await confirmLibrary(database);
  fake = await startWondeFake({ schools: [{ school: OAKFIELD }] });
  broken = await inFrontOf(fake.url);
});
afterAll(async () => {
  await broken.close();
  await fake.close();
  await database.close();
});

/** A full sync of a fresh school's Wonde source, with `path`'s answer replaced by `breakage`. */
async function syncWith(path: string, breakage: (answer: Answer) => Answer) {
  broken.break((url, answer) => (url.startsWith(path) ? breakage(answer) : null));
  schools += 1;
  const school = await createSchool(database.db, {
    name: `Oakfield Primary Academy ${schools}`,
    urn: String(138_300 + schools),
    laestab: String(8_012_400 + schools),
  });
  const engine = testEngine(database);
  const source = await createSource(database.db, engine.secretKey, ANALYST, {
    schoolId: school.id,
    kind: 'wonde',
    name: 'Wonde',
    config: { baseUrl: broken.url, schoolId: DEFAULT_SCHOOL_ID, pageDelayMs: 0, http: QUICK_HTTP },
    secrets: { token: fake.token },
  });
  const { run } = await requestRun(database.db, {
    sourceId: source.id,
    schoolId: school.id,
    trigger: 'manual',
    mode: 'full',
    requestedBy: null,
  });
  await drain(engine);
  await confirmSuggestedSubjects(database, school.id);
  const [finished] = await database.db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
  return { run: finished!, outcome: await outcomeOf(database, run.id, school.id) };
}

const body = (text: string | Buffer, contentType = 'application/json'): Answer => ({
  status: 200,
  contentType,
  body: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'),
});

const studentsLabel = (query: string) => `GET ${STUDENTS}?${query}`;

const LIST = studentsLabel('include=education_details%2Cextended_details%2Cyear&per_page=200');
const onList = (field: string | null, code: string, message: string): RecordProblem =>
  problem(LIST, null, field, code, message);

interface ApiCase {
  name: string;
  breakage: (answer: Answer) => Answer;
  status: string;
  message: string | null;
  problems: RecordProblem[];
  pupils: number;
  staged: number;
  landed: number;
}

const CASES: ApiCase[] = [
  {
    name: 'an HTML maintenance page with status 200',
    breakage: () => body(fixture('wonde-html-200.body'), 'text/html; charset=utf-8'),
    status: 'failed',
    message:
      'The Wonde server answered with something that is not data (text/html; charset=utf-8). ' +
      'Check the server address: it may be a login or maintenance page.',
    problems: [],
    pupils: 0,
    staged: 0,
    landed: 0,
  },
  {
    name: 'JSON of the wrong shape (no "data" list)',
    breakage: () => body(fixture('wonde-wrong-shape.body')),
    status: 'failed',
    message:
      `Wonde sent data in a shape we do not recognise (${LIST} has no "data" list). ` +
      'Report this to the Next Steps team.',
    problems: [],
    pupils: 0,
    staged: 0,
    landed: 0,
  },
  {
    name: 'JSON nested 20,000 deep',
    breakage: () => body(fixture('wonde-deep.body')),
    status: 'succeeded_with_warnings',
    message: 'The source said the pull was incomplete.',
    problems: [
      onList(
        null,
        'wonde_student_unreadable',
        'A student in this list is not a record Wonde describes, so it was not read. If this ' +
          'comes back at the next sync, report it to the Next Steps team with the run id.',
      ),
    ],
    pupils: 0,
    staged: 0,
    landed: 0,
  },
  {
    name: 'an empty body with status 200',
    breakage: () => body(''),
    status: 'failed',
    message:
      'The Wonde server answered with something that is not data (an empty answer). ' +
      'Check the server address: it may be a login or maintenance page.',
    problems: [],
    pupils: 0,
    staged: 0,
    landed: 0,
  },
  {
    name: 'JSON cut off after 700 bytes, under a matching length',
    breakage: (answer) => ({ ...answer, body: answer.body.subarray(0, 700) }),
    status: 'failed',
    message:
      'The Wonde server answered with something that is not data (application/json). ' +
      'Check the server address: it may be a login or maintenance page.',
    problems: [],
    pupils: 0,
    staged: 0,
    landed: 0,
  },
  {
    name: 'missing fields, nulls and numbers where strings belong, one record nested 5,000 deep',
    breakage: (answer) =>
      rewriteJson(answer, (page) => {
        const students = page.data as Record<string, unknown>[];
        students[0]!.upi = null;
        students[1]!.forename = null;
        students[1]!.surname = { data: { value: 'Nowak' } };
        students[2]!.date_of_birth = { date: '2016-02-31 00:00:00.000000', timezone: 'UTC' };
        students[3]!.extended_details = DEEP;
        students[4]!.gender = 42;
        return page;
      }),
    status: 'succeeded',
    message: null,
    problems: [
      onList(
        'upi',
        'wonde_student_no_upi',
        'Student A2000000001 (MIS id 1) has no upi, so cannot be matched from one sync to the ' +
          'next. Ask Wonde support why this student has no upi.',
      ),
      onList(
        'date_of_birth',
        'wonde_student_field',
        'Student A2000000003 (MIS id 3): date_of_birth "2016-02-31 00:00:00.000000" is not a ' +
          'date; it was left blank.',
      ),
      onList(
        'gender',
        'wonde_student_field',
        'Student A2000000005 (MIS id 5): gender "42" is neither MALE nor FEMALE; sex was left ' +
          'blank.',
      ),
    ],
    pupils: 7,
    staged: 18,
    landed: 6,
  },
];

describe('a school system whose students list answers with something broken', () => {
  for (const expected of CASES) {
    it(`${expected.name}: ${expected.status}, ${expected.pupils} pupils staged`, async () => {
      const { outcome } = await syncWith(STUDENTS, expected.breakage);

      expect(outcome).toEqual({
        status: expected.status,
        failureCode: outcome.failureCode,
        message: expected.message,
        problems: expected.problems,
        pupils: expected.pupils,
        staged: expected.staged,
        landed: expected.landed,
      });
    });
  }

  it('stages the whole roster when nothing is broken, so the counts above are losses', async () => {
    const { outcome } = await syncWith(STUDENTS, (answer) => answer);

    expect(outcome).toMatchObject({ status: 'succeeded', problems: [], pupils: 8 });
  });
});
