import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/rows.ts';
import { sources, subjectMappings } from '../../src/db/schema.ts';
import { sourceSecrets } from '../../src/sync/sources.ts';
import { confirmLibrary } from '../bad-input/helpers.ts';
import { agreeMappingsOfSubjects } from '../faults/harness.ts';
import { type TestUser, testApp, userWith } from '../support/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { drain, testEngine } from '../support/engine.ts';
import {
  collectionId,
  createPupil,
  createSchool,
  createSource,
  seedTrust,
  subjectId,
} from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';

const RETURN = [
  'UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading,Writing,Maths',
  `${makeUpn(801, 2345, 19, 1)},Okafor,Amara,14/03/2020,Y2,27/11/2026,EXS,WTS,EXS`,
  `${makeUpn(801, 2345, 19, 2)},Nowak,Tomasz,02/09/2019,Y2,27/11/2026,GDS,EXS,Secure+`,
].join('\r\n');

const meadowLane = {
  name: 'Meadow Lane Primary',
  urn: '150123',
  laestab: '8010123',
  phase: 'primary',
  setting: 'mainstream',
  joinedTrustOn: '2026-11-02',
};

let database: TestDatabase;
let app: FastifyInstance;
let oakfield: { id: string };
let riverside: { id: string };
let oakfieldSource: { id: string };
let riversideSource: { id: string };
let riversidePupil: { id: string };
let admin: TestUser;
let dataLead: TestUser;
let mathsLead: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  oakfield = await createSchool(database.db);
  riverside = await createSchool(database.db, {
    name: 'Riverside Academy',
    urn: '141002',
    laestab: '8014002',
    phase: 'secondary',
  });
  oakfieldSource = await createSource(database.db, oakfield.id);
  riversideSource = await createSource(database.db, riverside.id);
  riversidePupil = await createPupil(database.db, riverside.id, {
    upn: makeUpn(801, 4002, 15, 1),
    firstName: 'Zofia',
    lastName: 'Kowalski',
  });
  const maths = await subjectId(database.db, 'mathematics');
  admin = await userWith(database, 'Sam Carter', [
    { role: 'trust_admin', schoolId: null, subjectId: null },
  ]);
  dataLead = await userWith(database, 'Jo Whitfield', [
    { role: 'school_data_lead', schoolId: oakfield.id, subjectId: null },
  ]);
  mathsLead = await userWith(database, 'Dev Raman', [
    { role: 'subject_leader', schoolId: oakfield.id, subjectId: maths },
  ]);
  viewer = await userWith(database, 'Helen Price', [
    { role: 'viewer', schoolId: null, subjectId: null },
  ]);
  app = await testApp(database);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('the JSON API', () => {
  it('refuses every registered route without a session or token', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const closed = app.registeredRoutes.filter((r) => !r.public);
    expect(closed.length).toBeGreaterThan(25);
    for (const { method, url } of closed) {
      const path = url.replace(/:(\w+)/g, (_, name: string) => (name.endsWith('Id') ? id : '1'));
      const response = await app.inject({ method: method as 'GET', url: path });
      const status = path.startsWith('/api/') ? 401 : 302;
      expect({ method, path, status: response.statusCode }).toEqual({ method, path, status });
    }
    expect(app.registeredRoutes.filter((r) => r.public).map((r) => `${r.method} ${r.url}`)).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'GET /assets/console.css',
        'GET /assets/htmx.min.js',
        'GET /sign-in',
        'POST /sign-in',
      ],
    );
  });

  it("refuses a school data lead every route that names another school's records", async () => {
    const ids = {
      schoolId: riverside.id,
      sourceId: riversideSource.id,
      pupilId: riversidePupil.id,
    };
    const attempts: [string, string][] = [
      ['GET', `/api/v1/schools/${ids.schoolId}`],
      ['GET', `/api/v1/schools/${ids.schoolId}/sources`],
      ['GET', `/api/v1/schools/${ids.schoolId}/aspects`],
      ['GET', `/api/v1/schools/${ids.schoolId}/unmapped-values`],
      ['GET', `/api/v1/schools/${ids.schoolId}/missing-pupils?collectionId=1&subjectId=1`],
      ['GET', `/api/v1/sources/${ids.sourceId}`],
      ['POST', `/api/v1/sources/${ids.sourceId}/check`],
      ['POST', `/api/v1/sources/${ids.sourceId}/pause`],
      ['GET', `/api/v1/assessments?schoolId=${ids.schoolId}`],
      ['GET', `/api/v1/grade-rules?schoolId=${ids.schoolId}`],
    ];
    for (const [method, url] of attempts) {
      const response = await app.inject({ method: method as 'GET', url, headers: dataLead.auth });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 403 });
    }
  });

  it("lists only the data lead's own school", async () => {
    const response = await app.inject({ url: '/api/v1/schools', headers: dataLead.auth });
    expect(response.json().schools.map((s: { name: string }) => s.name)).toEqual([
      'Oakfield Primary Academy',
    ]);
    const all = await app.inject({ url: '/api/v1/schools', headers: viewer.auth });
    expect(all.json().schools).toHaveLength(2);
  });

  it('takes an upload, runs it, and shows the run with its counts and log', async () => {
    const form = new FormData();
    form.append('file', new Blob([RETURN], { type: 'text/csv' }), 'oakfield-autumn.csv');
    const queued = await app.inject({
      method: 'POST',
      url: `/api/v1/sources/${oakfieldSource.id}/uploads`,
      headers: dataLead.auth,
      payload: form,
    });
    expect(queued.statusCode).toBe(202);
    await drain(testEngine(database));

    const runId = queued.json().run.id;
    const run = await app.inject({ url: `/api/v1/runs/${runId}`, headers: dataLead.auth });
    expect(run.json().run).toMatchObject({ status: 'succeeded', pupilsSeen: 2, resultsSeen: 6 });
    expect(run.json().run).not.toHaveProperty('leaseOwner');
    const log = await app.inject({ url: `/api/v1/runs/${runId}/log`, headers: dataLead.auth });
    expect(log.json().events.map((e: { code: string }) => e.code)).toEqual(['started', 'landed']);
  });

  it('lets the maths leader decide the maths mapping but not the reading one', async () => {
    const aspects = await app.inject({
      url: `/api/v1/schools/${oakfield.id}/aspects`,
      headers: mathsLead.auth,
    });
    const byName = new Map(
      aspects
        .json()
        .aspects.map((a: { name: string; mappings: { id: number }[] }) => [a.name, a.mappings[0]]),
    );
    const decide = (mapping: { id: number }, who: TestUser) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/subject-mappings/${mapping.id}/decision`,
        headers: who.auth,
        payload: { decision: 'confirm', reason: 'Maths column of the trust template' },
      });
    expect((await decide(byName.get('Maths') as { id: number }, mathsLead)).statusCode).toBe(200);
    const refused = await decide(byName.get('Reading') as { id: number }, mathsLead);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/subject leader for this school and subject/);

    const [confirmed] = await database.db
      .select()
      .from(subjectMappings)
      .where(eq(subjectMappings.status, 'confirmed'));
    expect(confirmed?.decidedBy).toBe(mathsLead.id);
  });

  it('edits a source, never sending its secret back and keeping it when not given', async () => {
    const created = await app.inject({
      method: 'POST',
      url: `/api/v1/schools/${oakfield.id}/sources`,
      headers: dataLead.auth,
      payload: {
        kind: 'wonde',
        name: 'Wonde',
        config: { schoolId: 'A1930499544' },
        secrets: { token: 'wonde-live-4f9a8c1e2d3b' },
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toContain('wonde-live');
    const id = created.json().source.id;
    const edited = await app.inject({
      method: 'PUT',
      url: `/api/v1/sources/${id}`,
      headers: dataLead.auth,
      payload: { name: 'Wonde (Oakfield)', config: { schoolId: 'A1930499544' } },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().source).toMatchObject({ name: 'Wonde (Oakfield)', hasSecrets: true });
    expect(edited.body).not.toContain('wonde-live');
    const [stored] = await database.db.select().from(sources).where(eq(sources.id, id));
    expect(sourceSecrets(Buffer.alloc(32, 9), stored!)).toEqual({
      token: 'wonde-live-4f9a8c1e2d3b',
    });
  });

  it('lets a trust admin add a newly converted school, with its baseline collection', async () => {
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/schools',
      headers: dataLead.auth,
      payload: meadowLane,
    });
    expect(refused.statusCode).toBe(403);
    const added = await app.inject({
      method: 'POST',
      url: '/api/v1/schools',
      headers: admin.auth,
      payload: meadowLane,
    });
    expect(added.statusCode).toBe(201);
    expect(added.json().baseline).toMatchObject({
      kind: 'baseline',
      label: 'Baseline (Autumn 2026/27)',
    });
  });

  it('answers bad input with the field at fault', async () => {
    const response = await app.inject({
      url: `/api/v1/schools/${oakfield.id}/missing-pupils?collectionId=autumn&subjectId=1`,
      headers: admin.auth,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({
      code: 'invalid_request',
      message: expect.stringMatching(/^query\.collectionId: /),
    });
  });

  it('reports missing pupils with the reason for each', async () => {
    const collection = await collectionId(database.db, 'Autumn 2026/27');
    const maths = await subjectId(database.db, 'mathematics');
    const response = await app.inject({
      url: `/api/v1/schools/${oakfield.id}/missing-pupils`,
      query: { collectionId: String(collection), subjectId: String(maths) },
      headers: mathsLead.auth,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    const unmapped = 'A result has arrived, but no confirmed rule maps its value to a point.';
    expect(response.json()).toEqual({
      missing: [
        {
          pupil_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          upn: makeUpn(801, 2345, 19, 2),
          first_name: 'Tomasz',
          last_name: 'Nowak',
          nc_year: 'Y2',
          reason: 'value_unmapped',
          detail: expect.any(String),
          explanation: unmapped,
        },
        expect.objectContaining({
          last_name: 'Okafor',
          reason: 'value_unmapped',
          explanation: unmapped,
        }),
      ],
      excluded: [],
    });
    // The first asking worked the list out; asked again, it is read as kept, and reads the same.
    const again = await app.inject({
      url: `/api/v1/schools/${oakfield.id}/missing-pupils`,
      query: { collectionId: String(collection), subjectId: String(maths) },
      headers: mathsLead.auth,
    });
    expect(again.json()).toEqual(response.json());
  });

  it('answers an unknown path in the one error shape', async () => {
    const response = await app.inject({ url: '/api/v1/nowhere', headers: viewer.auth });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'not_found', message: 'There is nothing at /api/v1/nowhere.' },
    });
  });

  it('describes itself in an OpenAPI document', async () => {
    const response = await app.inject({ url: '/api/v1/openapi.json', headers: viewer.auth });
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/api/v1/sources/{sourceId}/runs');
    expect(document.paths['/api/v1/grade-rules'].post.requestBody).toBeDefined();
  });
});

describe('landed points through the API', () => {
  it("pages through them with their provenance, within the reader's schools", async () => {
    await agreeMappingsOfSubjects(database.db, oakfield.id);
    await confirmLibrary(database);
    const page = async (query: string, who: TestUser = dataLead) => {
      const response = await app.inject({ url: `/api/v1/assessments?${query}`, headers: who.auth });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('application/json');
      return response.json() as { assessments: Record<string, unknown>[]; next: number | null };
    };
    const first = await page('limit=2');
    expect(first.assessments).toHaveLength(2);
    expect(first.next).toBe(first.assessments[1]!.id);
    const second = await page(`limit=2&after=${first.next}`);
    const third = await page(`limit=2&after=${second.next}`);
    expect(third).toMatchObject({ next: null });
    const all = [...first.assessments, ...second.assessments, ...third.assessments];
    expect(
      all.map((point) => `${point.upn} ${point.subject} ${point.rawValue} ${point.nxCode}`).sort(),
    ).toEqual(
      [
        `${makeUpn(801, 2345, 19, 1)} mathematics EXS NX7`,
        `${makeUpn(801, 2345, 19, 1)} reading EXS NX7`,
        `${makeUpn(801, 2345, 19, 1)} writing WTS NX6`,
        `${makeUpn(801, 2345, 19, 2)} reading GDS NX8`,
        `${makeUpn(801, 2345, 19, 2)} writing EXS NX7`,
      ].sort(),
    );
    const ids = all.map((point) => point.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(all.map((point) => point.id)).size).toBe(5);
    expect(all[0]).toEqual({
      id: expect.any(Number),
      pupilId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      upn: expect.any(String),
      schoolId: oakfield.id,
      collectionId: await collectionId(database.db, 'Autumn 2026/27'),
      subject: expect.any(String),
      nxPointId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      nxCode: expect.stringMatching(/^NX\d+$/),
      rawValue: expect.any(String),
      sourceId: oakfieldSource.id,
      runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      gradeRuleId: expect.any(Number),
      assessedOn: '2026-11-27',
      landedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const maths = await subjectId(database.db, 'mathematics');
    const onlyMaths = await page(`subjectId=${maths}&schoolId=${oakfield.id}`);
    expect(onlyMaths.assessments.map((point) => point.rawValue)).toEqual(['EXS']);
    expect(await page(`schoolId=${oakfield.id}&collectionId=999999`)).toEqual({
      assessments: [],
      next: null,
    });
    // The trust's people see every school's; a school's own staff, theirs only.
    expect((await page('limit=100', admin)).assessments).toHaveLength(5);
    const elsewhere = await app.inject({
      url: `/api/v1/assessments?schoolId=${riverside.id}`,
      headers: dataLead.auth,
    });
    expect([403, 404]).toContain(elsewhere.statusCode);
  });

  it('gives back what a school typed exactly: quotes, backslashes, line breaks', async () => {
    // A tracker's free-text grade, as some schools' exports carry them.
    const typed = 'Y4 "Secure+" \\ 2\nsee note – café';
    const [point] = await rows<{ id: string }>(
      database.db,
      sql`update assessments set raw_value = ${typed}
        where id = (select min(id) from assessments) returning id::text`,
    );
    const response = await app.inject({
      url: `/api/v1/assessments?limit=1&after=${Number(point!.id) - 1}`,
      headers: admin.auth,
    });
    const body = JSON.parse(response.body) as { assessments: { id: number; rawValue: string }[] };
    expect(body.assessments).toEqual([expect.objectContaining({ id: Number(point!.id) })]);
    expect(body.assessments[0]!.rawValue).toBe(typed);
  });
});
