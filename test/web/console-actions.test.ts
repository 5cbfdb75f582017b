import { and, desc, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import {
  aspects,
  auditLog,
  gradeRules,
  nxPoints,
  rawPayloads,
  sources,
  subjectMappings,
  syncRuns,
} from '../../src/db/schema.ts';
import { sourceSecrets } from '../../src/sync/sources.ts';
import { buildApp } from '../../src/web/app.ts';
import { testApp, testContext } from '../support/app.ts';
import { createSource } from '../support/fixtures.ts';
import { buildTrust, type Session, signInAs, type Trust } from './console-fixtures.ts';

let trust: Trust;
let app: FastifyInstance;
let admin: Session;
let viewer: Session;
let oakfieldLead: Session;
let oakfieldMaths: Session;
let riversideLead: Session;

beforeAll(async () => {
  trust = await buildTrust();
  app = await testApp(trust.database);
  admin = await signInAs(app, trust.users.admin);
  viewer = await signInAs(app, trust.users.viewer);
  oakfieldLead = await signInAs(app, trust.users.oakfieldLead);
  oakfieldMaths = await signInAs(app, trust.users.oakfieldMaths);
  riversideLead = await signInAs(app, trust.users.riversideLead);
});
afterAll(async () => {
  await app.close();
  await trust.database.close();
});

/** A form post as htmx sends it: the session cookie, the CSRF header and HX-Request. */
function post(url: string, session: Session, form: Record<string, string | string[]> = {}) {
  return app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: session.cookie,
      'x-csrf-token': session.csrf,
      'hx-request': 'true',
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams(
      Object.entries(form).flatMap(([name, value]) =>
        [value].flat().map((one) => [name, one] as [string, string]),
      ),
    ).toString(),
  });
}

async function auditCount() {
  const [row] = await trust.database.db.select({ n: sql<number>`count(*)::int` }).from(auditLog);
  return row!.n;
}

async function pointId(code: string) {
  const [point] = await trust.database.db.select().from(nxPoints).where(eq(nxPoints.code, code));
  return point!.id;
}

async function aspectNamed(sourceId: string, name: string) {
  const [aspect] = await trust.database.db
    .select()
    .from(aspects)
    .where(and(eq(aspects.sourceId, sourceId), eq(aspects.name, name)));
  return aspect!;
}

