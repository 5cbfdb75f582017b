import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeSecretKey } from '../config/index.ts';

/**
 * Connector secrets at rest: AES-256-GCM under SECRET_KEY. A sealed value is
 * version byte (1) | 12-byte nonce | 16-byte tag | ciphertext.
 */

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function sealSecrets(key: Buffer, secrets: Record<string, unknown>): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
}

export function openSecrets(key: Buffer, sealed: Buffer): Record<string, unknown> {
  if (sealed[0] !== VERSION) {
    throw new SecretsError('The stored connector secrets are in an unknown format.');
  }
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
  const body = sealed.subarray(1 + NONCE_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAuthTag(tag);
    const text = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new SecretsError(
      'The connector secrets cannot be decrypted with this SECRET_KEY: was the key changed? ' +
        'Restore the old key, or enter the source credentials again.',
    );
  }
}

export class SecretsError extends Error {
  override name = 'SecretsError';
}

/**
 * On the embedded database the key is made once and kept beside it in DATA_DIR, readable by the
 * service's user only. With PostgreSQL it must come from SECRET_KEY, shared by every instance.
 */
export function embeddedSecretKey(dataDir: string): Buffer {
  const file = path.resolve(dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = decodeSecretKey(readFileSync(file, 'utf8'));
    if (!key) throw new SecretsError(`${file} does not hold a 32-byte key in hex.`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
