import { and, desc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aspects,
  assessments,
  auditLog,
  collections,
  roleGrants,
  schools,
  sources,
  subjectMappings,
  users,
} from '../../src/db/schema.ts';
import { testApp } from '../support/app.ts';
import { drain, testEngine } from '../support/engine.ts';
import {
  buildTrust,
  csrfIn,
  MEADOWBANK,
  MEADOWBANK_BASELINE,
  type Session,
  signInAs,
  type Trust,
} from './console-fixtures.ts';

let trust: Trust;
let app: FastifyInstance;
let admin: Session;
let oakfieldLead: Session;

beforeAll(async () => {
  trust = await buildTrust();
  app = await testApp(trust.database);
  admin = await signInAs(app, trust.users.admin);
  oakfieldLead = await signInAs(app, trust.users.oakfieldLead);
});
afterAll(async () => {
  await app.close();
  await trust.database.close();
});

function get(url: string, session: Session, headers: Record<string, string> = {}) {
  return app.inject({ url, headers: { cookie: session.cookie, ...headers } });
}

/** A form post as htmx sends it: the session cookie, the CSRF header and HX-Request. */
function post(url: string, session: Session, form: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: session.cookie,
      'x-csrf-token': session.csrf,
      'hx-request': 'true',
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams(form).toString(),
  });
}

/** Adds a school through the form and returns its id, from the address it goes on to. */
async function addSchool(form: Record<string, string>) {
  const response = await post('/schools', admin, form);
  expect(response.statusCode).toBe(200);
  const location = response.headers['hx-redirect'] as string;
  expect(location).toMatch(/^\/schools\/[0-9a-f-]{36}\/onboarding$/);
  return location.split('/')[2]!;
}

async function latestAudit() {
  const [entry] = await trust.database.db
    .select()
    .from(auditLog)
    .orderBy(desc(auditLog.id))
    .limit(1);
  return entry!;
}

describe('admin pages', () => {
  it('refuses a school data lead every admin page, and every admin form', async () => {
    const pages = [
      '/schools',
      '/schools/new',
      `/schools/${trust.oakfield.id}/onboarding`,
      '/admin/users',
      '/admin/users/new',
      `/admin/users/${trust.users.oakfieldLead.id}`,
      `/admin/users/${trust.users.viewer.id}/deactivate`,
    ];
    for (const url of pages) {
      const response = await get(url, oakfieldLead);
      expect({ url, status: response.statusCode }).toEqual({ url, status: 403 });
      expect(response.body).toContain('You do not have access to this page');
    }
    const forms: [string, Record<string, string>][] = [
      ['/schools', { ...MEADOWBANK, urn: '159999', laestab: '8019999' }],
      [`/schools/${trust.oakfield.id}/onboarding/file-source`, { kind: 'ctf' }],
      ['/admin/users', { email: 'x@nexus-mat.example', displayName: 'X', role: 'trust_admin' }],
      [`/admin/users/${trust.users.oakfieldLead.id}/roles`, { role: 'trust_admin' }],
      [`/admin/users/${trust.users.viewer.id}/deactivate`, {}],
    ];
    const before = await latestAudit();
    for (const [url, form] of forms) {
      const response = await post(url, oakfieldLead, form);
      expect({ url, status: response.statusCode }).toEqual({ url, status: 403 });
    }
    expect((await latestAudit()).id).toBe(before.id);
  });

  it('offers Schools and Users in the navigation to trust admins only', async () => {
    const page = (await get('/', admin)).body;
    expect(page).toMatch(/href="\/schools"\s*>Schools<\/a>/);
    expect(page).toMatch(/href="\/admin\/users"\s*>Users<\/a>/);
    // Regression: the marker was escaped into the attribute's name, so no item showed current.
    const schoolsPage = (await get('/schools', admin)).body;
    expect(schoolsPage).toMatch(/href="\/schools"\s+aria-current="page"/);
    const lead = (await get(`/schools/${trust.oakfield.id}`, oakfieldLead)).body;
    expect(lead).not.toContain('href="/admin/users"');
    expect(lead).not.toContain('/onboarding');
  });
});

