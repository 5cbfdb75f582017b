import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  embeddedSecretKey,
  openSecrets,
  SecretsError,
  sealSecrets,
} from '../../src/security/secrets.ts';

const key = Buffer.alloc(32, 3);
const wondeSecrets = { token: 'wonde-live-4f9a8c1e2d3b', schoolId: 'A1930499544' };

describe('connector secrets at rest', () => {
  it('opens what it sealed', () => {
    expect(openSecrets(key, sealSecrets(key, wondeSecrets))).toEqual(wondeSecrets);
  });

  it('never stores the secret in the clear', () => {
    const sealed = sealSecrets(key, wondeSecrets);
    expect(sealed.toString('latin1')).not.toContain('wonde-live');
  });

  it('seals the same secret differently each time', () => {
    expect(sealSecrets(key, wondeSecrets).equals(sealSecrets(key, wondeSecrets))).toBe(false);
  });

  it('refuses to open with another key, saying what to do', () => {
    const sealed = sealSecrets(key, wondeSecrets);
    expect(() => openSecrets(Buffer.alloc(32, 4), sealed)).toThrow(SecretsError);
    expect(() => openSecrets(Buffer.alloc(32, 4), sealed)).toThrow(/was the key changed/);
  });

  it('refuses a tampered value', () => {
    const sealed = sealSecrets(key, wondeSecrets);
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
    expect(() => openSecrets(key, sealed)).toThrow(SecretsError);
  });

  it('makes the embedded key once, readable by its owner only, and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nss-key-'));
    const first = embeddedSecretKey(dir);
    const second = embeddedSecretKey(dir);
    expect(first).toHaveLength(32);
    expect(second.equals(first)).toBe(true);
    const file = path.join(dir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
  });
});
