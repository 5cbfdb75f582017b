import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, gradeRules, subjectMappings } from '../../src/db/schema.ts';
import { listConflicts } from '../../src/sync/conflicts.ts';
import { decideGradeRules, decideSubjectMappings } from '../../src/sync/mapping.ts';
import { PASSWORD, type TestUser, testApp, userWith } from '../support/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST, testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust, subjectId, TODAY } from '../support/fixtures.ts';
import { landedPoints } from '../support/landed.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * Two sources give a result for the same pupil, subject and collection: the MIS's teacher
 * assessment and the tracker's. The later assessment lands, the pair is listed, and a person
 * reviews it with a note; it is listed again only if either value changes afterwards.
 */

const HEADER = 'UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading,Maths';
const AMARA = makeUpn(801, 2345, 19, 1);
const TOMASZ = makeUpn(801, 2345, 19, 2);
const mis = (amaraReading: string, on = '20/11/2026') =>
  [
    HEADER,
    `${AMARA},Okafor,Amara,14/03/2020,Y2,${on},${amaraReading},EXS`,
    `${TOMASZ},Nowak,Tomasz,02/09/2019,Y2,${on},WTS,WTS`,
  ].join('\r\n');
const tracker = (amaraReading: string) =>
  [HEADER, `${AMARA},Okafor,Amara,14/03/2020,Y2,27/11/2026,${amaraReading},`].join('\r\n');

let database: TestDatabase;
let app: FastifyInstance;
let school: { id: string };
let misSource: { id: string; schoolId: string; kind: string; name: string };
let trackerSource: { id: string; schoolId: string; kind: string; name: string };
let dataLead: TestUser;
let mathsLead: TestUser;
let readingLead: TestUser;

