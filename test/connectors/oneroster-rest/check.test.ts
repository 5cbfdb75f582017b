import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { OneRosterRestFake } from '../../../src/fakes/oneroster-rest/index.ts';
import {
  configFor,
  connector,
  OTHER_SCHOOL,
  requestsTo,
  SMALL_SCHOOL,
  secretsFor,
  startFake,
} from './helpers.ts';

function checkWith(
  fake: OneRosterRestFake,
  config: Record<string, unknown> = {},
  secrets = secretsFor(fake),
) {
  return connector.check({
    config: configFor(fake, config),
    secrets,
    signal: new AbortController().signal,
  });
}

const PUPILS = SMALL_SCHOOL.pupils.length;

describe('OneRoster check connection', () => {
  it("succeeds with the school's name and the number of pupils listed", async () => {
    const fake = await startFake();

    const result = await checkWith(fake);

    expect(result).toMatchObject({
      ok: true,
      category: null,
      message: `Connected to OneRoster: ${SMALL_SCHOOL.name}, ${PUPILS} pupils listed.`,
      details: {
        school: SMALL_SCHOOL.name,
        schoolIdentifier: SMALL_SCHOOL.laestab,
        pupils: String(SMALL_SCHOOL.pupils.length),
        assessmentResults: 'not offered',
      },
    });
    expect(result.details.scopes).toContain('roster.readonly');
  });

  it('says the assessment results are offered where they are', async () => {
    const fake = await startFake({ offerAssessmentResults: true });

    const result = await checkWith(fake);

    expect(result).toMatchObject({ ok: true, details: { assessmentResults: 'offered' } });
  });

  it('names a wrong client secret as an auth problem', async () => {
    const fake = await startFake();

    const result = await checkWith(fake, {}, { clientSecret: 'not-the-secret' });

    expect(result).toMatchObject({
      ok: false,
      category: 'auth',
      details: { code: 'http_unauthorized' },
    });
    expect(result.message).toContain('did not accept the client id and secret (401)');
    expect(result.message).toContain('invalid_client');
  });

  it('names revoked access as an auth problem', async () => {
    const fake = await startFake();
    fake.revokeAccess();

    const result = await checkWith(fake);

    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toContain('revoked');
  });

  it('names the scope the token lacks, from the scopes the server granted', async () => {
    const fake = await startFake({
      grantedScopes: ['roster.readonly', 'gradebook-core.readonly'],
    });

    const result = await checkWith(fake);

    expect(result).toMatchObject({
      ok: false,
      category: 'auth',
      details: { code: 'scope_missing', missingScopes: 'roster-demographics.readonly' },
    });
    expect(result.message).toContain('roster-demographics.readonly');
    expect(result.message).toContain("pupils' dates of birth and sex");
    expect(requestsTo(fake, '/demographics')).toHaveLength(0);
  });

  it('names the missing scope from the 403 when the server does not list scopes', async () => {
    const fake = await startFake({
      echoScope: false,
      grantedScopes: ['roster.readonly', 'roster-demographics.readonly'],
    });

    const result = await checkWith(fake);

    expect(result).toMatchObject({
      ok: false,
      category: 'auth',
      details: { code: 'http_forbidden' },
    });
    expect(result.message).toContain('gradebook-core.readonly');
  });

  it('names the full rostering scope that a school-scoped student list needs', async () => {
    const fake = await startFake({
      grantedScopes: ['roster-core.readonly', 'roster-demographics.readonly', 'gradebook.readonly'],
    });

    const result = await checkWith(fake);

    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toContain('scope roster.readonly, which it needs to read the list');
  });

  it('carries on without assessments when a strict server refuses their scope', async () => {
    const fake = await startFake({
      rejectUngrantedScopes: true,
      grantedScopes: ['roster.readonly', 'roster-demographics.readonly', 'gradebook.readonly'],
    });

    const result = await checkWith(fake);

    expect(result).toMatchObject({
      ok: true,
      details: { assessmentResults: 'not granted (scope assessment.readonly)' },
    });
    expect(requestsTo(fake, '/oauth/token')).toHaveLength(2);
  });

  it('names an unknown school id as config and lists the schools the server knows', async () => {
    const fake = await startFake({ schools: [SMALL_SCHOOL, OTHER_SCHOOL] });

    const result = await checkWith(fake, { schoolSourcedId: 'org-000000' });

    expect(result).toMatchObject({
      ok: false,
      category: 'config',
      details: { code: 'school_unknown' },
    });
    expect(result.message).toContain('does not know the school id "org-000000"');
    expect(result.message).toContain(`${OTHER_SCHOOL.name} (${fake.schoolId(1)})`);
  });

  it('names a host that does not exist as a config problem with the address', async () => {
    const fake = await startFake();
    const host = 'https://oneroster.eu-west-9.no-such-host.invalid';

    const result = await checkWith(fake, { baseUrl: host, tokenUrl: `${host}/oauth/token` });

    expect(result).toMatchObject({
      ok: false,
      category: 'config',
      details: { code: 'host_not_found' },
    });
    expect(result.message).toContain('token URL');
  });

  it('names a host that refuses connections as transient', async () => {
    const fake = await startFake();
    const closed = await startFake();
    const dead = closed.url;
    await closed.close();

    const result = await checkWith(fake, { baseUrl: dead, tokenUrl: `${dead}/oauth/token` });

    expect(result).toMatchObject({
      ok: false,
      category: 'transient',
      details: { code: 'connection_refused' },
    });
  });

  it('names a certificate that cannot be verified as config', async () => {
    const fixtures = new URL('../http/fixtures/', import.meta.url);
    const server = createHttpsServer(
      {
        key: readFileSync(new URL('test-only-self-signed.key.pem', fixtures)),
        cert: readFileSync(new URL('test-only-self-signed.cert.pem', fixtures)),
      },
      (_req, res) => res.end('{}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fake = await startFake();

    const result = await checkWith(fake, { baseUrl: origin, tokenUrl: `${origin}/oauth/token` });

    expect(result).toMatchObject({
      ok: false,
      category: 'config',
      details: { code: 'certificate_invalid' },
    });
    expect(result.message).toContain('certificate');
  });

  it('names a wrong token URL as config', async () => {
    const fake = await startFake();

    const result = await checkWith(fake, { tokenUrl: `${fake.url}/oauth2/v1/token` });

    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toContain('no OneRoster token service at the token address');
  });

  it('names a wrong rostering path as config', async () => {
    const fake = await startFake();

    const result = await checkWith(fake, { rosteringPath: '/oneroster/v1p2' });

    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toContain('school id');
  });

  it('fails when assessment results are required but not offered', async () => {
    const fake = await startFake();

    const result = await checkWith(fake, { assessmentResults: 'on' });

    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toContain('assessmentPath');
  });
});
