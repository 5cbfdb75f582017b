import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type WondeConfig, wondeConnector } from '../../../src/connectors/wonde/index.ts';
import type { WondeFake, WondeFakeOptions } from '../../../src/fakes/wonde/index.ts';
import { configFor, fakeWith, QUICK_HTTP, schoolOf, secretsFor } from './helpers.ts';

const fixtures = new URL('./fixtures/', import.meta.url);
const tls = {
  key: readFileSync(new URL('test-only-self-signed.key.pem', fixtures)),
  cert: readFileSync(new URL('test-only-self-signed.cert.pem', fixtures)),
};

let fake: WondeFake;

afterEach(async () => {
  await fake.close();
});

async function check(
  options: Partial<WondeFakeOptions> = {},
  overrides: Partial<WondeConfig> = {},
) {
  fake = await fakeWith(schoolOf(80), options);
  return wondeConnector.check({
    config: configFor(fake, overrides),
    secrets: secretsFor(fake),
    signal: new AbortController().signal,
  });
}

describe("Wonde's check connection", () => {
  it("succeeds with the school's name and its number of pupils", async () => {
    const result = await check();
    expect(result).toMatchObject({
      ok: true,
      category: null,
      details: { school: 'Oakfield Primary Academy', schoolId: fake.store().id, pupils: '80' },
    });
    expect(result.message).toBe(
      'Connected to Oakfield Primary Academy in Wonde: 80 pupils on roll.',
    );
  });

  it('says a revoked token must be replaced', async () => {
    const result = await check({ faults: { token: 'revoked' } });
    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toMatch(/refused the API token \(401\)/);
  });

  it('says a token that is not the one Wonde issued is refused', async () => {
    fake = await fakeWith(schoolOf(80));
    const result = await wondeConnector.check({
      config: configFor(fake),
      secrets: { token: 'not-the-token-at-all' },
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toMatch(/Wonde refused the API token/);
  });

  it('works with the token sent as Basic user name, which Wonde also accepts', async () => {
    const result = await check({}, { authScheme: 'basic' });
    expect(result.ok).toBe(true);
    expect(fake.requests[0]?.headers.authorization).toMatch(/^Basic /);
  });

  it('names an unknown school id', async () => {
    const result = await check({}, { schoolId: 'A1000000009' });
    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toMatch(/does not know school A1000000009/);
  });

  it('says when the school has not yet approved the app', async () => {
    const result = await check({ schools: [{ school: schoolOf(80), access: 'pending' }] });
    expect(result).toMatchObject({ ok: false, category: 'auth', details: { access: 'pending' } });
    expect(result.message).toMatch(/has not yet approved Next Steps Sync/);
  });

  it('says when the school has revoked access', async () => {
    const result = await check({ schools: [{ school: schoolOf(80), access: 'revoked' }] });
    expect(result).toMatchObject({ ok: false, category: 'auth', details: { access: 'revoked' } });
    expect(result.message).toMatch(/has revoked Next Steps Sync's access/);
  });

  it('says the regional host is wrong when Wonde answers with no data', async () => {
    const result = await check({ faults: { wrongRegion: true } });
    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toMatch(/Check the regional host/);
  });

  it('names each withheld student permission', async () => {
    const result = await check({
      faults: { missingScopes: ['extended_details', 'date_of_birth'] },
    });
    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toMatch(
      /"student extended details" and "student date of birth" permissions/,
    );
  });

  it('names a withheld assessment permission', async () => {
    const result = await check({ faults: { missingScopes: ['assessment'] } });
    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toMatch(/"assessment" permission/);
  });

  it('says the host cannot be reached', async () => {
    fake = await fakeWith(schoolOf(10));
    const url = fake.url;
    await fake.close();
    fake = await fakeWith(schoolOf(10));
    const result = await wondeConnector.check({
      config: { ...configFor(fake), baseUrl: url },
      secrets: secretsFor(fake),
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ ok: false, category: 'transient' });
    expect(result.message).toMatch(/refused the connection/);
  });

  it('says the certificate could not be verified', async () => {
    const result = await check({ tls });
    expect(fake.url).toMatch(/^https:/);
    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toMatch(/certificate/);
  });

  it('says a host name that does not exist was not found', async () => {
    const result = await check(
      {},
      { baseUrl: 'https://api.wonde.invalid/v1.0/', http: { ...QUICK_HTTP, attempts: 1 } },
    );
    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toMatch(/host was not found/);
  });
});
