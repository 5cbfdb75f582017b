import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

const KEY = 'a'.repeat(64);

function problem(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('runs on the embedded database in ./data with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: null,
      dataDir: './data',
      secretKey: null,
      logLevel: 'info',
    });
  });

  it('reads PostgreSQL settings and decodes a hex SECRET_KEY', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/nexus',
      SECRET_KEY: KEY,
      LOG_LEVEL: 'warn',
    });
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/nexus');
    expect(config.secretKey).toEqual(Buffer.alloc(32, 0xaa));
  });

  it('accepts a base64 SECRET_KEY of 32 bytes', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ SECRET_KEY: key }).secretKey).toEqual(Buffer.alloc(32, 7));
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });

  it('names a non-numeric PORT and shows the value given', () => {
    expect(problem({ PORT: 'eighty' })).toBe(
      'Configuration error: PORT must be a whole number (got "eighty").',
    );
  });

  it('names a PORT out of range', () => {
    expect(problem({ PORT: '70000' })).toBe(
      'Configuration error: PORT must be between 1 and 65535 (got "70000").',
    );
  });

  it('lists the accepted LOG_LEVEL values', () => {
    expect(problem({ LOG_LEVEL: 'verbose' })).toBe(
      'Configuration error: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, ' +
        'silent (got "verbose").',
    );
  });

  it('requires SECRET_KEY with DATABASE_URL, without echoing the URL', () => {
    const message = problem({ DATABASE_URL: 'postgres://sync:hunter2@db.internal/nexus' });
    expect(message).toMatch(/^Configuration error: SECRET_KEY is required with DATABASE_URL/);
    expect(message).not.toContain('hunter2');
  });

  it('refuses a DATABASE_URL that is not PostgreSQL without echoing it', () => {
    const message = problem({ DATABASE_URL: 'mysql://root:pw@localhost/x', SECRET_KEY: KEY });
    expect(message).toBe(
      'Configuration error: DATABASE_URL must be a PostgreSQL URL such as ' +
        'postgres://user@host:5432/name.',
    );
  });

  it('refuses a short SECRET_KEY without echoing it', () => {
    const message = problem({ SECRET_KEY: 'abc123' });
    expect(message).toBe(
      'Configuration error: SECRET_KEY must be 32 bytes written as 64 hex characters or as base64.',
    );
  });

  it('gives one line for each bad variable', () => {
    expect(problem({ PORT: '0', COOKIE_SECURE: 'maybe' }).split('\n')).toEqual([
      'Configuration error: PORT must be between 1 and 65535 (got "0").',
      'Configuration error: COOKIE_SECURE must be true or false (got "maybe").',
    ]);
  });
});
