import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/audit.ts';
import { type AssemblyFake, startAssemblyFake } from '../../src/fakes/assembly/index.ts';
import { generateSchool, lastTerms } from '../../src/fakes/school.ts';
import { latestRuns, requestRun, type SyncRun } from '../../src/sync/runs.ts';
import { archiveSource, createSource, setPaused } from '../../src/sync/sources.ts';
import { enqueueDueRuns, SyncWorker } from '../../src/sync/worker.ts';
import { ANALYST, testEngine } from '../support/engine.ts';
import { createSchool, seedTrust } from '../support/fixtures.ts';
import { type FaultDatabase, faultDatabase } from './database.ts';
import {
  agreeMappings,
  changedIds,
  fullRun,
  impliedBy,
  landedFrom,
  pointsOfRun,
  type RunSource,
  runById,
  withoutRun,
} from './harness.ts';

/**
 * A data lead pauses or archives a source while its sync is in flight. The run stops at its
 * next page as cancelled, saying who stopped it, and lands nothing; what landed before stays.
 */

const PUPILS = 60;
const DATA_LEAD: Actor = { userId: null, label: 'Jo Whitfield' };

function schoolFor(urn: string, seed: number) {
  return generateSchool({
    seed,
    name: 'Oakfield Primary Academy',
    urn,
    la: 801,
    establishment: Number(urn.slice(-4)),
    pupils: PUPILS,
    style: 'primary',
    terms: lastTerms(2026, 3),
    currentStartYear: 2026,
  });
}

let database: FaultDatabase;
let fake: AssemblyFake;
let first: RunSource | undefined;

beforeAll(async () => {
  database = await faultDatabase();
  await seedTrust(database.db);
  fake = await startAssemblyFake({
    schools: [schoolFor('140961', 9610), schoolFor('140962', 9620)],
    targets: false,
  });
});
afterAll(async () => {
  await fake?.close();
  await database?.close();
});

/** A school on its own Assembly source, its first sync landed and its grades mapped. */
async function landedSchool(index: number, urn: string): Promise<RunSource> {
  const engine = testEngine(database);
  const school = await createSchool(database.db, { urn, laestab: `801${urn.slice(-4)}` });
  const source = await createSource(database.db, engine.secretKey, ANALYST, {
    schoolId: school.id,
    kind: 'assembly',
    name: 'Assembly Platform',
    config: {
      clientId: fake.clientId,
      apiUrl: fake.url,
      authUrl: fake.url,
      pageSize: 20,
      resultsPageSize: 40,
      studentsPerResultsRequest: 20,
      http: { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 50 } },
    },
    secrets: { clientSecret: fake.clientSecret, ...fake.tokens(index) },
  });
  expect((await fullRun(engine, source)).status).toBe('succeeded');
  await agreeMappings(database.db, school.id);
  return source;
}

/** Starts a full run and, once it has staged some results, does `stop` to its source. */
async function stopInFlight(source: RunSource, stop: () => Promise<unknown>): Promise<SyncRun> {
  const { run } = await requestRun(database.db, {
    sourceId: source.id,
    schoolId: source.schoolId,
    trigger: 'manual',
    mode: 'full',
    requestedBy: null,
  });
  fake.setFaults({ slow: { path: '/results', delayMs: 150 } });
  const worker = new SyncWorker(testEngine(database), { concurrency: 1 });
  try {
    await worker.tick();
    for (let waited = 0; (await runById(database.db, run.id)).pagesDone < 5; waited += 1) {
      if (waited > 300) throw new Error('the run staged no results');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await stop();
    await worker.idle();
  } finally {
    fake.setFaults({});
  }
  return runById(database.db, run.id);
}

describe('a source paused or archived while its run is in flight', () => {
  it('stops the run as cancelled by whoever paused it, and lands nothing', async () => {
    const source = await landedSchool(0, '140961');
    first = source;
    const before = await landedFrom(database.db, source.id);
    const changed = fake.changeResults(6, 0).length;

    const run = await stopInFlight(source, () =>
      setPaused(database.db, DATA_LEAD, source.id, true),
    );

    expect(run).toMatchObject({
      status: 'cancelled',
      failureCategory: null,
      failureCode: 'source_paused',
      resultsLanded: 0,
      message:
        'Jo Whitfield paused the source while this sync was running, so it stopped and nothing ' +
        'from it was landed. Resume the source to sync it again.',
    });
    expect(run.pagesDone).toBeLessThan(10);
    expect(await landedFrom(database.db, source.id)).toEqual(before);
    expect(await pointsOfRun(database.db, run.id)).toBe(0);

    // Resumed, the next run lands the grades the stopped one had started to stage.
    await setPaused(database.db, DATA_LEAD, source.id, false);
    const next = await fullRun(testEngine(database), source);
    expect(next).toMatchObject({ status: 'succeeded', resultsChanged: changed });
    const after = await landedFrom(database.db, source.id);
    expect(changedIds(before, after)).toHaveLength(changed);
    expect(withoutRun(after)).toEqual(await impliedBy(database.db, source.id));
  });

  it('still runs a sync asked for by hand on a source paused before it started', async () => {
    const source = first!;
    await setPaused(database.db, DATA_LEAD, source.id, true);
    try {
      const run = await fullRun(testEngine(database), source);
      expect(run).toMatchObject({ status: 'succeeded', failureCode: null });
    } finally {
      await setPaused(database.db, DATA_LEAD, source.id, false);
    }
  });

  it('stops the run as cancelled by whoever archived it, and the source syncs no more', async () => {
    const source = await landedSchool(1, '140962');
    const before = await landedFrom(database.db, source.id);
    fake.changeResults(6, 1);

    const run = await stopInFlight(source, () => archiveSource(database.db, DATA_LEAD, source.id));

    expect(run).toMatchObject({
      status: 'cancelled',
      failureCategory: null,
      failureCode: 'source_archived',
      resultsLanded: 0,
      message:
        'Jo Whitfield archived the source while this sync was running, so it stopped and ' +
        'nothing from it was landed.',
    });
    expect(await landedFrom(database.db, source.id)).toEqual(before);
    expect(await pointsOfRun(database.db, run.id)).toBe(0);
    const again = await fullRun(testEngine(database), source);
    expect(again).toMatchObject({ status: 'failed', failureCode: 'source_gone' });
    expect(await landedFrom(database.db, source.id)).toEqual(before);
    const runsBefore = (await latestRuns(database.db, source.id, 50)).length;
    await enqueueDueRuns(database.db, new Date(Date.now() + 7 * 86_400_000));
    expect(await latestRuns(database.db, source.id, 50)).toHaveLength(runsBefore);
  });
});
