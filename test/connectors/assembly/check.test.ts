import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type AssemblyConfig,
  type AssemblySecrets,
  assemblyConnector,
} from '../../../src/connectors/assembly/index.ts';
import { configFor, fakeAssembly, requestsTo, secretsFor } from './helpers.ts';

const fixtures = new URL('../http/fixtures/', import.meta.url);

function check(config: AssemblyConfig, secrets: AssemblySecrets) {
  return assemblyConnector.check({ config, secrets, signal: new AbortController().signal });
}

describe('Assembly check connection', () => {
  it('names the school and counts its pupils when everything is in order', async () => {
    const fake = await fakeAssembly({ pupils: 60 });

    const result = await check(configFor(fake), secretsFor(fake));

    expect(result).toMatchObject({ ok: true, category: null });
    expect(result.message).toContain(
      'Connected to Oakfield Primary Academy in Assembly: 60 pupils',
    );
    expect(result.details).toMatchObject({
      school: 'Oakfield Primary Academy',
      urn: '140123',
      pupils: '60',
      assemblySchoolId: '1001',
    });
  });

  it('says the client id and secret are wrong when Assembly refuses them', async () => {
    const fake = await fakeAssembly();
    const secrets = { ...secretsFor(fake), clientSecret: 'cs_wrong_0123456789abcdef' };

    const result = await check(configFor(fake), secrets);

    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toContain('did not accept the client id and secret');
  });

  it("says the school's approval was withdrawn when its token is revoked", async () => {
    const fake = await fakeAssembly({ faults: { revoked: true } });

    const result = await check(configFor(fake), secretsFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toContain('Ask the school to approve the Next Steps Sync app again');
  });

  it('renews an expired access token and succeeds', async () => {
    const fake = await fakeAssembly();
    fake.expireTokens();

    const result = await check(configFor(fake), secretsFor(fake));

    expect(result.ok).toBe(true);
    const grants = requestsTo(fake, '/oauth/token').length;
    expect(grants).toBe(2); // the client-credentials check and one refresh
  });

  it('names a missing results scope', async () => {
    const fake = await fakeAssembly({ faults: { missingScopes: ['results'] } });

    const result = await check(configFor(fake), secretsFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toContain('grant the "results" scope');
  });

  it('names a missing demographics scope, though pupils can be read', async () => {
    const fake = await fakeAssembly({ faults: { missingScopes: ['students.demographics'] } });

    const result = await check(configFor(fake), secretsFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'auth' });
    expect(result.message).toContain('"students.demographics" scope');
    expect(result.details.pupils).toBe('60');
  });

  it('says the token is for another school when the Assembly school id differs', async () => {
    const fake = await fakeAssembly();

    const result = await check(configFor(fake, { schoolId: '4242' }), secretsFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toContain('The Assembly token is for Oakfield Primary Academy');
    expect(result.message).toContain('Assembly id 4242');
  });

  it('says the token is for another school when the URN differs', async () => {
    const fake = await fakeAssembly();

    const result = await check(configFor(fake, { schoolUrn: '100001' }), secretsFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toContain('URN 100001');
  });

  it('points at the sign-in server when the OAuth host does not exist', async () => {
    const fake = await fakeAssembly();

    const result = await check(
      configFor(fake, { authUrl: 'https://platform.assembly.invalid' }),
      secretsFor(fake),
    );

    expect(result).toMatchObject({
      ok: false,
      category: 'config',
      details: { code: 'host_not_found' },
    });
    expect(result.message).toContain("Assembly's sign-in server");
  });

  it('says an API host that does not exist is a settings problem', async () => {
    const fake = await fakeAssembly();

    const result = await check(
      configFor(fake, { apiUrl: 'https://api.assembly.invalid' }),
      secretsFor(fake),
    );

    expect(result).toMatchObject({
      ok: false,
      category: 'config',
      details: { code: 'host_not_found' },
    });
    expect(result.message).toContain('Check the regional host');
  });

  it('says an unreachable host may be down, as transient', async () => {
    const fake = await fakeAssembly();
    const url = fake.url;
    await fake.close();

    const result = await check(configFor({ ...fake, url }), secretsFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'transient' });
    expect(result.message).toContain('refused the connection');
  });

  it('reports a certificate that cannot be verified', async () => {
    const tls = {
      key: readFileSync(new URL('test-only-self-signed.key.pem', fixtures)),
      cert: readFileSync(new URL('test-only-self-signed.cert.pem', fixtures)),
    };
    const fake = await fakeAssembly({ tls });

    const result = await check(configFor(fake), secretsFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.details.code).toBe('certificate_invalid');
  });

  it('says which API version Assembly does not support', async () => {
    const fake = await fakeAssembly();

    const result = await check(configFor(fake, { apiVersion: '2.0' }), secretsFor(fake));

    expect(result).toMatchObject({ ok: false, category: 'config' });
    expect(result.message).toContain('API version 2.0');
  });
});
