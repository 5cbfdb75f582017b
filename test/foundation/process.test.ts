import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDatabase } from '../support/database.ts';
import { freePort, spawnEntry, waitFor200 } from '../support/process.ts';

const MAIN = 'src/main.ts';

describe('npm start', () => {
  it('makes its embedded database, becomes ready, and stops on SIGTERM', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'nss-start-')), 'data');
    const port = await freePort();
    const service = spawnEntry(MAIN, { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    try {
      await waitFor200(`http://127.0.0.1:${port}/readyz`, 60_000);
      expect(existsSync(path.join(dataDir, 'pglite'))).toBe(true);
      expect(existsSync(path.join(dataDir, 'secret.key'))).toBe(true);
    } finally {
      service.child.kill('SIGTERM');
    }
    expect(await service.exited).toBe(0);
    expect(service.stdout()).toContain('"msg":"service stopped"');
  }, 90_000);

  it('stops at a bad variable with one line and exit code 1', async () => {
    const service = spawnEntry(MAIN, { PORT: 'eighty' });
    expect(await service.exited).toBe(1);
    expect(service.stderr()).toBe(
      'Configuration error: PORT must be a whole number (got "eighty").\n',
    );
  }, 20_000);

  it('stops with one line when the database does not answer', async () => {
    const port = await freePort();
    const service = spawnEntry(MAIN, {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nexus`,
      SECRET_KEY: 'b'.repeat(64),
    });
    expect(await service.exited).toBe(1);
    expect(service.stderr()).toBe(
      'Cannot start: the database did not answer (ECONNREFUSED). Check DATABASE_URL.\n',
    );
  }, 20_000);
});

describe.runIf(process.env.TEST_DATABASE_URL)('npm start on PostgreSQL', () => {
  it('migrates a fresh database and is ready', async () => {
    const database = await testDatabase({ migrate: false });
    const port = await freePort();
    const service = spawnEntry(MAIN, {
      PORT: String(port),
      DATABASE_URL: database.url!,
      SECRET_KEY: 'c'.repeat(64),
    });
    try {
      await waitFor200(`http://127.0.0.1:${port}/readyz`, 60_000);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready', database: 'postgres' });
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
      await database.close();
    }
  }, 90_000);
});
