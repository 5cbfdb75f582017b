import { describe, expect, it } from 'vitest';
import { collectPull, type PullOutcome, repeated } from '../support.ts';
import {
  configFor,
  connector,
  markedResults,
  pullError,
  pullFrom,
  SMALL_SCHOOL,
  secretsFor,
  startFake,
} from './helpers.ts';

function ids(...outcomes: PullOutcome[]) {
  return {
    pupils: outcomes.flatMap((o) => o.pupils.map((p) => p.externalId)),
    results: outcomes.flatMap((o) => o.results.map((r) => r.externalId)),
    deletions: outcomes.flatMap((o) => o.deletions.map((d) => d.externalId)),
  };
}

describe('a resumed OneRoster pull', () => {
  it('after 500s on a results page neither skips nor repeats a record', async () => {
    const fake = await startFake();
    fake.setFaults({ status: { endpoint: 'results', page: 3, status: 500 } });

    const failed = await pullFrom(fake);
    expect(pullError(failed)).toMatchObject({ code: 'server_error', attempts: 3 });
    fake.setFaults({});
    const resumed = await pullFrom(fake, { resumeFrom: failed.checkpoints.at(-1)! });

    expect(resumed.error).toBeNull();
    const all = ids(failed, resumed);
    expect(new Set(all.pupils).size).toBe(SMALL_SCHOOL.pupils.length);
    expect(new Set(all.results).size).toBe(markedResults(SMALL_SCHOOL).length);
    expect(repeated(all.pupils)).toEqual([]);
    expect(repeated(all.results)).toEqual([]);
    expect(resumed.summary?.complete).toBe(true);
  });

  it('after 500s on a pupils page neither skips nor repeats a pupil', async () => {
    const fake = await startFake();
    fake.setFaults({ status: { endpoint: 'students', page: 2, status: 503 } });

    const failed = await pullFrom(fake, { config: { pageSize: 25 } });
    expect(pullError(failed).code).toBe('server_error');
    fake.setFaults({});
    const resumed = await pullFrom(fake, {
      config: { pageSize: 25 },
      resumeFrom: failed.checkpoints.at(-1)!,
    });

    const all = ids(failed, resumed);
    expect(failed.pupils).toHaveLength(25);
    expect(new Set(all.pupils).size).toBe(SMALL_SCHOOL.pupils.length);
    expect(repeated(all.pupils)).toEqual([]);
    expect(repeated(all.results)).toEqual([]);
  });

  it('from any saved page gives, with the pages before it, exactly the whole pull', async () => {
    const fake = await startFake();
    fake.deletePupils(2);
    fake.deleteResults(3);
    const whole = await prefixOf(fake, Number.POSITIVE_INFINITY);
    const expected = ids(whole);
    // Stops right after a page of records that has its deletions still to come.
    const splits = whole.kinds.flatMap((kind, index) =>
      kind === 'deletions' && whole.kinds[index - 1] !== 'deletions' ? [index] : [],
    );
    expect(splits.length).toBeGreaterThanOrEqual(2);

    for (const stop of [1, 3, 4, 7, 12, ...splits, whole.checkpoints.length - 2]) {
      const before = await prefixOf(fake, stop);
      const resumed = await pullFrom(fake, {
        config: { pageSize: 40 },
        resumeFrom: before.checkpoints.at(-1)!,
      });
      const union = ids(before, resumed);
      expect(union.pupils.sort()).toEqual([...expected.pupils].sort());
      expect(union.results.sort()).toEqual([...expected.results].sort());
      expect(union.deletions.sort()).toEqual([...expected.deletions].sort());
    }
  });

  it('keeps the start time of the first attempt as the cursor', async () => {
    const fake = await startFake();
    fake.setFaults({ status: { endpoint: 'results', page: 2, status: 500 } });
    const failed = await pullFrom(fake);
    fake.setFaults({});
    const first = failed.checkpoints.at(-1)!;

    const resumed = await pullFrom(fake, { resumeFrom: first });

    expect(resumed.summary?.cursor).toEqual({ version: 1, startedAt: first.startedAt });
  });
});

/** The pages a pull gave, up to and including page `count`, as if it had died there. */
async function prefixOf(fake: Awaited<ReturnType<typeof startFake>>, count: number) {
  const kinds: string[] = [];
  const prefix = await collectPull(
    {
      ...connector,
      async *pull(ctx) {
        const pages = connector.pull(ctx);
        for (let step = await pages.next(); !step.done; step = await pages.next()) {
          kinds.push(step.value.page.kind);
          yield step.value;
          if (kinds.length >= count) {
            await pages.return(undefined as never);
            throw new Error('stopped');
          }
        }
        return { complete: true, cursor: {} };
      },
    },
    { config: configFor(fake, { pageSize: 40 }), secrets: secretsFor(fake) },
  );
  if (Number.isFinite(count)) expect(prefix.checkpoints).toHaveLength(count);
  return { ...prefix, kinds };
}
