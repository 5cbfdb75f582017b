import { describe, expect, it } from 'vitest';
import { markedResults, pullFrom, SMALL_SCHOOL, startFake } from './helpers.ts';

async function fullPullOf(fake: Awaited<ReturnType<typeof startFake>>) {
  const full = await pullFrom(fake);
  expect(full.error).toBeNull();
  return full.summary!.cursor;
}

describe('an incremental OneRoster pull', () => {
  it("returns only the results changed since the full pull's cursor", async () => {
    const fake = await startFake();
    const cursor = await fullPullOf(fake);
    const changed = fake.changeResults(5);

    const outcome = await pullFrom(fake, { mode: 'incremental', cursor });

    expect(outcome.error).toBeNull();
    expect(outcome.results.map((r) => r.externalId).sort()).toEqual([...changed].sort());
    expect(outcome.pupils).toEqual([]);
    expect(outcome.deletions).toEqual([]);
    expect(outcome.summary?.complete).toBe(false);
    const filtered = fake.requests.filter((r) => r.url.includes('filter=dateLastModified'));
    expect(filtered.length).toBeGreaterThanOrEqual(2);
  });

  it('returns the changed grade as now written', async () => {
    const fake = await startFake();
    const cursor = await fullPullOf(fake);
    const [id] = fake.changeResults(1);
    const before = markedResults(SMALL_SCHOOL).find((r) => r.id === id)!;

    const { results } = await pullFrom(fake, { mode: 'incremental', cursor });

    expect(results).toHaveLength(1);
    expect(results[0]?.value).not.toBe(before.value);
    expect(Date.parse(results[0]!.modifiedAt!)).toBeGreaterThan(Date.parse(before.modifiedAt));
  });

  it('returns only the pupils changed since the cursor', async () => {
    const fake = await startFake();
    const cursor = await fullPullOf(fake);
    const changed = fake.changePupils(3);

    const { pupils, results } = await pullFrom(fake, { mode: 'incremental', cursor });

    expect(pupils.map((p) => p.externalId).sort()).toEqual([...changed].sort());
    expect(pupils.every((p) => p.lastName.endsWith('-Jones'))).toBe(true);
    expect(results).toEqual([]);
  });

  it('brings a pupil back when only the date of birth changed, in demographics', async () => {
    const fake = await startFake();
    const cursor = await fullPullOf(fake);
    const [id] = fake.changeDemographics(1);
    const before = SMALL_SCHOOL.pupils.find((p) => p.id === id)!;

    const { pupils, error } = await pullFrom(fake, { mode: 'incremental', cursor });

    expect(error).toBeNull();
    expect(pupils.map((p) => p.externalId)).toEqual([id]);
    expect(pupils[0]?.dateOfBirth).not.toBe(before.dateOfBirth);
  });

  it("reports pupils and results marked 'tobedeleted' as deletions", async () => {
    const fake = await startFake();
    const cursor = await fullPullOf(fake);
    const results = fake.deleteResults(2);
    const pupils = fake.deletePupils(1);

    const outcome = await pullFrom(fake, { mode: 'incremental', cursor });

    expect(outcome.error).toBeNull();
    expect(outcome.deletions).toHaveLength(3);
    expect(outcome.deletions.filter((d) => d.entity === 'result').map((d) => d.externalId)).toEqual(
      expect.arrayContaining(results),
    );
    expect(outcome.deletions.find((d) => d.entity === 'pupil')).toMatchObject({
      externalId: pupils[0],
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(outcome.pupils).toEqual([]);
    expect(outcome.results).toEqual([]);
  });

  it('also reports deletions in a full pull, and leaves the deleted out', async () => {
    const fake = await startFake();
    const [pupil] = fake.deletePupils(1);

    const outcome = await pullFrom(fake);

    expect(outcome.deletions).toEqual([
      expect.objectContaining({ entity: 'pupil', externalId: pupil }),
    ]);
    expect(outcome.pupils.some((p) => p.externalId === pupil)).toBe(false);
    expect(outcome.pupils).toHaveLength(SMALL_SCHOOL.pupils.length - 1);
  });

  it('still returns only the changes when the server ignores the filter', async () => {
    const fake = await startFake({ faults: { ignoreFilter: true } });
    const cursor = await fullPullOf(fake);
    const changed = fake.changeResults(4);

    const { results } = await pullFrom(fake, { mode: 'incremental', cursor });

    expect(results.map((r) => r.externalId).sort()).toEqual([...changed].sort());
  });

  it('finds changes by comparing dates when deltaFilter is off', async () => {
    const fake = await startFake({ faults: { rejectFilter: true } });
    const cursor = await fullPullOf(fake);
    const changed = fake.changeResults(4);

    const outcome = await pullFrom(fake, {
      mode: 'incremental',
      cursor,
      config: { deltaFilter: false },
    });

    expect(outcome.error).toBeNull();
    expect(outcome.results.map((r) => r.externalId).sort()).toEqual([...changed].sort());
  });

  it('says which setting to turn off when the server refuses the delta filter', async () => {
    const fake = await startFake();
    const cursor = await fullPullOf(fake);
    fake.setFaults({ rejectFilter: true });

    const outcome = await pullFrom(fake, { mode: 'incremental', cursor });

    expect(outcome.error).toMatchObject({ category: 'config', code: 'http_bad_request' });
    expect((outcome.error as Error).message).toContain('Turn off deltaFilter');
  });

  it('reads everything, and is not complete, when there is no cursor yet', async () => {
    const fake = await startFake();

    const outcome = await pullFrom(fake, { mode: 'incremental', cursor: null });

    expect(outcome.pupils).toHaveLength(SMALL_SCHOOL.pupils.length);
    expect(outcome.summary?.complete).toBe(false);
    expect(outcome.events).toContainEqual(expect.objectContaining({ code: 'no_cursor' }));
  });
});
