import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset, type Dataset, type ReportUsers, reportUsers } from '../reports/dataset.ts';
import { testApp } from '../support/app.ts';

/** Every report under /api/v1/reports, scoped as the console is. */

let dataset: Dataset;
let users: ReportUsers;
let app: FastifyInstance;

const SECTIONS = ['attainment', 'groups', 'over-time', 'movement', 'left-out', 'targets'];

beforeAll(async () => {
  dataset = await buildDataset();
  users = await reportUsers(dataset);
  app = await testApp(dataset.database);
});
afterAll(async () => {
  await app.close();
  await dataset.database.close();
});

function get(url: string, who: keyof ReportUsers) {
  return app.inject({ url: `/api/v1${url}`, headers: users[who].auth });
}

describe('the reports API', () => {
  it("answers every section of a school's report to its data lead", async () => {
    for (const section of SECTIONS) {
      const response = await get(`/reports/schools/${dataset.oakfield}/${section}`, 'oakfieldLead');
      expect({ section, status: response.statusCode }).toEqual({ section, status: 200 });
      expect(response.json()).toMatchObject({
        collection: { id: dataset.autumn26, label: 'Autumn 2026/27' },
        school: { id: dataset.oakfield, name: 'Oakfield Primary Academy' },
        suppressionThreshold: 5,
      });
    }
  });

  it("gives a data lead 403 for another school's report and for the trust's", async () => {
    for (const section of SECTIONS) {
      for (const url of [
        `/reports/schools/${dataset.brook}/${section}`,
        `/reports/trust/${section}`,
      ]) {
        const response = await get(url, 'oakfieldLead');
        expect({ url, status: response.statusCode }).toEqual({ url, status: 403 });
        expect(response.json().error.code).toBe('forbidden');
      }
    }
    expect((await get('/reports/trust/schools', 'oakfieldLead')).statusCode).toBe(403);
  });

  it('gives the same figures as the console, counted over pupils for the trust', async () => {
    const school = await get(`/reports/schools/${dataset.oakfield}/attainment`, 'oakfieldLead');
    const maths = school
      .json()
      .subjects.find((s: { subjectId: number }) => s.subjectId === dataset.maths);
    expect(maths.total).toMatchObject({ pupils: 11, atOrAbove: 7, percent: 63.6 });
    const trust = await get(`/reports/trust/attainment?collectionId=${dataset.autumn26}`, 'viewer');
    const trustMaths = trust
      .json()
      .subjects.find((s: { subjectId: number }) => s.subjectId === dataset.maths);
    expect(trustMaths.total).toMatchObject({ pupils: 14, atOrAbove: 9, percent: 64.3 });
  });

  it('carries no number for a suppressed group', async () => {
    const response = await get(`/reports/schools/${dataset.oakfield}/groups`, 'governor');
    const maths = response
      .json()
      .subjects.find((s: { subjectId: number }) => s.subjectId === dataset.maths);
    const eal = maths.tables[0].figures.find((f: { group: string }) => f.group === 'eal');
    expect(eal.comparison).toEqual({
      group: { pupils: null, atOrAbove: null, percent: null, suppressed: 'small_group' },
      other: { pupils: null, atOrAbove: null, percent: null, suppressed: 'complement' },
      gap: null,
    });
  });

  it('lists pupils in a school report only, and counts them for the trust', async () => {
    const school = await get(`/reports/schools/${dataset.oakfield}/left-out`, 'oakfieldLead');
    expect(school.json().pupils.map((p: { name: string }) => p.name)).toEqual([
      'Jack Jones',
      'Lily Lewis',
    ]);
    const trust = await get('/reports/trust/left-out', 'analyst');
    expect(JSON.stringify(trust.json())).not.toContain('Jack Jones');
    const oakfield = trust
      .json()
      .bySchool.find((entry: { school: { id: string } }) => entry.school.id === dataset.oakfield);
    expect(
      oakfield.subjects.find((s: { subjectId: number }) => s.subjectId === dataset.maths),
    ).toEqual({ subjectId: dataset.maths, noPoint: 1, left: 1, joinedAfter: 0, total: 2 });
  });

  it('answers 400 for a point not on the scale and 404 for an unknown school', async () => {
    const bad = await get(`/reports/schools/${dataset.oakfield}/attainment?point=NX99`, 'admin');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('NX99 is not a point on the Next Steps scale.');
    const missing = await get(
      '/reports/schools/00000000-0000-4000-8000-000000000000/groups',
      'admin',
    );
    expect(missing.statusCode).toBe(404);
  });

  it('is described in the OpenAPI document', async () => {
    const document = (await get('/openapi.json', 'viewer')).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/reports/schools/{schoolId}/attainment',
        '/api/v1/reports/schools/{schoolId}/groups',
        '/api/v1/reports/trust/over-time',
        '/api/v1/reports/trust/schools',
      ]),
    );
    expect(
      document.paths['/api/v1/reports/schools/{schoolId}/targets'].put.requestBody,
    ).toBeDefined();
  });
});

describe('targets through the API', () => {
  const body = (pupilId: string, value: string | null) => ({
    academicYear: 2026,
    targets: [{ pupilId, subjectId: dataset.maths, value }],
  });

  it('lets the data lead set a most likely outcome', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: `/api/v1/reports/schools/${dataset.oakfield}/targets`,
      headers: users.oakfieldLead.auth,
      payload: body(dataset.pupil.Ella!, 'NX9'),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ saved: { set: 1, changed: 0, cleared: 0, unchanged: 0 } });
  });

  it("refuses a viewer, another school's lead, and a target for a pupil who left", async () => {
    const url = `/api/v1/reports/schools/${dataset.oakfield}/targets`;
    for (const who of ['viewer', 'governor', 'brookLead'] as const) {
      const response = await app.inject({
        method: 'PUT',
        url,
        headers: users[who].auth,
        payload: body(dataset.pupil.Ella!, 'NX10'),
      });
      expect({ who, status: response.statusCode }).toEqual({ who, status: 403 });
    }
    const left = await app.inject({
      method: 'PUT',
      url,
      headers: users.oakfieldLead.auth,
      payload: body(dataset.pupil.Jack!, 'NX9'),
    });
    expect(left.statusCode).toBe(422);
    expect(left.json().error).toEqual({
      code: 'invalid_targets',
      message: 'targets[0]: this pupil is not on roll at the school this year.',
    });
  });
});