describe('CSRF', () => {
  it('refuses every console form posted without its token, and changes nothing', async () => {
    const posts = app.registeredRoutes.filter(
      (route) => route.method === 'POST' && !route.url.startsWith('/api/'),
    );
    expect(posts.length).toBeGreaterThan(15);
    const ids: Record<string, string> = {
      schoolId: trust.oakfield.id,
      sourceId: trust.oakfieldSource.id,
      runId: trust.failedRunId,
      mappingId: '1',
      ruleId: '1',
      aspectId: '1',
    };
    const before = await auditCount();
    for (const { url } of posts) {
      const path = url.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? '1');
      for (const headers of [{}, { 'hx-request': 'true' }, { 'x-csrf-token': 'forged' }]) {
        const response = await app.inject({
          method: 'POST',
          url: path,
          headers: { cookie: admin.cookie, ...headers },
          payload: { decision: 'confirm', _csrf: 'x'.repeat(43) },
        });
        expect({ path, headers, status: response.statusCode }).toEqual({
          path,
          headers,
          status: 403,
        });
      }
    }
    expect(await auditCount()).toBe(before);
  });

  it('says why, in words, on a page in the layout', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/sources/${trust.riversideMis.id}/pause`,
      headers: { cookie: riversideLead.cookie },
    });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This form has expired or did not come from this site.');
    expect(response.body).toContain('Tom Ellis');
  });
});

describe('unmapped values', () => {
  it('lets a subject leader propose and confirm a point at once, saying what it did', async () => {
    const maths = await aspectNamed(trust.oakfieldSource.id, 'Maths');
    const response = await post(`/schools/${trust.oakfield.id}/unmapped/rules`, oakfieldMaths, {
      aspectId: String(maths.id),
      value: 'Secure+',
      key: 'k1',
      nxPointId: await pointId('NX8'),
      scope: 'aspect',
      yearFrom: '2',
      yearTo: '2',
      reason: 'Secure+ in Year 2 is beyond the expected standard',
      action: 'confirm',
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Confirmed: “Secure+” is NX8. 2 results now land as NX8.');
    expect(response.body).not.toContain('<html');

    const [rule] = await trust.database.db
      .select()
      .from(gradeRules)
      .where(eq(gradeRules.value, 'Secure+'));
    expect(rule).toMatchObject({
      status: 'confirmed',
      schoolId: trust.oakfield.id,
      subjectId: trust.maths,
      aspectId: maths.id,
      yearFrom: 2,
      yearTo: 2,
      proposedBy: trust.users.oakfieldMaths.id,
      decidedBy: trust.users.oakfieldMaths.id,
      proposalReason: 'Secure+ in Year 2 is beyond the expected standard',
    });
    const history = await app.inject({
      url: `/rules/${rule!.ruleKey}`,
      headers: { cookie: oakfieldLead.cookie },
    });
    expect(history.body).toContain('Dev Raman');
    expect(history.body).toContain('Confirmed');
  });

  it('lets a data lead propose, but not confirm, and a leader confirms the proposal', async () => {
    const writing = await aspectNamed(trust.oakfieldSource.id, 'Writing');
    const form = {
      aspectId: String(writing.id),
      value: 'Emerging',
      key: 'k2',
      nxPointId: await pointId('NX5'),
      scope: 'subject',
    };
    const refused = await post(`/schools/${trust.oakfield.id}/unmapped/rules`, oakfieldLead, {
      ...form,
      action: 'confirm',
    });
    expect(refused.statusCode).toBe(403);

    const proposed = await post(`/schools/${trust.oakfield.id}/unmapped/rules`, oakfieldLead, {
      ...form,
      action: 'propose',
    });
    expect(proposed.body).toContain('Proposed: “Emerging” as NX5.');
    const page = await app.inject({
      url: `/schools/${trust.oakfield.id}/unmapped`,
      headers: { cookie: oakfieldLead.cookie },
    });
    expect(page.body).toContain('Proposed: NX5');
    expect(page.body).toContain('Waiting for a subject leader to confirm.');

    const [rule] = await trust.database.db
      .select()
      .from(gradeRules)
      .where(eq(gradeRules.value, 'Emerging'));
    const mathsOnly = await post(`/grade-rules/${rule!.id}/decision`, oakfieldMaths, {
      decision: 'confirm',
    });
    expect(mathsOnly.statusCode).toBe(403);
    const confirmed = await post(`/grade-rules/${rule!.id}/decision`, admin, {
      decision: 'confirm',
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('1 result now lands as NX5.');
  });

  it('asks for a point, and for a reason to reject, inline', async () => {
    const reading = await aspectNamed(trust.riversideSource.id, 'Reading');
    const noPoint = await post(`/schools/${trust.oakfield.id}/unmapped/rules`, oakfieldMaths, {
      aspectId: String(reading.id),
      value: 'Secure',
      action: 'propose',
    });
    expect(noPoint.statusCode).toBe(404);

    const [library] = await trust.database.db
      .insert(gradeRules)
      .values({
        ruleKey: crypto.randomUUID(),
        version: 1,
        schoolId: null,
        match: 'value',
        value: 'Mastered',
        nxPointId: await pointId('NX10'),
        status: 'proposed',
        proposalReason: 'Mastery is greater depth',
      })
      .returning();
    const rejected = await post(`/grade-rules/${library!.id}/decision`, admin, {
      decision: 'reject',
      reason: '',
    });
    expect(rejected.statusCode).toBe(422);
    expect(rejected.body).toContain('Say why the proposal is rejected');
    const withReason = await post(`/grade-rules/${library!.id}/decision`, admin, {
      decision: 'reject',
      reason: 'Mastered is not a standard code',
    });
    expect(withReason.body).toContain('Rejected version 1.');
  });

  it('confirms every suggestion of the column at once, listing the values it lets in', async () => {
    const page = await app.inject({
      url: `/schools/${trust.riverside.id}/unmapped`,
      headers: { cookie: admin.cookie },
    });
    const form = /action="\/schools\/[^"]+\/subject-mappings\/confirm"[\s\S]*?<\/form>/.exec(
      page.body,
    );
    expect(form?.[0]).toContain('Confirm all suggestions in this column (3)');

    const pending = await trust.database.db
      .select({ id: subjectMappings.id })
      .from(subjectMappings)
      .innerJoin(aspects, eq(aspects.id, subjectMappings.aspectId))
      .where(and(eq(aspects.schoolId, trust.riverside.id), eq(subjectMappings.status, 'proposed')));
    const lead = await post(`/subject-mappings/${pending[0]!.id}/decision`, riversideLead, {
      decision: 'confirm',
    });
    expect(lead.statusCode).toBe(403);

    const response = await post(`/schools/${trust.riverside.id}/subject-mappings/confirm`, admin, {
      mappingId: pending.map((row) => String(row.id)),
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(`Confirmed ${pending.length} subject mappings.`);
    expect(response.body).toContain('<code class="grade">Developing</code>');
    expect(response.body).not.toContain('Assessments waiting for a subject');
  });

  it('refuses a read-only viewer a decision', async () => {
    const [rule] = await trust.database.db
      .select()
      .from(gradeRules)
      .where(eq(gradeRules.status, 'confirmed'))
      .limit(1);
    const response = await post(`/grade-rules/${rule!.id}/decision`, viewer, {
      decision: 'reject',
      reason: 'no',
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('sources', () => {
  it("builds the add form from the connector's own schema", async () => {
    const response = await app.inject({
      url: `/schools/${trust.oakfield.id}/sources/new?kind=spreadsheet`,
      headers: { cookie: oakfieldLead.cookie },
    });
    const body = response.body;
    expect(body).toContain('name="config.layout"');
    expect(body).toMatch(/<option value="wide"\s*>wide<\/option/);
    expect(body).toContain('name="config.periodLabel"');
    expect(body).toContain('name="config.sheetName"');
    expect(body).toContain('name="config.subjects"');
    expect(body).not.toContain('name="schedule"');
  });

  it('re-renders the form with its errors inline, then adds the source', async () => {
    const url = `/schools/${trust.oakfield.id}/sources`;
    const invalid = await post(url, oakfieldLead, {
      kind: 'spreadsheet',
      name: '',
      'config.sheetName': 'A worksheet name much longer than Excel allows',
      'config.subjects': '[not json',
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.body).toContain('Give the source a name.');
    expect(invalid.body).toContain('Write this as JSON');
    expect(invalid.body).not.toContain('<html');

    const tooLong = await post(url, oakfieldLead, {
      kind: 'spreadsheet',
      name: 'Year 6 tracker',
      'config.sheetName': 'A worksheet name much longer than Excel allows',
    });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.body).toMatch(/id="field-config-sheetName-error"/);

    const added = await post(url, oakfieldLead, {
      kind: 'spreadsheet',
      name: 'Year 6 tracker',
      'config.layout': 'wide',
      'config.periodLabel': 'Autumn 2026',
    });
    expect(added.statusCode).toBe(200);
    const location = added.headers['hx-redirect'] as string;
    expect(location).toMatch(/^\/sources\/[0-9a-f-]{36}$/);
    const [source] = await trust.database.db
      .select()
      .from(sources)
      .where(eq(sources.id, location.split('/')[2]!));
    expect(source).toMatchObject({
      name: 'Year 6 tracker',
      config: { layout: 'wide', periodLabel: 'Autumn 2026' },
      schoolId: trust.oakfield.id,
    });
  });

  it("shows the connection check's own message", async () => {
    const response = await post(`/sources/${trust.oakfieldSource.id}/check`, oakfieldLead);
    expect(response.body).toContain('A spreadsheet source needs no connection');
    const unsaved = await post(`/schools/${trust.oakfield.id}/sources/check`, oakfieldLead, {
      kind: 'spreadsheet',
      name: 'x',
    });
    expect(unsaved.body).toContain('A spreadsheet source needs no connection');
  });

  it('saves an edit, keeping what was left blank, and audits it', async () => {
    const response = await post(`/sources/${trust.oakfieldSource.id}/edit`, oakfieldLead, {
      kind: 'spreadsheet',
      name: 'Termly return (trust template)',
      'config.layout': 'wide',
    });
    expect(response.headers['hx-redirect']).toBe(`/sources/${trust.oakfieldSource.id}`);
    const [saved] = await trust.database.db
      .select()
      .from(sources)
      .where(eq(sources.id, trust.oakfieldSource.id));
    expect(saved).toMatchObject({
      name: 'Termly return (trust template)',
      config: { layout: 'wide' },
    });
    const [entry] = await trust.database.db
      .select()
      .from(auditLog)
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(entry).toMatchObject({
      action: 'source.update',
      actorUserId: trust.users.oakfieldLead.id,
    });
  });

  it('never shows a saved secret, and keeps it when the field is left blank', async () => {
    const url = `/sources/${trust.riversideMis.id}/edit`;
    const page = await app.inject({ url, headers: { cookie: riversideLead.cookie } });
    expect(page.body).toContain('name="secrets.token"');
    expect(page.body).toContain('A value is saved and is never shown.');
    expect(page.body).not.toContain('wonde-test-token-0001');
    expect(page.body).toContain('value="A1930499544"');

    const secretOf = async () => {
      const [row] = await trust.database.db
        .select()
        .from(sources)
        .where(eq(sources.id, trust.riversideMis.id));
      return sourceSecrets(testContext(trust.database).secretKey, row!);
    };
    const kept = await post(url, riversideLead, {
      kind: 'wonde',
      name: 'Wonde (Arbor MIS)',
      'config.schoolId': 'A1930499544',
      'config.pageSize': '500',
      'secrets.token': '',
    });
    expect(kept.headers['hx-redirect']).toBe(`/sources/${trust.riversideMis.id}`);
    expect(await secretOf()).toEqual({ token: 'wonde-test-token-0001' });

    await post(url, riversideLead, {
      kind: 'wonde',
      name: 'Wonde (Arbor MIS)',
      'config.schoolId': 'A1930499544',
      'secrets.token': 'a-brand-new-token-0002',
    });
    expect(await secretOf()).toEqual({ token: 'a-brand-new-token-0002' });
    const [entry] = await trust.database.db
      .select()
      .from(auditLog)
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(entry?.details).toMatchObject({ secretFieldsChanged: ['token'] });
    expect(JSON.stringify(entry?.details)).not.toContain('a-brand-new-token');
  });

  it('runs, pauses and resumes a source for its data lead only', async () => {
    const mis = `/sources/${trust.riversideMis.id}`;
    expect((await post(`${mis}/pause`, oakfieldLead)).statusCode).toBe(403);
    expect((await post(`${mis}/pause`, viewer)).statusCode).toBe(403);

    const paused = await post(`${mis}/pause`, riversideLead);
    expect(paused.headers['hx-redirect']).toBe(mis);
    const page = await app.inject({ url: mis, headers: { cookie: riversideLead.cookie } });
    expect(page.body).toContain('Resume');
    expect(page.body).toContain('Paused');
    await post(`${mis}/resume`, riversideLead);

    const run = await post(`${mis}/run`, riversideLead);
    const runUrl = run.headers['hx-redirect'] as string;
    expect(runUrl).toMatch(/^\/runs\//);
    const [queued] = await trust.database.db
      .select()
      .from(syncRuns)
      .where(eq(syncRuns.id, runUrl.split('/')[2]!));
    expect(queued).toMatchObject({
      status: 'queued',
      trigger: 'manual',
      requestedBy: trust.users.riversideLead.id,
    });
    const again = await post(`${mis}/run`, riversideLead);
    expect(again.headers['hx-redirect']).toBe(runUrl);

    const file = await post(`/sources/${trust.oakfieldSource.id}/run`, oakfieldLead);
    expect(file.statusCode).toBe(409);
    expect(file.body).toContain('upload a file');
  });
});

describe('replaying and removing', () => {
  it('reads an uploaded file again from its kept copy', async () => {
    const [upload] = await trust.database.db
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.sourceId, trust.riversideSource.id), eq(syncRuns.trigger, 'upload')));
    const page = await app.inject({
      url: `/runs/${upload!.id}`,
      headers: { cookie: riversideLead.cookie },
    });
    expect(page.body).toContain('Read the file again');
    const viewed = await app.inject({
      url: `/runs/${upload!.id}`,
      headers: { cookie: viewer.cookie },
    });
    expect(viewed.body).not.toContain('Read the file again');

    const replay = await post(`/runs/${upload!.id}/replay`, riversideLead);
    const next = replay.headers['hx-redirect'] as string;
    const [queued] = await trust.database.db
      .select()
      .from(syncRuns)
      .where(eq(syncRuns.id, next.split('/')[2]!));
    expect(queued).toMatchObject({ trigger: 'replay', replayOf: upload!.id, status: 'queued' });
    const nothing = await post(`/runs/${trust.failedRunId}/replay`, riversideLead);
    expect(nothing.statusCode).toBe(409);
  });

  it('asks before removing a source, then keeps its history', async () => {
    const spare = await createSource(trust.database.db, trust.oakfield.id);
    const source = `/sources/${spare.id}`;
    const ask = await app.inject({
      url: `${source}/remove`,
      headers: { cookie: oakfieldLead.cookie },
    });
    expect(ask.body).toContain('Remove spreadsheet upload?');
    expect(ask.body).toContain('Keep it');
    expect((await post(`${source}/remove`, viewer)).statusCode).toBe(403);

    const removed = await post(`${source}/remove`, oakfieldLead);
    expect(removed.headers['hx-redirect']).toBe(`/schools/${trust.oakfield.id}`);
    const gone = await app.inject({ url: source, headers: { cookie: oakfieldLead.cookie } });
    expect(gone.statusCode).toBe(404);
    const pupils = await app.inject({
      url: '/pupils?q=Okafor',
      headers: { cookie: oakfieldLead.cookie },
    });
    expect(pupils.body).toContain('Amara Okafor');
  });
});

describe('uploads', () => {
  function upload(session: Session, sourceId: string, file: string | null) {
    const form = new FormData();
    form.append('collectionId', '');
    if (file !== null) {
      form.append('file', new Blob([file], { type: 'text/csv' }), 'hollybrook-autumn.csv');
    }
    return app.inject({
      method: 'POST',
      url: `/sources/${sourceId}/uploads`,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'hx-request': 'true' },
      payload: form,
    });
  }

  it('queues a run for the file and goes to its page', async () => {
    const lead = await signInAs(app, trust.users.hollybrookLead);
    const response = await upload(lead, trust.hollybrookSource.id, 'UPN,Surname\r\n');
    expect(response.statusCode).toBe(200);
    const runUrl = response.headers['hx-redirect'] as string;
    const runId = runUrl.split('/')[2]!;
    const [stored] = await trust.database.db
      .select()
      .from(rawPayloads)
      .where(eq(rawPayloads.runId, runId));
    expect(stored?.label).toBe('hollybrook-autumn.csv');
    const page = await app.inject({ url: runUrl, headers: { cookie: lead.cookie } });
    expect(page.body).toContain('Upload of hollybrook-autumn.csv');
    expect(page.body).toContain('hx-trigger="every 2s"');

    const busy = await upload(lead, trust.hollybrookSource.id, 'UPN,Surname\r\n');
    expect(busy.statusCode).toBe(409);
    expect(busy.body).toContain('already has a run waiting');
  });

  it('says what is wrong in the form: no file, or a source that takes none', async () => {
    const empty = await upload(oakfieldLead, trust.oakfieldSource.id, null);
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Choose the file to upload first.');
    expect(empty.body).toContain('<form');
    const api = await upload(riversideLead, trust.riversideMis.id, 'x');
    expect(api.statusCode).toBe(409);
    expect(api.body).toContain('it takes no uploads');
    const refused = await upload(viewer, trust.oakfieldSource.id, 'x');
    expect(refused.statusCode).toBe(403);
  });

  it('refuses a file larger than the limit, inline', async () => {
    const context = {
      ...testContext(trust.database),
      config: loadConfig({ COOKIE_SECURE: 'false', SCHEDULER: 'false', MAX_UPLOAD_MB: '1' }),
    };
    const small = await buildApp(context, { scheduler: false });
    try {
      const form = new FormData();
      form.append('file', new Blob(['x'.repeat(1_100_000)]), 'huge.csv');
      const response = await small.inject({
        method: 'POST',
        url: `/sources/${trust.oakfieldSource.id}/uploads`,
        headers: {
          cookie: oakfieldLead.cookie,
          'x-csrf-token': oakfieldLead.csrf,
          'hx-request': 'true',
        },
        payload: form,
      });
      expect(response.statusCode).toBe(413);
      expect(response.body).toContain('The file is larger than 1 MB.');
    } finally {
      await small.close();
    }
  });
});
