import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSchool, lastTerms } from '../../src/fakes/school.ts';
import { startWondeFake, type WondeFake } from '../../src/fakes/wonde/index.ts';
import { createLogger } from '../../src/logging.ts';
import { buildApp } from '../../src/web/app.ts';
import { type TestUser, testContext, userWith } from '../support/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { drain, testEngine } from '../support/engine.ts';
import { createSchool, seedTrust } from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';
import { HEADER, type Session, signInAs } from './trust.ts';

/**
 * A night of failures with the process log captured at its most talkative: a Wonde pull that
 * fails part-way on a server error, another whose token the school has withdrawn, and a return
 * uploaded with rows the reader refuses. Neither a token nor a pupil's name may reach the log,
 * and no token reaches a page, an API answer or an error message.
 */

const TOKEN = 'wonde-live-9f3c7a1e5b2d468012aa7731';
const WITHDRAWN = 'wonde-live-0d6e2b9c4f1a7735ee90c1d2';

const wondeSchool = generateSchool({
  seed: 7,
  name: 'Oakfield Primary Academy',
  urn: '138245',
  la: 801,
  establishment: 2345,
  pupils: 30,
  style: 'primary',
  terms: lastTerms(2026, 2),
  currentStartYear: 2026,
});

const upn = (serial: number) => makeUpn(801, 2345, 18, serial);
const RETURN_PUPILS = [
  ['Okafor', 'Amara'],
  ['Nowak', 'Tomasz'],
  ['Kowalczyk', 'Zofia'],
  ['Fairbairn', 'Isla'],
];
const RETURN = [
  HEADER,
  `${upn(1)},Okafor,Amara,14/03/2019,Y2,F,N,N,Y,27/11/2026,EXS,WTS,EXS`,
  `${upn(2)},Nowak,Tomasz,31/02/2019,Y2,M,K,Y,Y,27/11/2026,GDS,EXS,EXS`,
  `H80123451800,Kowalczyk,Zofia,02/02/2019,Y2,F,N,N,Y,27/11/2026,EXS,EXS,EXS`,
  `${upn(4)},Fairbairn,Isla,05/05/2019,Y2,F,N,Maybe,N,31/11/2026,EXS,GDS,EXS`,
  '',
].join('\r\n');

let database: TestDatabase;
let app: FastifyInstance;
let fake: WondeFake;
let admin: TestUser;
let session: Session;
let schoolId: string;
const lines: string[] = [];
const runs: Record<'failedMidway' | 'withdrawn' | 'upload', string> = {
  failedMidway: '',
  withdrawn: '',
  upload: '',
};
const sources: Record<'live' | 'withdrawn' | 'upload', string> = {
  live: '',
  withdrawn: '',
  upload: '',
};

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  schoolId = (await createSchool(database.db)).id;
  admin = await userWith(database, 'Sam Carter', [
    { role: 'trust_admin', schoolId: null, subjectId: null },
  ]);
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('trace', stream);
  app = await buildApp({ ...testContext(database), logger }, { scheduler: false });
  const engine = testEngine(database, { logger });
  session = await signInAs(app, admin);
  fake = await startWondeFake({
    schools: [{ school: wondeSchool }],
    token: TOKEN,
    faults: { serverError: { endpoint: 'students', page: 2 } },
  });

  sources.live = await addSource('Wonde (Arbor MIS)', 'wonde', TOKEN);
  sources.withdrawn = await addSource('Wonde (SIMS)', 'wonde', WITHDRAWN);
  sources.upload = await addSource('Termly return', 'spreadsheet', null);
  runs.failedMidway = await startRun(sources.live);
  await drain(engine);
  runs.withdrawn = await startRun(sources.withdrawn);
  await drain(engine);
  await app.inject({
    method: 'POST',
    url: `/api/v1/sources/${sources.withdrawn}/check`,
    headers: admin.auth,
  });

  const form = new FormData();
  form.append('file', new Blob([RETURN], { type: 'text/csv' }), 'oakfield-autumn-2026.csv');
  const queued = await app.inject({
    method: 'POST',
    url: `/api/v1/sources/${sources.upload}/uploads`,
    headers: admin.auth,
    payload: form,
  });
  runs.upload = queued.json().run.id;
  await drain(engine);
  // The same file again through the console's form, as a browser sends it.
  const again = new FormData();
  again.append('file', new Blob([RETURN], { type: 'text/csv' }), 'oakfield-autumn-2026.csv');
  await app.inject({
    method: 'POST',
    url: `/sources/${sources.upload}/uploads`,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    payload: again,
  });
  await drain(engine);
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
  await database.close();
});

