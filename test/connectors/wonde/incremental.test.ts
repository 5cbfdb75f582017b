import { afterEach, describe, expect, it } from 'vitest';
import { wondeConnector } from '../../../src/connectors/wonde/index.ts';
import type { WondeFake } from '../../../src/fakes/wonde/index.ts';
import { collectPull } from '../support.ts';
import { configFor, fakeWith, schoolOf, secretsFor } from './helpers.ts';

let fake: WondeFake;

afterEach(async () => {
  await fake.close();
});

async function fullThenIncremental(change: (fake: WondeFake) => void) {
  fake = await fakeWith(schoolOf(400));
  const options = { config: configFor(fake), secrets: secretsFor(fake) };
  const full = await collectPull(wondeConnector, options);
  expect(full.error).toBeNull();
  change(fake);
  const before = fake.requests.length;
  const incremental = await collectPull(wondeConnector, {
    ...options,
    mode: 'incremental',
    cursor: full.summary!.cursor,
  });
  return { full, incremental, requests: fake.requests.slice(before) };
}

describe('an incremental Wonde pull', () => {
  it('returns only the results and pupils that changed since the full pull', async () => {
    let changed: ReturnType<WondeFake['changeResults']> = [];
    let pupils: ReturnType<WondeFake['changePupils']> = [];
    const { incremental, requests } = await fullThenIncremental((f) => {
      changed = f.changeResults(25);
      pupils = f.changePupils(4);
    });

    expect(incremental.error).toBeNull();
    expect(incremental.results).toHaveLength(25);
    const got = new Set(incremental.results.map((r) => `${r.pupilExternalId}:${r.value}`));
    for (const row of changed) expect(got.has(`${row.student.upi}:${row.value}`)).toBe(true);

    expect(incremental.pupils.map((p) => p.externalId).sort()).toEqual(
      pupils.map((p) => p.upi).sort(),
    );
    for (const row of pupils) {
      const pupil = incremental.pupils.find((p) => p.externalId === row.upi);
      expect(pupil?.senStatus).toBe(row.senStatus);
    }
    expect(incremental.summary?.complete).toBe(false);

    const deltas = requests.filter((r) => r.url.includes('updated_after='));
    expect(deltas.some((r) => r.url.includes('/students?'))).toBe(true);
    expect(deltas.some((r) => r.url.includes('/assessment/results?'))).toBe(true);
  });

  it('changes nothing when nothing changed, and moves the cursor on', async () => {
    const { full, incremental } = await fullThenIncremental(() => {});
    expect(incremental.pupils).toEqual([]);
    expect(incremental.results).toEqual([]);
    expect(incremental.deletions).toEqual([]);
    const since = (outcome: typeof full) => Date.parse(String(outcome.summary?.cursor.since));
    expect(since(incremental)).toBeGreaterThanOrEqual(since(full));
  });

  it("reports Wonde's leavers as deletions, by upi, with their leaving date", async () => {
    let leavers: ReturnType<WondeFake['leavePupils']> = [];
    const { incremental } = await fullThenIncremental((f) => {
      leavers = f.leavePupils(3);
    });
    const today = new Date().toISOString().slice(0, 10);
    expect(incremental.deletions).toHaveLength(3);
    expect(incremental.deletions.map((d) => d.externalId).sort()).toEqual(
      leavers.map((l) => l.upi).sort(),
    );
    for (const deletion of incremental.deletions) {
      expect(deletion).toMatchObject({ entity: 'pupil', at: `${today}T00:00:00.000Z` });
    }
  });

  it('logs pupils deleted outright, whose upi it cannot know, for the next full pull', async () => {
    const { incremental } = await fullThenIncremental((f) => {
      f.deletePupils(2);
    });
    expect(incremental.deletions).toEqual([]);
    expect(incremental.events.map((e) => e.code)).toContain('wonde_deletions_unmatched');
  });

  it('keeps a re-enrolled pupil as the same pupil: same upi, and no deletion', async () => {
    let moved: ReturnType<WondeFake['reenrolPupils']> = [];
    const { full, incremental } = await fullThenIncremental((f) => {
      moved = f.reenrolPupils(5);
    });
    expect(moved.every((m) => m.oldId !== m.student.wondeId)).toBe(true);
    expect(incremental.pupils.map((p) => p.externalId).sort()).toEqual(
      moved.map((m) => m.student.upi).sort(),
    );
    expect(incremental.deletions).toEqual([]);
    // A Reception pupil has no results yet; take one who has.
    const upi = moved.find((m) => full.results.some((r) => r.pupilExternalId === m.student.upi))!
      .student.upi;

    const again = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });
    const ids = (outcome: typeof full) =>
      outcome.results
        .filter((r) => r.pupilExternalId === upi)
        .map((r) => r.externalId)
        .sort();
    expect(ids(again).length).toBeGreaterThan(0);
    expect(ids(again)).toEqual(ids(full));
  });

  it('reads everything, but is not complete, when there is no cursor yet', async () => {
    fake = await fakeWith(schoolOf(60));
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
      mode: 'incremental',
    });
    expect(outcome.pupils).toHaveLength(60);
    expect(outcome.summary?.complete).toBe(false);
    expect(outcome.events.map((e) => e.code)).toContain('wonde_cursor_missing');
  });
});
