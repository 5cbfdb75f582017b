import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ArborConfig, arborConnector } from '../../../src/connectors/arbor/index.ts';
import { configFor, fakeArbor, SECRETS } from './helpers.ts';

const fixtures = new URL('../http/fixtures/', import.meta.url);
const tls = {
  key: readFileSync(new URL('test-only-self-signed.key.pem', fixtures)),
  cert: readFileSync(new URL('test-only-self-signed.cert.pem', fixtures)),
};

function check(config: ArborConfig, secrets = SECRETS) {
  return arborConnector.check({ config, secrets, signal: new AbortController().signal });
}

describe('checking an Arbor connection', () => {
  it('says what it could read when everything is in order', async () => {
    const fake = await fakeArbor();

    const result = await check(configFor(fake));

    expect(result).toMatchObject({ ok: true, category: null });
    expect(result.message).toContain('Connected to Arbor at 127.0.0.1');
    expect(result.details).toMatchObject({ pupilsFound: 'yes', revision: '1' });
  });

  it('says the username or password is wrong', async () => {
    const fake = await fakeArbor();

    const result = await check(configFor(fake), { password: 'not-the-password' });

    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toContain('refused the API username and password (401)');
    expect(result.details.code).toBe('http_unauthorized');
  });

  it('says the password was regenerated, when the old one stops working', async () => {
    const fake = await fakeArbor({ faults: { credentials: 'rotated' } });

    const result = await check(configFor(fake));

    expect(result.message).toContain('if its password was regenerated there, paste the new one');
  });

  it('says the school has switched the application off', async () => {
    const fake = await fakeArbor({ faults: { credentials: 'revoked' } });

    const result = await check(configFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.details.code).toBe('http_forbidden');
    expect(result.message).toContain('This application is not enabled for this school');
  });

  it('names every permission that is missing, not just the first', async () => {
    const fake = await fakeArbor({
      faults: { forbidden: ['sen-status-assignments', 'student-progress-assessment-marks'] },
    });

    const result = await check(configFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toContain(
      'may not read SEN statuses (SenStatusAssignment), ' +
        'assessment marks (StudentProgressAssessmentMark)',
    );
  });

  it('finds names it may not read even when Arbor answers instead of refusing', async () => {
    const fake = await fakeArbor({ faults: { stripped: ['people'] } });

    const result = await check(configFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toContain("may not read pupils' names (Person)");
  });

  it('says no Arbor school answers at the address given', async () => {
    const fake = await fakeArbor({ faults: { wrongSchool: true } });

    const result = await check(configFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toContain('No Arbor school answers at');
  });

  it('says the host does not exist', async () => {
    const fake = await fakeArbor();

    const result = await check({ ...configFor(fake), host: 'greenfeld-primary.invalid' });

    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toContain('There is no server called greenfeld-primary.invalid');
  });

  it('says the certificate could not be verified', async () => {
    const fake = await fakeArbor({ tls });

    const result = await check(configFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.details.code).toBe('certificate_invalid');
  });

  it('says Arbor is unreachable for now when it keeps failing', async () => {
    const fake = await fakeArbor({ faults: { serverError: {} } });

    const result = await check(configFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'transient' });
  });
});

describe('the Arbor host setting', () => {
  it('accepts a school name, a host or an address, and rejects what cannot be one', () => {
    const parse = (host: string) =>
      arborConnector.configSchema.safeParse({ host, username: 'app' }).success;

    expect(parse('greenfield')).toBe(true);
    expect(parse('greenfield.uk.arbor.sc')).toBe(true);
    expect(parse('https://greenfield.uk.arbor.sc/rest-v2/')).toBe(true);
    expect(parse('ftp://greenfield.uk.arbor.sc')).toBe(false);
    expect(parse('https://user:pw@greenfield.uk.arbor.sc')).toBe(false);
    expect(parse('')).toBe(false);
  });
});