describe('adding a school', () => {
  it('re-renders the form with a bad URN inline, keeping what was typed', async () => {
    const response = await post('/schools', admin, { ...MEADOWBANK, urn: '12345' });
    expect(response.statusCode).toBe(422);
    expect(response.body).not.toContain('<html');
    expect(response.body).toContain('id="school-form"');
    expect(response.body).toMatch(
      /id="school-urn-error">\s*<span class="visually-hidden">Error:<\/span> A URN is 6 digits/,
    );
    expect(response.body).toMatch(/name="urn"[^>]*aria-invalid="true"/);
    expect(response.body).toContain('value="Meadowbank Primary Academy"');
    expect(response.body).toContain('value="2026-11-02"');

    const page = await app.inject({
      method: 'POST',
      url: '/schools',
      headers: { cookie: admin.cookie },
      payload: { ...MEADOWBANK, urn: '12345', _csrf: admin.csrf },
    });
    expect(page.statusCode).toBe(422);
    expect(page.body).toContain('<html');
    expect(page.body).toContain('A URN is 6 digits');
  });

  it("says on its field that a LAESTAB is already another school's", async () => {
    const response = await post('/schools', admin, { ...MEADOWBANK, laestab: '8012345' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="school-laestab-error">[\s\S]*Oakfield Primary Academy/);
  });

  it('adds the school, audits it, and lists it with its baseline', async () => {
    const id = await addSchool({ ...MEADOWBANK, urn: '152001', laestab: '8012001' });
    expect(await latestAudit()).toMatchObject({
      action: 'school.create',
      entityId: id,
      actorUserId: trust.users.admin.id,
    });
    const list = (await get('/schools', admin)).body;
    expect(list).toContain(`href="/schools/${id}/onboarding"`);
    expect(list).toContain('Baseline (Autumn 2026/27)');
    expect(list).toContain('None needed');
  });
});

describe("a newly converted school's guided path", () => {
  it('works out the baseline for conversion on the first day of autumn half term 2', async () => {
    const id = await addSchool({ ...MEADOWBANK, urn: '152002', laestab: '8012002' });
    const page = (await get(`/schools/${id}/onboarding`, admin)).body;
    expect(page).toContain(
      'Converted on 2 November 2026, the first day of autumn half term 2: its first full half ' +
        'term as a trust academy is autumn 2, so its baseline is the Autumn 2026/27 collection ' +
        '(policy 8.3).',
    );
    expect(page).toContain('Step 2 of 5: connect its system or upload its file.');
    expect(page).toMatch(/id="step-2"\s+aria-current="step"/);
  });

  it('works out Spring 2026/27 for conversion during autumn half term 2', async () => {
    const id = await addSchool({
      ...MEADOWBANK,
      urn: '152003',
      laestab: '8012003',
      joinedTrustOn: '2026-11-16',
    });
    const page = (await get(`/schools/${id}/onboarding`, admin)).body;
    expect(page).toContain(
      'Converted on 16 November 2026, during autumn half term 2: its first full half term as ' +
        'a trust academy is spring 1, so its baseline is the Spring 2026/27 collection ' +
        '(policy 8.3).',
    );
    expect(page).toContain('<dd>Baseline (Spring 2026/27)</dd>');
  });

  it('says when the calendar does not reach the baseline yet', async () => {
    const id = await addSchool({
      ...MEADOWBANK,
      urn: '152005',
      laestab: '8012005',
      joinedTrustOn: '2028-06-12',
    });
    const page = (await get(`/schools/${id}/onboarding`, admin)).body;
    expect(page).toContain(
      'Converted on 12 June 2028: the school year calendar, which runs to 2027/28, does not ' +
        'reach its first full half term as a trust academy yet.',
    );
    expect(page).toContain('<dd>Not in the calendar yet</dd>');
  });

  it('says when no baseline is needed', async () => {
    const page = (await get(`/schools/${trust.oakfield.id}/onboarding`, admin)).body;
    expect(page).toContain(
      'Converted on 1 September 2019, before the first school year in the calendar (2021/22)',
    );
    expect(page).toContain('This school needs no baseline.');
  });

  it('lands an upload made from the onboarding page in the baseline collection', async () => {
    const db = trust.database.db;
    const id = await addSchool({ ...MEADOWBANK });
    const [baseline] = await db
      .select()
      .from(collections)
      .where(and(eq(collections.schoolId, id), eq(collections.kind, 'baseline')));
    expect(baseline?.label).toBe('Baseline (Autumn 2026/27)');

    const setUp = await post(`/schools/${id}/onboarding/file-source`, admin, {
      kind: 'spreadsheet',
    });
    expect(setUp.headers['hx-redirect']).toBe(`/schools/${id}/onboarding#step-2`);
    const page = (await get(`/schools/${id}/onboarding`, admin)).body;
    const action = /action="(\/sources\/[0-9a-f-]{36}\/uploads)"/.exec(page)?.[1];
    expect(action).toBeDefined();
    expect(page).toMatch(
      new RegExp(`<option value="${baseline!.id}"\\s+selected\\s*>Baseline \\(Autumn 2026/27\\)`),
    );

    // A refused upload comes back with the baseline still chosen, so a retry lands there too.
    const empty = new FormData();
    empty.append('collectionId', String(baseline!.id));
    const refused = await app.inject({
      method: 'POST',
      url: action!,
      headers: { cookie: admin.cookie, 'hx-request': 'true', 'x-csrf-token': admin.csrf },
      payload: empty,
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Choose the file to upload first.');
    expect(refused.body).toMatch(new RegExp(`<option value="${baseline!.id}"\\s+selected`));

    const form = new FormData();
    form.append('_csrf', csrfIn(page));
    form.append('collectionId', String(baseline!.id));
    form.append('file', new Blob([MEADOWBANK_BASELINE], { type: 'text/csv' }), 'meadowbank.csv');
    const upload = await app.inject({
      method: 'POST',
      url: action!,
      headers: { cookie: admin.cookie, 'hx-request': 'true', 'x-csrf-token': admin.csrf },
      payload: form,
    });
    expect(upload.headers['hx-redirect']).toMatch(/^\/runs\//);
    await drain(testEngine(trust.database));

    // The columns are suggested as subjects; confirming them lands the library's codes.
    const mapped = await db
      .select({ id: subjectMappings.id })
      .from(subjectMappings)
      .innerJoin(aspects, eq(aspects.id, subjectMappings.aspectId))
      .where(and(eq(aspects.schoolId, id), eq(subjectMappings.status, 'proposed')));
    expect(mapped).toHaveLength(3);
    const confirm = await app.inject({
      method: 'POST',
      url: `/schools/${id}/subject-mappings/confirm`,
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrf,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: mapped.map((mapping) => `mappingId=${mapping.id}`).join('&'),
    });
    expect(confirm.statusCode).toBe(200);

    const landed = await db
      .select({ collectionId: assessments.collectionId })
      .from(assessments)
      .where(eq(assessments.schoolId, id));
    expect(landed).toHaveLength(15);
    expect(new Set(landed.map((row) => row.collectionId))).toEqual(new Set([baseline!.id]));

    const after = (await get(`/schools/${id}/onboarding`, admin)).body;
    expect(after).toContain('Every step is done: the school’s baseline has landed.');
    expect(after).toContain('5 of 5, 100%');
    expect(after).toContain(`/schools/${id}/missing?collection&#61;${baseline!.id}&#38;subject`);
  });

  it('shows the baseline collection on the missing-pupils and unmapped pages', async () => {
    const [school] = await trust.database.db
      .select()
      .from(schools)
      .where(eq(schools.urn, MEADOWBANK.urn));
    const [baseline] = await trust.database.db
      .select()
      .from(collections)
      .where(eq(collections.schoolId, school!.id));
    const missing = await get(
      `/schools/${school!.id}/missing?collection=${baseline!.id}&subject=${trust.maths}`,
      admin,
    );
    expect(missing.body).toContain('Baseline (Autumn 2026/27), collection date');
    expect(missing.body).toContain('Every pupil on roll has a Mathematics point.');
    const unmapped = await get(`/schools/${school!.id}/unmapped?collection=${baseline!.id}`, admin);
    expect(unmapped.body).toMatch(
      new RegExp(`<option value="${baseline!.id}"\\s+selected\\s*>Baseline \\(Autumn 2026/27\\)`),
    );
  });

  it('links the school page to the guided path until the baseline lands', async () => {
    const id = await addSchool({ ...MEADOWBANK, urn: '152004', laestab: '8012004' });
    const page = (await get(`/schools/${id}`, admin)).body;
    expect(page).toContain(`href="/schools/${id}/onboarding"`);
    expect(page).toContain('Baseline (Autumn 2026/27) has not landed in full yet');
    const [complete] = await trust.database.db
      .select()
      .from(schools)
      .where(eq(schools.urn, MEADOWBANK.urn));
    expect((await get(`/schools/${complete!.id}`, admin)).body).not.toContain('/onboarding');
  });

  it('sets up no second file source of a kind the school has', async () => {
    const before = await trust.database.db
      .select()
      .from(sources)
      .where(eq(sources.schoolId, trust.oakfield.id));
    await post(`/schools/${trust.oakfield.id}/onboarding/file-source`, admin, {
      kind: 'spreadsheet',
    });
    const after = await trust.database.db
      .select()
      .from(sources)
      .where(eq(sources.schoolId, trust.oakfield.id));
    expect(after).toHaveLength(before.length);
  });
});

describe('users', () => {
  it('adds a user with a first password that is shown once and signs them in', async () => {
    const response = await post('/admin/users', admin, {
      email: 'lena.brooks@nexus-mat.example',
      displayName: 'Lena Brooks',
      role: 'subject_leader',
      schoolId: trust.riverside.id,
      subjectId: String(trust.reading),
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('Subject leader · Reading, Riverside Academy');
    const password = /class="password-once"><code>([^<]+)<\/code>/.exec(response.body)?.[1];
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);

    const [user] = await trust.database.db
      .select()
      .from(users)
      .where(eq(users.email, 'lena.brooks@nexus-mat.example'));
    expect(await latestAudit()).toMatchObject({ action: 'user.create', entityId: user!.id });
    expect(JSON.stringify((await latestAudit()).details)).not.toContain(password!);
    const listed = (await get('/admin/users', admin)).body;
    expect(listed).toContain('Lena Brooks');
    expect(listed).not.toContain(password!);

    const signIn = await app.inject({
      method: 'POST',
      url: '/sign-in',
      payload: { email: 'lena.brooks@nexus-mat.example', password: password!, next: '/' },
    });
    expect(signIn.statusCode).toBe(303);
    expect(signIn.cookies.some((cookie) => cookie.name === 'nss_session')).toBe(true);
  });

  it('asks inline for what a role needs, and for an email not taken', async () => {
    const noSchool = await post('/admin/users', admin, {
      email: 'new.lead@nexus-mat.example',
      displayName: 'New Lead',
      role: 'school_data_lead',
    });
    expect(noSchool.statusCode).toBe(422);
    expect(noSchool.body).toMatch(/id="user-school-error">[\s\S]*is for one school/);
    expect(noSchool.body).toContain('value="new.lead@nexus-mat.example"');

    const inherited = await post('/admin/users', admin, {
      email: 'new.lead@nexus-mat.example',
      displayName: 'New Lead',
      role: 'constructor',
    });
    expect(inherited.statusCode).toBe(422);
    expect(inherited.body).toMatch(/id="user-role-error">[\s\S]*Choose a role\./);

    const taken = await post('/admin/users', admin, {
      email: trust.users.viewer.email.toUpperCase(),
      displayName: 'Helen Again',
      role: 'viewer',
    });
    expect(taken.statusCode).toBe(422);
    expect(taken.body).toMatch(/id="user-email-error">[\s\S]*already a user with the email/);
  });

  it('gives and takes a role, auditing each', async () => {
    const lead = trust.users.hollybrookLead.id;
    const given = await post(`/admin/users/${lead}/roles`, admin, {
      role: 'subject_leader',
      schoolId: trust.hollybrook.id,
      subjectId: String(trust.writing),
    });
    expect(given.headers['hx-redirect']).toBe(`/admin/users/${lead}`);
    expect(await latestAudit()).toMatchObject({ action: 'user.grant_role', entityId: lead });
    const page = (await get(`/admin/users/${lead}`, admin)).body;
    expect(page).toContain('Subject leader · Writing, Hollybrook Primary Academy');

    const again = await post(`/admin/users/${lead}/roles`, admin, {
      role: 'subject_leader',
      schoolId: trust.hollybrook.id,
      subjectId: String(trust.writing),
    });
    expect(again.statusCode).toBe(422);
    expect(again.body).toContain('They already have that role.');
    const analyst = await post(`/admin/users/${lead}/roles`, admin, {
      role: 'trust_analyst',
      schoolId: trust.hollybrook.id,
    });
    expect(analyst.body).toContain('A trust analyst works across the whole trust.');

    const [grant] = await trust.database.db
      .select()
      .from(roleGrants)
      .where(and(eq(roleGrants.userId, lead), eq(roleGrants.role, 'subject_leader')));
    const taken = await post(`/admin/users/${lead}/roles/${grant!.id}/revoke`, admin);
    expect(taken.headers['hx-redirect']).toBe(`/admin/users/${lead}`);
    expect(await latestAudit()).toMatchObject({ action: 'user.revoke_role', entityId: lead });
    expect((await get(`/admin/users/${lead}`, admin)).body).not.toContain('Writing, Hollybrook');
  });

  it('keeps the trust its last admin, and an admin from deactivating themselves', async () => {
    const [grant] = await trust.database.db
      .select()
      .from(roleGrants)
      .where(eq(roleGrants.userId, trust.users.admin.id));
    const revoke = await post(
      `/admin/users/${trust.users.admin.id}/roles/${grant!.id}/revoke`,
      admin,
    );
    expect(revoke.statusCode).toBe(409);
    expect(revoke.body).toContain('The trust needs at least one trust admin');
    const self = await post(`/admin/users/${trust.users.admin.id}/deactivate`, admin);
    expect(self.statusCode).toBe(409);
    expect(self.body).toContain('You cannot deactivate yourself');
  });

  it('deactivating a user ends their sessions and stops their API token', async () => {
    const viewer = await signInAs(app, trust.users.viewer);
    expect((await get('/', viewer)).statusCode).toBe(200);
    const ask = await get(`/admin/users/${trust.users.viewer.id}/deactivate`, admin);
    expect(ask.body).toContain('Deactivate Helen Price?');

    const response = await post(`/admin/users/${trust.users.viewer.id}/deactivate`, admin);
    expect(response.headers['hx-redirect']).toBe(`/admin/users/${trust.users.viewer.id}`);
    expect(await latestAudit()).toMatchObject({
      action: 'user.deactivate',
      entityId: trust.users.viewer.id,
      details: { sessionsEnded: 1, tokensRevoked: 1 },
    });
    const after = await get('/', viewer);
    expect(after.statusCode).toBe(302);
    expect(after.headers.location).toMatch(/^\/sign-in/);
    const api = await app.inject({ url: '/api/v1/schools', headers: trust.users.viewer.auth });
    expect(api.statusCode).toBe(401);
    expect((await get('/admin/users', admin)).body).toContain('Deactivated');
  });
});
