import { afterEach, describe, expect, it } from 'vitest';
import { wondeConnector } from '../../../src/connectors/wonde/index.ts';
import type { WondeFake } from '../../../src/fakes/wonde/index.ts';
import { collectPull, repeated } from '../support.ts';
import { configFor, fakeWith, requestsTo, schoolOf, secretsFor } from './helpers.ts';

let fake: WondeFake;

afterEach(async () => {
  await fake.close();
});

describe('Wonde pagination', () => {
  it('detects a next link that points back at its own page, and stops the run', async () => {
    fake = await fakeWith(schoolOf(300), { faults: { loop: { endpoint: 'students', page: 2 } } });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake, { pageSize: 100 }),
      secrets: secretsFor(fake),
    });
    expect(outcome.error).toMatchObject({ category: 'bad_data', code: 'pagination_loop' });
    expect((outcome.error as Error).message).toMatch(/page 2 of students links back/);
    expect(requestsTo(fake, 'students')).toBe(2);
    expect(outcome.pupils).toHaveLength(100);
  });

  it('reads a list that comes back with no pagination object as one page', async () => {
    fake = await fakeWith(schoolOf(30), {
      shapes: { shortLists: 'unpaged', unpagedMeta: 'absent' },
    });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });
    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toHaveLength(30);
    expect(requestsTo(fake, 'students')).toBe(1);
  });

  it("reads a list whose meta is PHP's empty array", async () => {
    fake = await fakeWith(schoolOf(30), {
      shapes: { shortLists: 'unpaged', unpagedMeta: 'empty_array' },
    });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });
    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toHaveLength(30);
  });

  it('follows next links with per_page echoed as a string, keeping every parameter', async () => {
    const school = schoolOf(250);
    fake = await fakeWith(school);
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake, { pageSize: 60 }),
      secrets: secretsFor(fake),
    });
    expect(outcome.pupils).toHaveLength(250);
    const pages = fake.requests
      .map((r) => new URL(r.url, 'http://fake'))
      .filter((u) => u.pathname.endsWith('/students') && u.searchParams.has('include'));
    expect(pages.map((u) => u.searchParams.get('page') ?? '1')).toEqual(['1', '2', '3', '4', '5']);
    expect(pages.every((u) => u.searchParams.get('per_page') === '60')).toBe(true);
  });

  it('reads every page in cursor mode too', async () => {
    const school = schoolOf(250);
    fake = await fakeWith(school);
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake, { paging: 'cursor', pageSize: 70 }),
      secrets: secretsFor(fake),
    });
    expect(outcome.pupils).toHaveLength(250);
    expect(outcome.results).toHaveLength(school.results.length);
    expect(fake.requests.some((r) => r.url.includes('cursor=true'))).toBe(true);
  });

  it('with offset pages, a pupil deleted mid-pull makes it incomplete, and is logged', async () => {
    const school = schoolOf(300);
    fake = await fakeWith(school, { faults: { deleteBetweenPages: { afterPage: 1, count: 3 } } });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake, { pageSize: 100 }),
      secrets: secretsFor(fake),
    });
    const deleted = fake
      .store()
      .students.filter((s) => s.status === 'deleted')
      .map((s) => s.upi);

    expect(outcome.error).toBeNull();
    // The three pupils after the deleted ones moved up onto page 1, which was already read.
    expect(outcome.pupils).toHaveLength(297);
    expect(outcome.deletions.map((d) => d.externalId).sort()).toEqual(deleted.sort());
    expect(outcome.summary?.complete).toBe(false);
    expect(outcome.events.map((e) => e.code)).toContain('wonde_list_moved');
  });

  it('with cursor pages, a pupil deleted mid-pull moves nothing: it is complete', async () => {
    const school = schoolOf(300);
    fake = await fakeWith(school, { faults: { deleteBetweenPages: { afterPage: 1, count: 3 } } });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake, { pageSize: 100, paging: 'cursor' }),
      secrets: secretsFor(fake),
    });
    expect(outcome.pupils).toHaveLength(300);
    expect(repeated(outcome.pupils.map((p) => p.externalId))).toEqual([]);
    expect(outcome.deletions).toHaveLength(3);
    expect(outcome.summary?.complete).toBe(true);
  });
});
