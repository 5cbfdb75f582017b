import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/rows.ts';
import {
  buildSecurityTrust,
  fill,
  type SecurityTrust,
  type Session,
  signInAs,
  snapshot,
} from './trust.ts';

/**
 * SQL written into every filter and search: each value reaches the database as a parameter, so
 * the answer is a 400 naming the field or an ordinary (often empty) answer, never a failure, and
 * the tables are as they were.
 */

const INJECTIONS = [
  "' OR 1=1 --",
  "'; drop table pupils; --",
  '1 union select id, first_name, last_name, upn from pupils --',
  "%' --",
];

/** Every query parameter the console's pages read, from the zod schemas in src/web/console. */
const CONSOLE_QUERY = [
  'q',
  'school',
  'collection',
  'subject',
  'kind',
  'next',
  'signedOut',
  'page',
  'year',
  'set',
  'changed',
  'cleared',
  'point',
];

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

let trust: SecurityTrust;
let app: FastifyInstance;
let admin: Session;
let pupilsBefore: number;
let paths: Record<string, Record<string, { parameters: { name: string; in: string }[] }>>;

beforeAll(async () => {
  trust = await buildSecurityTrust();
  app = trust.app;
  admin = await signInAs(app, trust.users.admin);
  pupilsBefore = await pupilCount();
  paths = (
    await app.inject({ url: '/api/v1/openapi.json', headers: trust.users.admin.auth })
  ).json().paths;
});
afterAll(async () => {
  await app.close();
  await trust.database.close();
});

async function pupilCount() {
  const [row] = await rows<{ n: number }>(
    trust.database.db,
    sql`select count(*)::int as n from pupils`,
  );
  return row!.n;
}

const ids = () => ({ ...trust.own, table: 'attainment' });

describe('SQL in query parameters', () => {
  it('is refused with the field named, or answered as any value would be, by the API', async () => {
    const wrong: string[] = [];
    let tried = 0;
    for (const route of app.registeredRoutes.filter((r) => r.method === 'GET')) {
      if (!route.url.startsWith('/api/')) continue;
      const operation = paths[route.url.replace(/:(\w+)/g, '{$1}')]?.get;
      const names = (operation?.parameters ?? [])
        .filter((p) => p.in === 'query')
        .map((p) => p.name);
      for (const name of names) {
        for (const injection of INJECTIONS) {
          const query = new URLSearchParams({
            collectionId: String(trust.autumn),
            subjectId: String(trust.maths),
            [name]: injection,
          });
          const url = `${fill(route.url, ids())}?${query}`;
          const response = await app.inject({ url, headers: trust.users.admin.auth });
          tried += 1;
          // The schema names the field; a report names the point it could not find.
          const message: string = response.statusCode === 400 ? response.json().error.message : '';
          const named = message.startsWith(`query.${name}: `) || message.includes(name);
          if (!named && response.statusCode !== 200) {
            wrong.push(`${url}: ${response.statusCode}`);
          }
        }
      }
    }
    expect(tried).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
    expect(await pupilCount()).toBe(pupilsBefore);
  });

  it("is read as an ordinary value by every console page's filters", async () => {
    const wrong: string[] = [];
    for (const route of app.registeredRoutes.filter((r) => r.method === 'GET')) {
      // A workbook reads the same query as its report's page and CSV, which are walked.
      if (route.url.startsWith('/api/') || route.url.endsWith('.xlsx')) continue;
      for (const injection of INJECTIONS) {
        const query = new URLSearchParams(
          CONSOLE_QUERY.map((name): [string, string] => [name, injection]),
        );
        const url = `${fill(route.url, ids())}?${query}`;
        const response = await app.inject({ url, headers: { cookie: admin.cookie } });
        if (response.statusCode >= 500) wrong.push(`${url}: ${response.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await pupilCount()).toBe(pupilsBefore);
  });

  it('finds no pupil for a search written as SQL or as LIKE wildcards', async () => {
    const search = (q: string) =>
      app.inject({
        url: `/pupils?${new URLSearchParams({ q })}`,
        headers: { cookie: admin.cookie },
      });
    const found = await search('Okafor');
    expect(found.body).toContain('Okafor');
    for (const q of [...INJECTIONS, '%%', '__', '\\%']) {
      const response = await search(q);
      expect({ q, status: response.statusCode }).toEqual({ q, status: 200 });
      for (const surname of ['Okafor', 'Nowak', 'Hughes', 'Kowalczyk', 'Mensah']) {
        expect({ q, surname, found: response.body.includes(surname) }).toEqual({
          q,
          surname,
          found: false,
        });
      }
    }
  });
});

describe('SQL in ids', () => {
  it('is refused as no such record by every route, and changes nothing', async () => {
    const before = await snapshot(trust.database);
    const wrong: string[] = [];
    for (const route of app.registeredRoutes.filter((r) => !r.public && r.url.includes(':'))) {
      for (const injection of INJECTIONS) {
        const injected = Object.fromEntries(Object.keys(ids()).map((name) => [name, injection]));
        const url = fill(route.url, injected);
        const method = route.method as Method;
        const response = await app.inject({
          method,
          url,
          headers: url.startsWith('/api/')
            ? trust.users.admin.auth
            : { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
          ...(method === 'GET' ? {} : { payload: {} }),
        });
        if (![400, 404].includes(response.statusCode)) {
          wrong.push(`${route.method} ${url}: ${response.statusCode}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot(trust.database)).toEqual(before);
    expect(await pupilCount()).toBe(pupilsBefore);
  });
});
