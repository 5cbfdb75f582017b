import { describe, expect, it } from 'vitest';
import { repeated } from '../support.ts';
import {
  markedResults,
  pullError,
  pullFrom,
  requestsTo,
  SMALL_SCHOOL,
  startFake,
} from './helpers.ts';

const PUPILS = SMALL_SCHOOL.pupils.length;

function pupilIds(outcome: { pupils: { externalId: string }[] }) {
  return outcome.pupils.map((pupil) => pupil.externalId);
}

describe('OneRoster paging', () => {
  it('stops with pagination_loop when the next link points back at the same page', async () => {
    const fake = await startFake({ faults: { selfLink: { endpoint: 'results', page: 2 } } });

    const outcome = await pullFrom(fake, { config: { pageSize: 50 } });

    const error = pullError(outcome);
    expect(error).toMatchObject({ category: 'bad_data', code: 'pagination_loop' });
    expect(error.message).toContain('the results at offset 50');
    expect(requestsTo(fake, '/results')).toHaveLength(2);
  });

  it('stops with pagination_loop when the server ignores the offset', async () => {
    const fake = await startFake({ faults: { ignoreOffset: { endpoint: 'students' } } });

    const error = pullError(await pullFrom(fake, { config: { pageSize: 20 } }));

    expect(error).toMatchObject({ category: 'bad_data', code: 'pagination_loop' });
    expect(error.message).toContain('sent a page it had already sent');
    expect(requestsTo(fake, '/students')).toHaveLength(2);
  });

  it('misses no pupil when records are deleted between pages', async () => {
    const fake = await startFake({
      faults: { removeAfterPage: { endpoint: 'students', page: 1, count: 3 } },
    });

    const outcome = await pullFrom(fake, { config: { pageSize: 20 } });

    expect(outcome.error).toBeNull();
    expect(new Set(pupilIds(outcome)).size).toBe(PUPILS);
    expect(repeated(pupilIds(outcome))).toEqual([]);
    expect(outcome.events).toContainEqual(
      expect.objectContaining({ level: 'warn', code: 'listing_shrank' }),
    );
  });

  it('reads to the end by X-Total-Count when there is no Link header', async () => {
    const fake = await startFake({ faults: { omitLink: true } });

    const outcome = await pullFrom(fake, { config: { pageSize: 20 } });

    expect(outcome.pupils).toHaveLength(PUPILS);
    expect(requestsTo(fake, '/students')).toHaveLength(Math.ceil(PUPILS / 20));
  });

  it('reads to the end by the Link header when there is no X-Total-Count', async () => {
    const fake = await startFake({ faults: { omitTotalCount: true } });

    const outcome = await pullFrom(fake, { config: { pageSize: 20 } });

    expect(outcome.pupils).toHaveLength(PUPILS);
    expect(requestsTo(fake, '/students')).toHaveLength(Math.ceil(PUPILS / 20));
  });

  it('reads to a short or empty page when there is neither header', async () => {
    const fake = await startFake({ faults: { omitLink: true, omitTotalCount: true } });

    const outcome = await pullFrom(fake, { config: { pageSize: 20 } });

    expect(outcome.pupils).toHaveLength(PUPILS);
    // 60 pupils in pages of 20: three full pages, then an empty one says it has ended.
    expect(requestsTo(fake, '/students')).toHaveLength(PUPILS / 20 + 1);
  });

  it('is not fooled into stopping by a server that serves fewer than asked', async () => {
    const fake = await startFake({ maxLimit: 7 });

    const outcome = await pullFrom(fake, { config: { pageSize: 100 } });

    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toHaveLength(PUPILS);
    expect(outcome.results).toHaveLength(markedResults(SMALL_SCHOOL).length);
    expect(requestsTo(fake, '/students')).toHaveLength(Math.ceil(PUPILS / 7));
  });

  it('steps through the pages by the records received, in sourcedId order', async () => {
    const fake = await startFake();

    await pullFrom(fake, { config: { pageSize: 25 } });

    const offsets = requestsTo(fake, '/students').map((r) => {
      const query = new URL(r.url, fake.url).searchParams;
      return [query.get('offset'), query.get('limit'), query.get('sort')];
    });
    expect(offsets).toEqual([
      ['0', '25', 'sourcedId'],
      ['25', '25', 'sourcedId'],
      ['50', '25', 'sourcedId'],
    ]);
  });
});
