import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncRuns } from '../../src/db/schema.ts';
import { requestRun } from '../../src/sync/runs.ts';
import { testApp } from '../support/app.ts';
import { createPupil, createSchool } from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';
import { buildTrust, type Session, signInAs, type Trust, XSS_NAME } from './console-fixtures.ts';

let trust: Trust;
let app: FastifyInstance;
let admin: Session;
let analyst: Session;
let viewer: Session;
let oakfieldLead: Session;
let oakfieldMaths: Session;

beforeAll(async () => {
  trust = await buildTrust();
  app = await testApp(trust.database);
  admin = await signInAs(app, trust.users.admin);
  analyst = await signInAs(app, trust.users.analyst);
  viewer = await signInAs(app, trust.users.viewer);
  oakfieldLead = await signInAs(app, trust.users.oakfieldLead);
  oakfieldMaths = await signInAs(app, trust.users.oakfieldMaths);
});
afterAll(async () => {
  await app.close();
  await trust.database.close();
});

function get(url: string, session: Session, headers: Record<string, string> = {}) {
  return app.inject({ url, headers: { cookie: session.cookie, ...headers } });
}

/** Text as the views write it into HTML. */
function escaped(text: string): string {
  const entities: Record<string, string> = {
    '"': '&#34;',
    '&': '&#38;',
    "'": '&#39;',
    '<': '&#60;',
    '=': '&#61;',
    '>': '&#62;',
  };
  return text.replace(/["&'<=>]/g, (character) => entities[character]!);
}

/** Markup that was escaped twice: a view interpolated another view's output without `!`. */
function expectNoDoubleEscaping(body: string) {
  expect(body).not.toMatch(
    /&#60;\/?(div|span|a|p|li|tr|td|th|form|section|svg|input|button|h\d)\b/,
  );
}

describe('each console page', () => {
  const pages = (t: Trust): [string, string][] => [
    [`/?collection=${t.autumn}`, 'Schools and subjects'],
    [`/schools/${t.oakfield.id}?collection=${t.autumn}`, 'Collection progress'],
    [`/sources/${t.riversideMis.id}`, 'Run history'],
    [`/runs/${t.failedRunId}`, 'The run failed'],
    [`/schools/${t.oakfield.id}/unmapped`, 'Values waiting for a rule'],
    [`/schools/${t.riverside.id}/unmapped`, 'Assessments waiting for a subject'],
    [`/schools/${t.oakfield.id}/rules`, 'Confirmed rules'],
    ['/rules/library', 'Rule library'],
    [`/schools/${t.oakfield.id}/missing?collection=${t.autumn}&subject=${t.writing}`, 'Emerging'],
    [`/schools/${t.oakfield.id}/uploads`, 'Upload and check'],
    ['/pupils?q=okafor', 'Amara Okafor'],
    [`/schools/${t.oakfield.id}/sources/new`, 'Add a source'],
    [`/sources/${t.oakfieldSource.id}/edit`, 'Save changes'],
    ['/audit', 'Audit log'],
    ['/schools', 'Add a school'],
    ['/schools/new', 'Conversion date'],
    [`/schools/${t.hollybrook.id}/onboarding`, 'Connect its system or upload its file'],
    ['/admin/users', 'Add a user'],
    ['/admin/users/new', 'Add user'],
    [`/admin/users/${t.users.oakfieldLead.id}`, 'Give a role'],
  ];

  it('renders in the layout, with its content, for a trust admin', async () => {
    for (const [url, text] of pages(trust)) {
      const response = await get(url, admin);
      expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toContain('Nexus MAT');
      expect(response.body).toContain('Sam Carter');
      expect(response.body, url).toContain(text);
      expectNoDoubleEscaping(response.body);
    }
  });

  it('answers htmx with the fragment only, and a boosted request with the page', async () => {
    for (const [url, text] of pages(trust)) {
      const fragment = await get(url, admin, { 'hx-request': 'true' });
      expect(fragment.statusCode).toBe(200);
      expect(fragment.body, url).not.toContain('<html');
      expect(fragment.body, url).not.toContain('site-header');
      expect(fragment.body, url).toContain(text);
      expect(fragment.headers.vary).toContain('HX-Request');
    }
    const boosted = await get('/pupils', admin, { 'hx-request': 'true', 'hx-boosted': 'true' });
    expect(boosted.body).toContain('<html');
  });

  it('carries the CSRF token for htmx on <body> and in every form that posts', async () => {
    const response = await get(`/schools/${trust.oakfield.id}/unmapped`, admin);
    expect(response.body).toContain(
      `hx-headers="{&#34;X-CSRF-Token&#34;:&#34;${admin.csrf}&#34;}"`,
    );
    const forms = response.body.match(/<form[^>]*method="post"[\s\S]*?<\/form>/g) ?? [];
    expect(forms.length).toBeGreaterThan(2);
    for (const form of forms) expect(form).toContain(`name="_csrf" value="${admin.csrf}"`);
  });

  it('has no inline script or style, which the CSP would block', async () => {
    const response = await get(`/sources/${trust.riversideMis.id}`, admin);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(response.body).not.toMatch(/\sstyle="/);
    expect(response.body).not.toContain('<style');
  });

  it('labels every input, select and text area', async () => {
    for (const [url] of pages(trust)) {
      const body = (await get(url, admin)).body;
      const ids = [...body.matchAll(/<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*>/g)]
        .map((match) => /\sid="([^"]+)"/.exec(match[0])?.[1])
        .filter((id) => id !== undefined);
      const controls = [
        ...body.matchAll(/<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*>/g),
      ].length;
      expect({ url, unlabelled: controls - ids.length }).toEqual({ url, unlabelled: 0 });
      for (const id of ids) expect(body, `${url} #${id}`).toContain(`for="${id}"`);
    }
  });
});

describe('home', () => {
  it('shows the trust overview to trust analysts, admins and viewers', async () => {
    for (const session of [analyst, admin, viewer]) {
      const response = await get('/', session);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Trust overview');
    }
  });

  it("opens during a term on that term's collection, and states each cell's progress", async () => {
    const current = await get('/', analyst);
    expect(current.body).toContain('<h1>Autumn 2026/27</h1>');
    const autumn = (await get(`/?collection=${trust.autumn}`, analyst)).body;
    const oakfield = autumn.slice(autumn.indexOf('Oakfield Primary Academy</a>'));
    const row = oakfield.slice(0, oakfield.indexOf('</tr>'));
    expect(row).toContain('Complete');
    expect(row).toContain('12 of 12, 100%');
    expect(row).toContain('Needs mapping');
    expect(row).toContain('11 of 12, 91%');
    expect(row).toContain('10 of 12, 83%');
    const missing = `/schools/${trust.oakfield.id}/missing?collection=${trust.autumn}`;
    expect(row).toContain(`href="${escaped(`${missing}&subject=${trust.maths}`)}"`);
    expect(autumn).toContain('Needs confirmation');
    expect(autumn).toContain('No good sync yet');
  });

  it("sends school staff to their school's work", async () => {
    const lead = await get('/', oakfieldLead);
    expect(lead.statusCode).toBe(303);
    expect(lead.headers.location).toBe(`/schools/${trust.oakfield.id}`);
    const leader = await get('/', oakfieldMaths);
    expect(leader.headers.location).toBe(`/schools/${trust.oakfield.id}/unmapped`);
  });

  it('offers the audit log in the navigation to trust admins only', async () => {
    expect((await get('/', admin)).body).toContain('href="/audit"');
    expect((await get('/', analyst)).body).not.toContain('href="/audit"');
    expect((await get(`/schools/${trust.oakfield.id}`, oakfieldLead)).body).toContain(
      'School data lead · Oakfield Primary Academy',
    );
  });
});

describe('scope', () => {
  const riversidePages = (t: Trust) => [
    `/schools/${t.riverside.id}`,
    `/schools/${t.riverside.id}/unmapped`,
    `/schools/${t.riverside.id}/missing`,
    `/schools/${t.riverside.id}/missing.csv`,
    `/schools/${t.riverside.id}/rules`,
    `/schools/${t.riverside.id}/uploads`,
    `/schools/${t.riverside.id}/sources/new`,
    `/sources/${t.riversideMis.id}`,
    `/sources/${t.riversideMis.id}/edit`,
    `/runs/${t.failedRunId}`,
    `/pupils?school=${t.riverside.id}`,
  ];

  it("refuses a school data lead every page of another school's, showing none of it", async () => {
    for (const url of riversidePages(trust)) {
      const response = await get(url, oakfieldLead);
      expect({ url, status: response.statusCode }).toEqual({ url, status: 403 });
      expect(response.body).toContain('You do not have access to this page');
      expect(response.body).not.toContain('Riverside Academy');
      expect(response.body).not.toContain('Wonde');
    }
  });

  it('refuses an htmx request for another school with a fragment', async () => {
    const response = await get(`/schools/${trust.riverside.id}`, oakfieldLead, {
      'hx-request': 'true',
    });
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('<html');
    expect(response.body).toContain('You do not have access to this page');
  });

  it('finds only pupils of your own schools', async () => {
    const own = await get('/pupils?q=Kowal', oakfieldLead);
    expect(own.body).toContain('Lena Kowalczyk');
    expect(own.body).not.toContain('Zofia Kowalski');
    const trustWide = await get('/pupils?q=Kowal', analyst);
    expect(trustWide.body).toContain('Zofia Kowalski');
  });

  it('searches with the text as data: wildcards and quotes match themselves', async () => {
    const response = await get(`/pupils?q=${encodeURIComponent("%' or 1=1 --")}`, analyst);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('No pupils found');
  });

  it('answers an unknown id with a friendly not-found page', async () => {
    for (const url of [
      '/schools/00000000-0000-4000-8000-000000000000',
      '/sources/not-an-id',
      '/runs/00000000-0000-4000-8000-000000000000',
      '/pupils/00000000-0000-4000-8000-000000000000',
      '/rules/00000000-0000-4000-8000-000000000000',
      '/schools/nowhere/at/all',
    ]) {
      const response = await get(url, admin);
      expect({ url, status: response.statusCode }).toEqual({ url, status: 404 });
      expect(response.body).toContain('We could not find that page');
      expect(response.body).toContain('Sam Carter');
    }
  });

  it('keeps the audit log for trust admins', async () => {
    const refused = await get('/audit', analyst);
    expect(refused.statusCode).toBe(403);
    const newest = await get('/audit', admin);
    expect(newest.body).toContain('grade_rule.confirm');
    expect(newest.body).not.toContain('user.create');
    expect(newest.body).toContain('href="/audit?page&#61;2"');
    const older = await get('/audit?page=2', admin);
    expect(older.body).toContain('Newer entries');
    expect(`${older.body}${(await get('/audit?page=3', admin)).body}`).toContain('user.create');
  });

  it('shows a read-only viewer no forms to change anything', async () => {
    const response = await get(`/schools/${trust.oakfield.id}/unmapped`, viewer);
    expect(response.body).toContain('Secure+');
    expect(response.body).not.toContain('Confirm this point');
    expect(response.body).not.toContain('Propose for a subject leader');
    const source = await get(`/sources/${trust.riversideMis.id}`, viewer);
    expect(source.body).not.toContain('Run now');
  });
});

describe('pupil data in pages', () => {
  it('escapes a pupil named like a script wherever the name appears', async () => {
    const search = await get('/pupils?q=Marsh', oakfieldLead);
    const link = /href="(\/pupils\/[^"]+)">&#60;img/.exec(search.body)?.[1];
    const pupil = await get(link!, oakfieldLead);
    const byName = await get(`/pupils?q=${encodeURIComponent(XSS_NAME)}`, oakfieldLead);
    for (const body of [search.body, pupil.body, byName.body]) {
      expect(body).toContain(escaped(XSS_NAME));
      expect(body).not.toContain(XSS_NAME);
    }
    expect(byName.body).toContain(`value="${escaped(XSS_NAME)}"`);
  });

  it("shows a pupil's points with each one's source, raw value, rule and run", async () => {
    const search = await get('/pupils?q=Okafor', oakfieldLead);
    const link = /href="(\/pupils\/[^"]+)">Amara Okafor/.exec(search.body)![1]!;
    const body = (await get(link, oakfieldLead)).body;
    expect(body).toContain('Autumn 2026/27');
    expect(body).toContain('Summer 2025/26');
    expect(body).toContain('<code class="grade">EXS</code>');
    expect(body).toContain('Termly return');
    expect(body).toMatch(/href="\/rules\/[0-9a-f-]+">version 1<\/a>/);
    expect(body).toMatch(/href="\/runs\/[0-9a-f-]+">Run log<\/a>/);
    expect(body).toContain('<svg viewBox="0 0 360 160" role="img" class="line-chart"');
  });

  it('exports missing pupils as CSV with formula-like cells made harmless', async () => {
    await createPupil(trust.database.db, trust.oakfield.id, {
      upn: makeUpn(801, 2345, 19, 40),
      firstName: '+44 7700 900123',
      lastName: '=HYPERLINK("http://evil.example","Click")',
      ncYear: 'Y3',
    });
    const query = `collection=${trust.autumn}&subject=${trust.maths}`;
    const url = `/schools/${trust.oakfield.id}/missing.csv?${query}`;
    const response = await get(url, oakfieldLead);
    expect(response.headers['content-type']).toContain('text/csv');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="missing-/);
    expect(response.body).toContain(`"'=HYPERLINK(""http://evil.example"",""Click"")"`);
    expect(response.body).toContain(`"'+44 7700 900123"`);
    expect(response.body).toContain('"Not expected","P');
    expect(response.body).toContain('Left the school before the collection date.');
  });
});

