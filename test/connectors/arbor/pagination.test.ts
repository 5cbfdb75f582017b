import { describe, expect, it } from 'vitest';
import type { ConnectorError } from '../../../src/connectors/http/index.ts';
import { generateSchool, lastTerms } from '../../../src/fakes/school.ts';
import { repeated } from '../support.ts';
import { configFor, fakeArbor, pull, requestsTo, smallSchool } from './helpers.ts';

describe('paging through Arbor', () => {
  it('stops the run as bad data when Arbor keeps sending the same page', async () => {
    const fake = await fakeArbor({ faults: { ignorePageNumber: { resource: 'students' } } });

    const outcome = await pull(configFor(fake));

    const error = outcome.error as ConnectorError;
    expect(error).toMatchObject({ category: 'bad_data', code: 'pagination_loop' });
    expect(error.message).toContain('sent the same page of pupils (Student) twice');
    expect(error.message).toContain('page 2 repeats page 1');
    expect(requestsTo(fake, 'students').filter((url) => !url.includes('filters.'))).toHaveLength(2);
  });

  it('detects the loop an unread page number makes, and reads once it is set', async () => {
    const school = smallSchool(60);
    const fake = await fakeArbor({ school, pageNumberParam: 'page' });

    const wrong = await pull(configFor(fake));
    const right = await pull(configFor(fake, { paging: { pageNumberParam: 'page' } }));

    expect(wrong.error).toMatchObject({ code: 'pagination_loop' });
    expect((wrong.error as Error).message).toContain('page number settings');
    expect(right.error).toBeNull();
    expect(right.pupils).toHaveLength(school.pupils.length);
  });

  it('counts pages from 0 when told to', async () => {
    const school = smallSchool(60);
    const fake = await fakeArbor({ school, firstPageNumber: 0 });

    const outcome = await pull(configFor(fake, { paging: { firstPageNumber: 0 } }));

    expect(outcome.pupils).toHaveLength(school.pupils.length);
    expect(outcome.results).toHaveLength(school.results.length);
  });

  it('reads a last page that is exactly full, then the empty page after it', async () => {
    const school = smallSchool(50);
    const fake = await fakeArbor({ school });

    const outcome = await pull(configFor(fake, { pageSize: 25 }));

    expect(outcome.pupils).toHaveLength(50);
    const listings = requestsTo(fake, 'students').filter((url) => url.includes('order-property'));
    expect(listings.filter((url) => !url.includes('filters.'))).toHaveLength(3);
  });

  it('reads a page of one record at a time', async () => {
    const school = smallSchool(8);
    const fake = await fakeArbor({ school });

    const outcome = await pull(configFor(fake, { pageSize: 1 }));

    expect(outcome.pupils).toHaveLength(8);
    expect(outcome.results).toHaveLength(school.results.length);
    expect(repeated(outcome.results.map((r) => r.externalId))).toEqual([]);
  });

  it('completes a pull of a school with no pupils yet, leaving no cursor', async () => {
    const empty = generateSchool({
      seed: 3,
      name: 'New Free School',
      urn: '150000',
      la: 330,
      establishment: 2999,
      pupils: 0,
      style: 'primary',
      terms: lastTerms(2025, 1),
      currentStartYear: 2025,
    });
    const fake = await fakeArbor({ school: empty });

    const outcome = await pull(configFor(fake));

    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toEqual([]);
    expect(outcome.summary).toEqual({ complete: true, cursor: { v: 1, revisions: {} } });
  });

  it('does not call a pull complete when pupils were deleted between its pages', async () => {
    const school = smallSchool(90);
    const fake = await fakeArbor({
      school,
      faults: { deleteBetweenPages: { resource: 'students', afterPage: 1, count: 2 } },
    });

    const outcome = await pull(configFor(fake));

    expect(outcome.error).toBeNull();
    expect(outcome.deletions).toEqual([
      { entity: 'pupil', externalId: '1', at: null },
      { entity: 'pupil', externalId: '2', at: null },
    ]);
    // The two pupils that moved up onto page 1 after it was read were never seen...
    expect(outcome.pupils).toHaveLength(school.pupils.length - 2);
    // ...so the engine must not mark them as left.
    expect(outcome.summary?.complete).toBe(false);
    expect(outcome.events.map((event) => event.code)).toContain('pupils_removed_during_pull');
  });
});
