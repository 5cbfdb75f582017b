import type { FastifyInstance } from 'fastify';
import type { Grant } from '../../src/access/principal.ts';
import { createApiToken, createUser } from '../../src/access/users.ts';
import { SYSTEM_ACTOR } from '../../src/audit.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { ServiceContext } from '../../src/context.ts';
import { createLogger } from '../../src/logging.ts';
import { buildApp } from '../../src/web/app.ts';
import type { TestDatabase } from './database.ts';
import { TODAY } from './fixtures.ts';

export const PASSWORD = 'correct horse battery staple';

export function testContext(database: TestDatabase): ServiceContext {
  return {
    config: loadConfig({ COOKIE_SECURE: 'false', SCHEDULER: 'false' }),
    database,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    secretKey: Buffer.alloc(32, 9),
    clock: { now: () => new Date(), today: () => TODAY },
  };
}

export async function testApp(database: TestDatabase): Promise<FastifyInstance> {
  return buildApp(testContext(database), { scheduler: false });
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
  auth: { authorization: string };
}

/** A user with the given roles and an API token. */
export async function userWith(
  database: TestDatabase,
  name: string,
  grants: Grant[],
): Promise<TestUser> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}@nexus-mat.example`;
  const user = await createUser(database.db, SYSTEM_ACTOR, {
    email,
    displayName: name,
    password: PASSWORD,
    grants,
  });
  const token = await createApiToken(database.db, SYSTEM_ACTOR, user.id, 'tests');
  return { id: user.id, email, token, auth: { authorization: `Bearer ${token}` } };
}