async function addSource(name: string, kind: string, token: string | null) {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/schools/${schoolId}/sources`,
    headers: admin.auth,
    payload: {
      kind,
      name,
      config:
        kind === 'wonde'
          ? {
              baseUrl: fake.url,
              schoolId: fake.store().id,
              pageSize: 10,
              pageDelayMs: 0,
              http: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20, deadlineMs: 5000 },
            }
          : {},
      secrets: token ? { token } : {},
    },
  });
  expect(response.statusCode).toBe(201);
  return response.json().source.id as string;
}

async function startRun(sourceId: string) {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/sources/${sourceId}/runs`,
    headers: admin.auth,
    payload: { mode: 'full' },
  });
  expect(response.statusCode).toBe(202);
  return response.json().run.id as string;
}

const SURNAMES = [
  ...new Set([...wondeSchool.pupils.map((p) => p.lastName), ...RETURN_PUPILS.map((p) => p[0]!)]),
];
const FORENAMES = [
  ...new Set([...wondeSchool.pupils.map((p) => p.firstName), ...RETURN_PUPILS.map((p) => p[1]!)]),
];
const word = (text: string) => new RegExp(`\\b${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);

describe('a night of failed syncs', () => {
  it('failed as the school systems and the file made them fail', async () => {
    const status = async (id: string) =>
      (await app.inject({ url: `/api/v1/runs/${id}`, headers: admin.auth })).json().run;
    expect(await status(runs.failedMidway)).toMatchObject({ status: 'failed' });
    expect((await status(runs.failedMidway)).pagesDone).toBeGreaterThan(0);
    expect(await status(runs.withdrawn)).toMatchObject({
      status: 'failed',
      failureCategory: 'auth',
    });
    expect((await status(runs.upload)).problems).toBeGreaterThan(0);
    const sent = fake.requests.map((request) => request.headers.authorization ?? '');
    expect(sent).toContain(`Bearer ${TOKEN}`);
    expect(sent).toContain(`Bearer ${WITHDRAWN}`);
  });

  it('left no token and no pupil name in the process log', () => {
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    for (const id of Object.values(runs)) expect(log).toContain(id);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(WITHDRAWN);
    expect(log).not.toContain(TOKEN.slice(11));
    // Nor the service's own credentials: the API token, the session cookie and its form token.
    expect(log).not.toContain(admin.token);
    expect(log).not.toContain(session.cookie.split('=')[1]);
    expect(log).not.toContain(session.csrf);
    expect(SURNAMES.filter((surname) => word(surname).test(log))).toEqual([]);
    expect(FORENAMES.filter((forename) => word(forename).test(log))).toEqual([]);
  });

  it("shows no token and no pupil name on a run's page or in its API answers", async () => {
    for (const id of Object.values(runs)) {
      const answers = [
        await app.inject({ url: `/runs/${id}`, headers: { cookie: session.cookie } }),
        await app.inject({ url: `/api/v1/runs/${id}`, headers: admin.auth }),
        await app.inject({ url: `/api/v1/runs/${id}/log`, headers: admin.auth }),
        await app.inject({ url: `/api/v1/runs/${id}/problems`, headers: admin.auth }),
      ];
      for (const answer of answers) {
        expect(answer.statusCode).toBe(200);
        expect(answer.body).not.toContain(TOKEN);
        expect(answer.body).not.toContain(WITHDRAWN);
        const named = SURNAMES.filter((surname) => word(surname).test(answer.body));
        expect({ url: answer.raw.req.url, named }).toEqual({ url: answer.raw.req.url, named: [] });
      }
    }
  });

  it("never sends a source's secret back, in a form, a page, an answer or a check", async () => {
    const answers = [
      await app.inject({
        url: `/sources/${sources.live}/edit`,
        headers: { cookie: session.cookie },
      }),
      await app.inject({ url: `/sources/${sources.live}`, headers: { cookie: session.cookie } }),
      await app.inject({ url: `/schools/${schoolId}`, headers: { cookie: session.cookie } }),
      await app.inject({ url: `/api/v1/sources/${sources.live}`, headers: admin.auth }),
      await app.inject({ url: `/api/v1/schools/${schoolId}/sources`, headers: admin.auth }),
      await app.inject({
        method: 'POST',
        url: `/api/v1/sources/${sources.withdrawn}/check`,
        headers: admin.auth,
      }),
      await app.inject({
        method: 'POST',
        url: `/sources/${sources.withdrawn}/check`,
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'hx-request': 'true' },
      }),
      await app.inject({
        method: 'PUT',
        url: `/api/v1/sources/${sources.live}`,
        headers: admin.auth,
        payload: { name: 'Wonde (Arbor MIS, nightly)', config: { schoolId: fake.store().id } },
      }),
    ];
    for (const answer of answers) {
      expect({ url: answer.raw.req.url, status: answer.statusCode }).toEqual({
        url: answer.raw.req.url,
        status: 200,
      });
      expect(answer.body).not.toContain(TOKEN);
      expect(answer.body).not.toContain(WITHDRAWN);
    }
    expect(answers[0]!.body).toContain('name="secrets.token"');
  });
});
