import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { buildApp } from '../../src/web/app.ts';
import { PASSWORD, type TestUser, testApp, testContext, userWith } from '../support/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { createSchool, seedTrust } from '../support/fixtures.ts';
import { csrfIn } from './console-fixtures.ts';

let database: TestDatabase;
let app: FastifyInstance;
let lead: TestUser;
let analyst: TestUser;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  const school = await createSchool(database.db);
  lead = await userWith(database, 'Jo Whitfield', [
    { role: 'school_data_lead', schoolId: school.id, subjectId: null },
  ]);
  analyst = await userWith(database, 'Priya Shah', [
    { role: 'trust_analyst', schoolId: null, subjectId: null },
  ]);
  app = await testApp(database);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function signIn(email: string, password: string, extra: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/sign-in',
    payload: { email, password, ...extra },
    headers: extra.cookie ? { cookie: extra.cookie } : {},
  });
}

function sessionCookie(response: Awaited<ReturnType<typeof signIn>>) {
  const cookie = response.cookies.find((c) => c.name === 'nss_session');
  return cookie ? `nss_session=${cookie.value}` : null;
}

describe('signing in', () => {
  it('shows a sign-in form with labelled fields to a visitor', async () => {
    const response = await app.inject({ url: '/sign-in?next=/pupils' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<label for="email">Email address</label>');
    expect(response.body).toContain('<label for="password">Password</label>');
    expect(response.body).toContain('name="next" value="/pupils"');
  });

  it('sends a visitor to sign in, remembering where they were going', async () => {
    const response = await app.inject({ url: '/pupils?q=ok' });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(`/sign-in?next=${encodeURIComponent('/pupils?q=ok')}`);
  });

  it('refuses a wrong password without saying which part was wrong', async () => {
    const wrong = await signIn(lead.email, 'not the password at all');
    const unknown = await signIn('nobody@nexus-mat.example', PASSWORD);
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.body).toContain('That email and password do not match.');
      expect(sessionCookie(response)).toBeNull();
    }
    expect(wrong.body).toContain(`value="${lead.email}"`);
    expect(wrong.body).not.toContain('not the password at all');
  });

  it('shows the throttling message after repeated failures for one email', async () => {
    const email = analyst.email.toUpperCase();
    for (let attempt = 0; attempt < 5; attempt++) await signIn(email, 'guess number one');
    const response = await signIn(analyst.email, PASSWORD);
    expect(response.statusCode).toBe(429);
    expect(response.body).toContain('Too many attempts to sign in.');
    expect(sessionCookie(response)).toBeNull();
  });

  it('sets an httpOnly, lax, site-wide cookie and goes on to the local next page', async () => {
    const response = await signIn(lead.email, PASSWORD, { next: '/pupils?q=am' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/pupils?q=am');
    const cookie = response.cookies.find((c) => c.name === 'nss_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy();
  });

  it('marks the cookie secure unless the configuration turns that off', async () => {
    const context = { ...testContext(database), config: loadConfig({ SCHEDULER: 'false' }) };
    const secure = await buildApp(context, { scheduler: false });
    try {
      const response = await secure.inject({
        method: 'POST',
        url: '/sign-in',
        payload: { email: lead.email, password: PASSWORD },
      });
      expect(response.cookies.find((c) => c.name === 'nss_session')?.secure).toBe(true);
    } finally {
      await secure.close();
    }
  });

  it('goes home instead of to a next page on another site', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example', '/\tx']) {
      const response = await signIn(lead.email, PASSWORD, { next });
      expect({ next, location: response.headers.location }).toEqual({ next, location: '/' });
    }
  });

  it('ends the old session when a new one starts', async () => {
    const first = sessionCookie(await signIn(lead.email, PASSWORD))!;
    const page = await app.inject({ url: '/pupils', headers: { cookie: first } });
    const second = await signIn(lead.email, PASSWORD, { cookie: first, _csrf: csrfIn(page.body) });
    expect(second.statusCode).toBe(303);
    const renewed = sessionCookie(second)!;
    expect(renewed).not.toBe(first);
    const old = await app.inject({ url: '/pupils', headers: { cookie: first } });
    expect(old.statusCode).toBe(302);
    const fresh = await app.inject({ url: '/pupils', headers: { cookie: renewed } });
    expect(fresh.statusCode).toBe(200);
  });

  it('refuses a sign-in form posted from another site', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/sign-in',
      payload: { email: lead.email, password: PASSWORD },
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(response.statusCode).toBe(403);
    expect(sessionCookie(response)).toBeNull();
  });
});

describe('signing out', () => {
  it('ends the session and clears the cookie', async () => {
    const cookie = sessionCookie(await signIn(lead.email, PASSWORD))!;
    const page = await app.inject({ url: '/pupils', headers: { cookie } });
    const response = await app.inject({
      method: 'POST',
      url: '/sign-out',
      headers: { cookie },
      payload: { _csrf: csrfIn(page.body) },
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in?signedOut=1');
    expect(response.cookies.find((c) => c.name === 'nss_session')?.value).toBe('');
    const after = await app.inject({ url: '/pupils', headers: { cookie } });
    expect(after.statusCode).toBe(302);
  });

  it('refuses to sign out without the form token', async () => {
    const cookie = sessionCookie(await signIn(lead.email, PASSWORD))!;
    const response = await app.inject({ method: 'POST', url: '/sign-out', headers: { cookie } });
    expect(response.statusCode).toBe(403);
    const still = await app.inject({ url: '/pupils', headers: { cookie } });
    expect(still.statusCode).toBe(200);
  });
});