beforeAll(async () => {
  database = await testDatabase();
  const db = database.db;
  await seedTrust(db);
  school = await createSchool(db);
  misSource = await createSource(db, school.id);
  trackerSource = await createSource(db, school.id);
  await db.execute(sql`update sources set name = 'Arbor MIS' where id = ${misSource.id}`);
  await db.execute(sql`update sources set name = 'Tracker' where id = ${trackerSource.id}`);
  const engine = testEngine(database);
  await uploadAndRun(engine, misSource, 'mis.csv', mis('EXS'));
  const confirm = { decision: 'confirm' as const, reason: 'agreed with the school' };
  const mappings = await db.select({ id: subjectMappings.id }).from(subjectMappings);
  await decideSubjectMappings(
    db,
    ANALYST,
    mappings.map((m) => m.id),
    confirm,
    TODAY,
  );
  const library = await db
    .select({ id: gradeRules.id })
    .from(gradeRules)
    .where(eq(gradeRules.status, 'proposed'));
  await decideGradeRules(
    db,
    ANALYST,
    library.map((r) => r.id),
    confirm,
    TODAY,
  );
  await uploadAndRun(engine, trackerSource, 'tracker.csv', tracker('GDS'));
  const trackerMappings = await db
    .select({ id: subjectMappings.id })
    .from(subjectMappings)
    .where(eq(subjectMappings.status, 'proposed'));
  await decideSubjectMappings(
    db,
    ANALYST,
    trackerMappings.map((m) => m.id),
    confirm,
    TODAY,
  );
  dataLead = await userWith(database, 'Jo Whitfield', [
    { role: 'school_data_lead', schoolId: school.id, subjectId: null },
  ]);
  mathsLead = await userWith(database, 'Dev Raman', [
    { role: 'subject_leader', schoolId: school.id, subjectId: await subjectId(db, 'mathematics') },
  ]);
  readingLead = await userWith(database, 'Ruth Ellis', [
    { role: 'subject_leader', schoolId: school.id, subjectId: await subjectId(db, 'reading') },
  ]);
  app = await testApp(database);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('two sources with a result for the same pupil, subject and collection', () => {
  it('lands the later assessment and lists the pair with both values', async () => {
    expect(await landedPoints(database.db)).toEqual([
      'Nowak reading NX6 (Autumn 2026/27)',
      'Nowak mathematics NX6 (Autumn 2026/27)',
      'Okafor reading NX8 (Autumn 2026/27)',
      'Okafor mathematics NX7 (Autumn 2026/27)',
    ]);
    const response = await app.inject({
      url: `/api/v1/schools/${school.id}/conflicts`,
      headers: dataLead.auth,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().conflicts).toEqual([
      expect.objectContaining({
        pupil: { id: expect.any(String), name: 'Amara Okafor', upn: AMARA },
        subject: expect.objectContaining({ name: 'Reading' }),
        collection: expect.objectContaining({ label: 'Autumn 2026/27' }),
        kept: { source: 'Tracker', rawValue: 'GDS', assessedOn: '2026-11-27', retracted: false },
        other: {
          source: 'Arbor MIS',
          rawValue: 'EXS',
          assessedOn: '2026-11-20',
          retracted: false,
        },
        landed: { code: 'NX8', fromKept: true },
        reason: 'Two sources gave a point; the later assessment date was kept.',
        review: null,
      }),
    ]);
  });

  it('shows the pair on the console with who may review it', async () => {
    const page = await app.inject({
      url: `/schools/${school.id}/conflicts`,
      headers: { cookie: await cookieOf(readingLead) },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Amara Okafor');
    expect(page.body).toMatch(/<strong>GDS<\/strong> from Tracker, assessed\s+27 Nov 2026/);
    expect(page.body).toMatch(/<strong>EXS<\/strong> from Arbor MIS, assessed\s+20 Nov 2026/);
    expect(page.body).toContain('Mark reviewed');
    const school_ = await app.inject({
      url: `/schools/${school.id}`,
      headers: { cookie: await cookieOf(dataLead) },
    });
    expect(school_.body).toContain('1 result two sources disagree on, to review');
    const asMaths = await app.inject({
      url: `/schools/${school.id}/conflicts`,
      headers: { cookie: await cookieOf(mathsLead) },
    });
    expect(asMaths.body).not.toContain('Mark reviewed');
    expect(asMaths.body).toContain('its subject leader for Reading reviews this');
  });

  it('refuses a review from the maths leader, and one without a note', async () => {
    const [conflict] = await listConflicts(database.db, school.id);
    const url = `/api/v1/conflicts/${conflict!.id}/review`;
    const maths = await app.inject({
      method: 'POST',
      url,
      headers: mathsLead.auth,
      payload: { note: 'Looks right' },
    });
    expect(maths.statusCode).toBe(403);
    const empty = await app.inject({
      method: 'POST',
      url,
      headers: readingLead.auth,
      payload: { note: '   ' },
    });
    expect(empty.statusCode).toBe(400);
    expect(await listConflicts(database.db, school.id, 'reviewed')).toEqual([]);
  });

  it("records the reading leader's review once, with who, when and why", async () => {
    const [conflict] = await listConflicts(database.db, school.id);
    const url = `/api/v1/conflicts/${conflict!.id}/review`;
    const note = 'The tracker has the moderated teacher assessment.';
    const first = await app.inject({
      method: 'POST',
      url,
      headers: readingLead.auth,
      payload: { note },
    });
    expect(first.statusCode).toBe(200);
    expect(first.json().conflict.review).toEqual({
      at: expect.any(String),
      by: 'Ruth Ellis',
      note,
    });
    const again = await app.inject({
      method: 'POST',
      url,
      headers: dataLead.auth,
      payload: { note: 'Checked too' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toBe('Someone has already reviewed this conflict.');
    const audited = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'conflict.review'));
    expect(audited).toEqual([
      expect.objectContaining({
        actorLabel: 'Ruth Ellis',
        schoolId: school.id,
        details: expect.objectContaining({
          kept: 'GDS from Tracker',
          other: 'EXS from Arbor MIS',
          note,
        }),
      }),
    ]);
    expect(await listConflicts(database.db, school.id, 'open')).toEqual([]);
  });

  it('is not listed again by a sync that changes nothing, and is when a value changes', async () => {
    const engine = testEngine(database);
    await uploadAndRun(engine, trackerSource, 'tracker.csv', tracker('GDS'));
    expect(await listConflicts(database.db, school.id, 'open')).toEqual([]);

    await uploadAndRun(engine, misSource, 'mis.csv', mis('WTS'));
    const reopened = await listConflicts(database.db, school.id, 'open');
    expect(reopened.map((c) => [c.kept.rawValue, c.other.rawValue])).toEqual([['GDS', 'WTS']]);
    expect(await listConflicts(database.db, school.id, 'all')).toHaveLength(2);
  });

  it('takes a review from the console form, with its CSRF token, and swaps the item', async () => {
    const [conflict] = await listConflicts(database.db, school.id, 'open');
    const cookie = await cookieOf(dataLead);
    const page = await app.inject({ url: `/schools/${school.id}/conflicts`, headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const refused = await app.inject({
      method: 'POST',
      url: `/conflicts/${conflict!.id}/review`,
      headers: { cookie, 'hx-request': 'true' },
      payload: { note: 'No token' },
    });
    expect(refused.statusCode).toBe(403);
    const blank = await app.inject({
      method: 'POST',
      url: `/conflicts/${conflict!.id}/review`,
      headers: { cookie, 'hx-request': 'true' },
      payload: { _csrf: csrf, note: '' },
    });
    expect(blank.statusCode).toBe(422);
    expect(blank.body).toContain('Say why the landed result stands before marking it reviewed.');
    const saved = await app.inject({
      method: 'POST',
      url: `/conflicts/${conflict!.id}/review`,
      headers: { cookie, 'hx-request': 'true' },
      payload: { _csrf: csrf, note: 'The MIS value was entered in error; the tracker stands.' },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toMatch(/^<li class="conflict-item card" id="conflict-\d+">/);
    expect(saved.body).toContain('Reviewed by Jo Whitfield');
    expect(saved.body).toContain('“The MIS value was entered in error; the tracker stands.”');
  });
});

const cookies = new Map<string, string>();

/** Signs in through the form once per person and keeps the session cookie. */
async function cookieOf(user: TestUser): Promise<string> {
  const kept = cookies.get(user.email);
  if (kept) return kept;
  const response = await app.inject({
    method: 'POST',
    url: '/sign-in',
    payload: { email: user.email, password: PASSWORD },
  });
  const set = response.cookies.find((cookie) => cookie.name === 'nss_session')!;
  const cookie = `nss_session=${set.value}`;
  cookies.set(user.email, cookie);
  return cookie;
}