describe('downloads and assets', () => {
  it('gives the trust template as XLSX and CSV in the wide layout', async () => {
    const xlsx = await get('/template/return.xlsx', oakfieldLead);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const csv = await get('/template/return.csv', oakfieldLead);
    expect(csv.body).toContain('UPN,Surname,Forename');
    expect(csv.body).toContain('Reading,Writing,Mathematics');
  });

  it('serves the stylesheet and htmx to anyone, cached for a year', async () => {
    const css = await app.inject({ url: '/assets/console.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');
    expect(css.headers['cache-control']).toContain('immutable');
    const script = await app.inject({ url: '/assets/htmx.min.js' });
    expect(script.headers['content-type']).toContain('javascript');
    expect(script.body).toContain('htmx');
  });
});

describe("a run's progress", () => {
  it('polls every two seconds while the run is active, then reloads the page', async () => {
    const { run } = await requestRun(trust.database.db, {
      sourceId: trust.riversideMis.id,
      schoolId: trust.riverside.id,
      trigger: 'manual',
      mode: 'full',
      requestedBy: null,
    });
    const url = `/runs/${run.id}/progress`;
    const active = await get(url, admin, { 'hx-request': 'true' });
    expect(active.body).toContain('hx-trigger="every 2s"');
    expect(active.headers['hx-refresh']).toBeUndefined();
    const page = await get(`/runs/${run.id}`, admin);
    expect(page.body).toContain(`hx-get="/runs/${run.id}/progress"`);

    await trust.database.db
      .update(syncRuns)
      .set({ status: 'succeeded', finishedAt: new Date(), startedAt: new Date() })
      .where(eq(syncRuns.id, run.id));
    const finished = await get(url, admin, { 'hx-request': 'true' });
    expect(finished.headers['hx-refresh']).toBe('true');
    expect(finished.body).not.toContain('hx-trigger');
  });
});

describe('a long list of missing pupils', () => {
  it('shows how many have each reason and the list a page at a time, the CSV whole', async () => {
    const meadow = await createSchool(trust.database.db, {
      name: 'Meadow View Primary',
      urn: '150112',
      laestab: '8013112',
    });
    for (let serial = 1; serial <= 230; serial += 1) {
      await createPupil(trust.database.db, meadow.id, {
        upn: makeUpn(801, 3112, 20, serial),
        firstName: `Pupil ${String(serial).padStart(3, '0')}`,
        lastName: 'Ashworth',
        ncYear: 'Y5',
      });
    }
    const query = `collection=${trust.autumn}&subject=${trust.maths}`;
    const first = (await get(`/schools/${meadow.id}/missing?${query}`, analyst)).body;
    expect(first).toContain('No point yet (230 pupils)');
    expect(first).toContain('Pupils 1 to 200 of 230');
    expect(first.match(/<tr>\s*<th scope="row"><a href="\/pupils\//g)).toHaveLength(200);
    expect(first).toContain('Nothing has been entered for this pupil and subject yet.');
    expect(first).toContain('(230 pupils)</span>');
    const next = escaped(`/schools/${meadow.id}/missing?${query}&page=2`);
    expect(first).toContain(`<a href="${next}">Next page</a>`);
    expect(first).not.toContain('Previous page');

    const second = (await get(`/schools/${meadow.id}/missing?${query}&page=2`, analyst)).body;
    expect(second).toContain('Pupils 201 to 230 of 230');
    expect(second.match(/<tr>\s*<th scope="row"><a href="\/pupils\//g)).toHaveLength(30);
    expect(second).toContain('Previous page');
    expect(second).not.toContain('Next page');
    // A page past the end shows the last one.
    const beyond = (await get(`/schools/${meadow.id}/missing?${query}&page=9`, analyst)).body;
    expect(beyond).toContain('Pupils 201 to 230 of 230');

    const filtered = (await get(`/schools/${meadow.id}/missing?${query}&why=not_entered`, analyst))
      .body;
    expect(filtered).toContain('<strong aria-current="true">Nothing has been entered');
    expect(filtered).toContain('Everyone with no point');
    const none = (await get(`/schools/${meadow.id}/missing?${query}&why=source_failed`, analyst))
      .body;
    expect(none).toContain('Nobody for that reason');

    const csv = (await get(`/schools/${meadow.id}/missing.csv?${query}`, analyst)).body;
    expect(csv.split('\r\n').filter((line) => line.startsWith('"Missing"'))).toHaveLength(230);
  });
});
