import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/logging.ts';
import { buildApp } from '../../src/web/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';

let database: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  database = await testDatabase();
  app = await buildApp(
    {
      config: loadConfig({}),
      database,
      logger: createLogger('silent'),
      secretKey: Buffer.alloc(32, 1),
      clock: { now: () => new Date('2026-12-03T09:00:00Z'), today: () => '2026-12-03' },
    },
    { scheduler: false },
  );
});
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('health probes', () => {
  it('answers /healthz while the process is up', async () => {
    const response = await app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with the engine once migrations are applied', async () => {
    const response = await app.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', database: database.engine });
  });

  it('answers /readyz with 503 when migrations are missing', async () => {
    await database.db.execute(sql`delete from drizzle.__drizzle_migrations`);
    const response = await app.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(503);
  });

  it('asks a visitor to an unknown API path to sign in, revealing nothing', async () => {
    const response = await app.inject({ url: '/api/v1/nowhere' });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthenticated');
  });
});
