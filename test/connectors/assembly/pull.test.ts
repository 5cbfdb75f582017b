import { describe, expect, it } from 'vitest';
import { assemblyConnector } from '../../../src/connectors/assembly/index.ts';
import { FACETS } from '../../../src/fakes/assembly/index.ts';
import { collectPull, repeated } from '../support.ts';
import {
  configFor,
  connectorError,
  fakeAssembly,
  requestsTo,
  schoolOf,
  secretsFor,
} from './helpers.ts';

describe('Assembly pull', () => {
  it('reads a school of 1,500 pupils with three subjects over three terms', async () => {
    const school = schoolOf(1500);
    const fake = await fakeAssembly({ pupils: 1500 });
    const config = configFor(fake);

    const outcome = await collectPull(assemblyConnector, { config, secrets: secretsFor(fake) });

    expect(outcome.error).toBeNull();
    expect(outcome.summary?.complete).toBe(true);
    expect(outcome.pupils).toHaveLength(school.pupils.length);
    expect(outcome.results).toHaveLength(school.results.length);
    expect(repeated(outcome.pupils.map((p) => p.externalId))).toEqual([]);
    expect(repeated(outcome.results.map((r) => r.externalId))).toEqual([]);
    expect(new Set(outcome.results.map((r) => r.aspect.key)).size).toBe(3);
    expect(new Set(outcome.results.map((r) => r.periodLabel))).toEqual(
      new Set(school.results.map((r) => r.periodLabel)),
    );
    expect(outcome.problems).toEqual([]);
  });

  it('translates a pupil and a result into the fields the trust needs', async () => {
    const school = schoolOf(1500);
    const fake = await fakeAssembly({ pupils: 1500 });

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    const synthetic = school.pupils.find((p) => p.ncYear === 'Y4' && p.senStatus === 'K')!;
    const pupil = outcome.pupils.find((p) => p.upn === synthetic.upn)!;
    expect(pupil).toEqual({
      externalId: expect.stringMatching(/^\d+$/),
      upn: synthetic.upn,
      formerUpn: null,
      firstName: synthetic.firstName,
      lastName: synthetic.lastName,
      dateOfBirth: synthetic.dateOfBirth,
      sex: synthetic.sex,
      ncYear: '4',
      senStatus: 'K',
      disadvantaged: synthetic.disadvantaged,
      eal: synthetic.eal,
      onRollFrom: synthetic.onRollFrom,
      onRollTo: null,
    });

    const expected = school.results.find((r) => r.pupilId === synthetic.id)!;
    const aspect = school.aspects.find((a) => a.id === expected.aspectId)!;
    const result = outcome.results.find(
      (r) =>
        r.pupilExternalId === pupil.externalId &&
        r.aspect.name.startsWith(aspect.name) &&
        r.periodLabel === expected.periodLabel,
    )!;
    expect(result).toMatchObject({
      pupilExternalId: pupil.externalId,
      aspect: { name: `${aspect.name}: Reading`, gradeSet: aspect.gradeSet },
      value: expected.value,
      assessedOn: expected.assessedOn,
      periodLabel: expected.periodLabel,
    });
    expect(result.aspect.key).toMatch(/^\d+\/11$/);
    expect(result.modifiedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('leaves out targets and predictions, and says how many it skipped', async () => {
    const fake = await fakeAssembly();
    const school = fake.school();
    const targets = school.results.filter((r) => r.record.facet_id === FACETS.target).length;

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(outcome.results).toHaveLength(schoolOf(60).results.length);
    const skipped = outcome.events.filter((e) => e.code === 'facet_skipped');
    expect(skipped.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`Skipped ${targets} results whose facet is "target"`),
      ]),
    );
  });

  it('takes targets too when the settings map that facet', async () => {
    const fake = await fakeAssembly();
    const all = fake.school().results;
    const wanted = all.filter((r) => r.record.facet_id !== FACETS.prediction).length;

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake, { facets: ['achieved', 'target'] }),
      secrets: secretsFor(fake),
    });

    expect(outcome.results).toHaveLength(wanted);
  });

  it('reads the rest of a page when one record in it cannot be read', async () => {
    const fake = await fakeAssembly();
    const data = fake.school();
    const student = data.students[3]!;
    student.record = { ...student.record, first_name: null, legal_first_name: null };
    const result = data.results[0]!;
    result.record = { ...result.record, grade_id: 999_999 };

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toHaveLength(59);
    expect(outcome.results).toHaveLength(schoolOf(60).results.length - 1);
    expect(outcome.problems).toEqual([
      expect.objectContaining({
        location: '/students?demographics=true&page=1&per_page=500',
        field: 'first_name',
        code: 'name_missing',
      }),
      expect.objectContaining({ field: 'grade_id', code: 'grade_unknown' }),
    ]);
    expect(outcome.problems[1]!.message).toContain('not in the grade set of "Reading Attainment"');
  });

  it('takes no result and says why when the facet field in the settings is wrong', async () => {
    const fake = await fakeAssembly();

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake, { facetField: 'aspect_id' }),
      secrets: secretsFor(fake),
    });

    expect(outcome.results).toEqual([]);
    const skipped = outcome.events.find((e) => e.code === 'facet_skipped');
    expect(skipped?.message).toContain('results that name no facet');
  });

  it('gives an incremental pull only what changed since the last pull', async () => {
    const fake = await fakeAssembly({ pupils: 300 });
    const config = configFor(fake);
    const full = await collectPull(assemblyConnector, { config, secrets: secretsFor(fake) });
    const changed = fake.changeResults(5);
    const changedPupils = fake.changePupils(2);

    const delta = await collectPull(assemblyConnector, {
      config,
      secrets: secretsFor(fake),
      mode: 'incremental',
      cursor: full.summary!.cursor,
    });

    expect(delta.error).toBeNull();
    expect(delta.summary?.complete).toBe(false);
    expect(delta.results.map((r) => ({ id: r.externalId, value: r.value }))).toEqual(
      expect.arrayContaining(changed),
    );
    expect(delta.results).toHaveLength(changed.length);
    expect(delta.pupils.map((p) => p.externalId).sort()).toEqual(changedPupils.sort());
    expect(fake.requests.some((r) => r.headers['if-modified-since'])).toBe(true);
  });

  it('ends an incremental pull with nothing when Assembly answers 304 Not Modified', async () => {
    const fake = await fakeAssembly();
    const config = configFor(fake);
    const full = await collectPull(assemblyConnector, { config, secrets: secretsFor(fake) });

    const delta = await collectPull(assemblyConnector, {
      config,
      secrets: secretsFor(fake),
      mode: 'incremental',
      cursor: full.summary!.cursor,
    });

    expect(delta.error).toBeNull();
    expect(delta.pupils).toEqual([]);
    expect(delta.results).toEqual([]);
    expect(delta.deletions).toEqual([]);
    expect(delta.summary!.cursor).toMatchObject({ v: 1, since: expect.any(String) });
  });

  it('reports pupils who left as deletions, in full and incremental pulls', async () => {
    const fake = await fakeAssembly();
    const config = configFor(fake);
    const full = await collectPull(assemblyConnector, { config, secrets: secretsFor(fake) });
    const left = fake.leave(2);

    const delta = await collectPull(assemblyConnector, {
      config,
      secrets: secretsFor(fake),
      mode: 'incremental',
      cursor: full.summary!.cursor,
    });

    expect(delta.deletions.map((d) => d.externalId).sort()).toEqual(left.sort());
    expect(delta.deletions[0]).toMatchObject({ entity: 'pupil', at: expect.stringMatching(/T/) });
  });

  it('resumes after a failure in the results without skipping or repeating a record', async () => {
    const school = schoolOf(1500);
    const fake = await fakeAssembly({
      pupils: 1500,
      faults: { serverError: { path: '/results', from: 4 } },
    });
    const config = configFor(fake, { studentsPerResultsRequest: 100, resultsPageSize: 400 });

    const first = await collectPull(assemblyConnector, { config, secrets: secretsFor(fake) });
    expect(connectorError(first.error)).toMatchObject({ code: 'server_error', attempts: 3 });
    expect(first.results.length).toBeGreaterThan(0);

    fake.setFaults({});
    const second = await collectPull(assemblyConnector, {
      config,
      secrets: secretsFor(fake),
      resumeFrom: first.checkpoints.at(-1)!,
    });

    expect(second.error).toBeNull();
    expect(second.summary?.complete).toBe(true);
    const pupils = [...first.pupils, ...second.pupils].map((p) => p.externalId);
    const results = [...first.results, ...second.results].map((r) => r.externalId);
    expect(repeated(pupils)).toEqual([]);
    expect(repeated(results)).toEqual([]);
    expect(pupils).toHaveLength(school.pupils.length);
    expect(results).toHaveLength(school.results.length);
  });

  it('resumes after a failure in the pupils without skipping or repeating one', async () => {
    const school = schoolOf(1500);
    const fake = await fakeAssembly({
      pupils: 1500,
      faults: { serverError: { path: '/students', page: 3 } },
    });
    const config = configFor(fake, { pageSize: 200 });

    const first = await collectPull(assemblyConnector, { config, secrets: secretsFor(fake) });
    expect(connectorError(first.error).code).toBe('server_error');
    expect(first.pupils).toHaveLength(400);

    fake.setFaults({});
    const second = await collectPull(assemblyConnector, {
      config,
      secrets: secretsFor(fake),
      resumeFrom: first.checkpoints.at(-1)!,
    });

    const pupils = [...first.pupils, ...second.pupils].map((p) => p.externalId);
    expect(repeated(pupils)).toEqual([]);
    expect(pupils).toHaveLength(school.pupils.length);
    expect(second.results).toHaveLength(school.results.length);
  });

  it('renews a token that expires mid-pull once, and carries on', async () => {
    const fake = await fakeAssembly({ faults: { expireAfterRequests: 4 } });

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(outcome.error).toBeNull();
    expect(outcome.summary?.complete).toBe(true);
    expect(requestsTo(fake, '/oauth/token')).toHaveLength(1);
    expect(outcome.events.map((e) => e.code)).toContain('token_refreshed');
  });

  it('asks for a token first when the settings hold only the refresh token', async () => {
    const fake = await fakeAssembly();
    const { accessToken: _unused, ...secrets } = secretsFor(fake);

    const outcome = await collectPull(assemblyConnector, { config: configFor(fake), secrets });

    expect(outcome.error).toBeNull();
    expect(requestsTo(fake, '/oauth/token')).toHaveLength(1);
  });

  it('stops at a next page that points back at itself, as a pagination loop', async () => {
    const fake = await fakeAssembly({ faults: { loop: { path: '/students', page: 1 } } });

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake, { pageSize: 20 }),
      secrets: secretsFor(fake),
    });

    const error = connectorError(outcome.error);
    expect(error).toMatchObject({ category: 'bad_data', code: 'pagination_loop' });
    expect(error.message).toContain('page 1 of /students points on to page 1');
    expect(requestsTo(fake, '/students')).toHaveLength(1);
  });

  it('does not call a pull complete when pupils left between its pages', async () => {
    const fake = await fakeAssembly({
      pupils: 300,
      faults: { leaveBetweenPages: { afterPage: 1, count: 3 } },
    });

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake, { pageSize: 100 }),
      secrets: secretsFor(fake),
    });

    expect(outcome.error).toBeNull();
    expect(outcome.summary?.complete).toBe(false);
    expect(outcome.events.map((e) => e.code)).toContain('rosterTotal_changed');
  });

  it('never asks for contacts, addresses, photos, care, SEN needs or languages', async () => {
    const fake = await fakeAssembly();

    await collectPull(assemblyConnector, { config: configFor(fake), secrets: secretsFor(fake) });

    const forbidden = /[?&](contacts|addresses|photo|care|ever_in_care|sen_needs|languages)=/;
    expect(fake.requests.filter((r) => forbidden.test(r.url))).toEqual([]);
    expect(requestsTo(fake, '/contacts')).toEqual([]);
  });

  it('warns, naming the scope, when Assembly sends pupils without demographics', async () => {
    const fake = await fakeAssembly({ faults: { missingScopes: ['students.demographics'] } });

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(outcome.error).toBeNull();
    expect(outcome.pupils[0]).toMatchObject({ sex: null, senStatus: null, eal: null });
    const warning = outcome.events.find((e) => e.code === 'demographics_missing');
    expect(warning?.message).toContain('"students.demographics"');
  });

  it('reads the v1.0 body envelope when the settings ask for that version', async () => {
    const fake = await fakeAssembly();

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake, { apiVersion: '1.0', pageSize: 25 }),
      secrets: secretsFor(fake),
    });

    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toHaveLength(60);
    expect(outcome.results).toHaveLength(schoolOf(60).results.length);
  });

  it('stops between pages when the run is cancelled', async () => {
    const fake = await fakeAssembly({ pupils: 300 });
    const controller = new AbortController();
    const pull = assemblyConnector.pull({
      config: configFor(fake, { pageSize: 100 }),
      secrets: secretsFor(fake),
      mode: 'full',
      resumeFrom: null,
      cursor: null,
      file: null,
      signal: controller.signal,
      log: () => {},
    });

    const first = await pull.next();
    controller.abort();
    const error = await pull.next().then(
      () => null,
      (thrown: unknown) => thrown,
    );

    expect(first.done).toBe(false);
    expect(connectorError(error).code).toBe('aborted');
    expect(requestsTo(fake, '/students')).toHaveLength(1);
  });

  it('keeps each page as received, labelled by its path and query', async () => {
    const fake = await fakeAssembly();

    const outcome = await collectPull(assemblyConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(outcome.rawLabels[0]).toBe('GET /students?demographics=true&page=1&per_page=500');
    expect(outcome.rawLabels).toContain('GET /students/left?page=1&per_page=500');
    expect(outcome.rawLabels.some((label) => label.startsWith('GET /results?students='))).toBe(
      true,
    );
  });
});
