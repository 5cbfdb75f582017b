import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deactivateUser } from '../../src/access/users.ts';
import { SYSTEM_ACTOR } from '../../src/audit.ts';
import { sessions } from '../../src/db/schema.ts';
import { PASSWORD, type TestUser, testApp, userWith } from '../support/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { createSchool, seedTrust } from '../support/fixtures.ts';

/**
 * Sessions beyond what test/web/console-session.test.ts already shows (a new session on every
 * sign-in that ends the old one, sign-out ending the session, five wrong passwords for one email
 * refusing even the right one, with a message): a planted session id is never adopted, only a
 * digest of the cookie is stored, an expired or deactivated user's session is worth nothing, and
 * sign-in is throttled per address as well as per email.
 */

let database: TestDatabase;
let app: FastifyInstance;
let lead: TestUser;
let leaver: TestUser;
const people: TestUser[] = [];

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  const school = await createSchool(database.db);
  const grant = { role: 'school_data_lead' as const, schoolId: school.id, subjectId: null };
  lead = await userWith(database, 'Jo Whitfield', [grant]);
  leaver = await userWith(database, 'Chris Dunn', [grant]);
  for (const name of ['Aisha Rahman', 'Ben Carter'])
    people.push(await userWith(database, name, [grant]));
  app = await testApp(database);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function signIn(email: string, password: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/sign-in', payload: { email, password }, headers });
}

function cookieOf(response: Awaited<ReturnType<typeof signIn>>): string | null {
  const set = response.cookies.find((cookie) => cookie.name === 'nss_session');
  return set ? set.value : null;
}

function open(cookie: string) {
  return app.inject({ url: '/pupils', headers: { cookie: `nss_session=${cookie}` } });
}

describe('a session', () => {
  it('is never one planted in the browser before sign-in', async () => {
    const planted = 'cGxhbnRlZC1ieS1zb21lb25lLWVsc2UtYmVmb3JlLXNpZ24taW4';
    const response = await signIn(lead.email, PASSWORD, { cookie: `nss_session=${planted}` });
    expect(response.statusCode).toBe(303);
    const issued = cookieOf(response)!;
    expect(issued).not.toBe(planted);
    expect((await open(planted)).statusCode).toBe(302);
    expect((await open(issued)).statusCode).toBe(200);
  });

  it('is stored as a digest of its cookie, never the cookie itself', async () => {
    const cookie = cookieOf(await signIn(lead.email, PASSWORD))!;
    const stored = await database.db.select().from(sessions);
    expect(stored.map((row) => row.tokenHash)).not.toContain(cookie);
    expect(stored.map((row) => row.tokenHash)).toContain(
      createHash('sha256').update(cookie).digest('hex'),
    );
    expect(JSON.stringify(stored)).not.toContain(cookie);
  });

  it('is refused once it has expired', async () => {
    const cookie = cookieOf(await signIn(lead.email, PASSWORD))!;
    expect((await open(cookie)).statusCode).toBe(200);
    await database.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(sessions.tokenHash, createHash('sha256').update(cookie).digest('hex')));
    const after = await open(cookie);
    expect(after.statusCode).toBe(302);
    expect(after.headers.location).toBe('/sign-in?next=%2Fpupils');
  });

  it('and the API token of a deactivated person stop working at once', async () => {
    const cookie = cookieOf(await signIn(leaver.email, PASSWORD))!;
    expect((await open(cookie)).statusCode).toBe(200);
    await deactivateUser(database.db, SYSTEM_ACTOR, leaver.id);
    expect((await open(cookie)).statusCode).toBe(302);
    const api = await app.inject({ url: '/api/v1/schools', headers: leaver.auth });
    expect(api.statusCode).toBe(401);
    const again = await signIn(leaver.email, PASSWORD);
    expect(again.statusCode).toBe(401);
    expect(cookieOf(again)).toBeNull();
  });
});

describe('signing in from one address', () => {
  it('is refused after twenty failures there, whoever the emails were, with a message', async () => {
    const address = { 'x-forwarded-for': '203.0.113.45' };
    for (let attempt = 0; attempt < 20; attempt++) {
      const guess = await signIn(`guess${attempt}@nexus-mat.example`, 'Summer2026!', address);
      expect(guess.statusCode).toBe(401);
    }
    const [aisha, ben] = people as [TestUser, TestUser];
    const refused = await signIn(aisha.email, PASSWORD, address);
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('Too many attempts to sign in.');
    expect(cookieOf(refused)).toBeNull();

    const elsewhere = await signIn(ben.email, PASSWORD, { 'x-forwarded-for': '198.51.100.7' });
    expect(elsewhere.statusCode).toBe(303);
    expect(cookieOf(elsewhere)).not.toBeNull();
  });
});
