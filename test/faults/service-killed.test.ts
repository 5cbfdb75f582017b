import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/index.ts';
import { syncRunEvents, syncRuns } from '../../src/db/schema.ts';
import type { AssemblyFake } from '../../src/fakes/assembly/index.ts';
import { requestRun } from '../../src/sync/runs.ts';
import { assemblySchool, assemblySource, startFake } from '../support/assembly.ts';
import { testEngine } from '../support/engine.ts';
import { createSchool, seedTrust } from '../support/fixtures.ts';
import { type Spawned, spawnEntry } from '../support/process.ts';
import { type FaultDatabase, faultDatabase } from './database.ts';
import {
  agreeMappings,
  changedIds,
  duplicatePoints,
  fullRun,
  impliedBy,
  landedFrom,
  pointsOfRun,
  type RunSource,
  runById,
  withoutRun,
} from './harness.ts';

/**
 * The service process is killed with SIGKILL in the middle of a full pull of a primary whose
 * grades have landed before, then started again. Nothing from the killed run lands, what landed
 * before stays byte for byte, and the second process finds the run by its expired lease,
 * resumes it after its saved pages and finishes it. Both processes are real service instances
 * (test/support/worker-process.ts); on PGlite they open the same database directory in turn.
 */

const PUPILS = 200;
const school = assemblySchool(21, PUPILS, '140777');
const marked = school.results.filter((result) => typeof result.value === 'string').length;
// Long enough that a busy machine never lets a live process lose its own lease.
const LEASE_MS = 6000;

let database: FaultDatabase;
let open: Database;
let closed = false;
const children: Spawned[] = [];
let fake: AssemblyFake;
let source: RunSource;
/** Requests for results that one whole full pull of the school makes. */
let wholePull: number;

beforeAll(async () => {
  database = await faultDatabase();
  open = database;
  await seedTrust(database.db);
  const oakfield = await createSchool(database.db, { urn: '140777', laestab: '8010777' });
  fake = await startFake([school]);
  source = await assemblySource(database.db, Buffer.alloc(32, 9), fake, oakfield.id);
  const first = await fullRun(testEngine(database), source);
  wholePull = fake.requests.filter((r) => r.url.startsWith('/results')).length;
  expect(first).toMatchObject({ status: 'succeeded', pupilsSeen: PUPILS, resultsSeen: marked });
  await agreeMappings(database.db, oakfield.id);
});
afterAll(async () => {
  for (const spawned of children) spawned.child.kill('SIGKILL');
  await fake?.close();
  if (open !== database && !closed) await open.close();
  await database?.close();
});

/** The embedded database belongs to one process at a time: the test lets go while a child runs. */
async function handOver() {
  if (!database.dataDir) return;
  await (open === database ? database.letGo() : open.close());
  closed = true;
}

async function takeBack() {
  if (!database.dataDir) return;
  open = await openDatabase({ url: null, dataDir: database.dataDir });
  closed = false;
}

function serviceProcess(env: Record<string, string> = {}): Spawned {
  const spawned = spawnEntry('test/support/worker-process.ts', {
    WORKER_DATABASE_URL: database.url ?? '',
    WORKER_DATA_DIR: database.dataDir ?? 'memory',
    WORKER_LEASE_MS: String(LEASE_MS),
    ...env,
  });
  children.push(spawned);
  return spawned;
}

async function until(check: () => boolean, ms: number, what: () => string) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`${what()} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the service killed with SIGKILL in the middle of a run, and started again', () => {
  it('lands nothing from the killed run, and the next process resumes it to exact counts', async () => {
    const before = await landedFrom(open.db, source.id);
    expect(before.length).toBeGreaterThan(1000);
    const changed = fake.changeResults(6).length;
    fake.setFaults({ slow: { path: '/results', delayMs: 120 } });
    const { run } = await requestRun(open.db, {
      sourceId: source.id,
      schoolId: source.schoolId,
      trigger: 'manual',
      mode: 'full',
      requestedBy: null,
    });
    await handOver();

    const killed = serviceProcess();
    const resultRequests = () => fake.requests.filter((r) => r.url.startsWith('/results'));
    const asked = resultRequests().length;
    await until(
      () => resultRequests().length >= asked + 3,
      60_000,
      () =>
        `the run asked for no results (${killed.stdout().length} bytes out): ${killed.stderr()}`,
    );
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toBeNull();
    const askedBeforeKill = resultRequests().length;

    await takeBack();
    const stopped = await runById(open.db, run.id);
    expect(stopped).toMatchObject({ status: 'running', attempt: 1, resultsLanded: 0 });
    expect(stopped.pagesDone).toBeGreaterThan(1);
    expect(stopped.resultsSeen).toBeGreaterThan(0);
    expect(stopped.resultsSeen).toBeLessThan(marked);
    // Byte for byte what landed before, and not one point from the killed run.
    expect(await landedFrom(open.db, source.id)).toEqual(before);
    expect(await pointsOfRun(open.db, run.id)).toBe(0);
    await handOver();

    const restarted = serviceProcess({ WORKER_EXIT_WHEN_DONE: '1' });
    const code = await Promise.race([
      restarted.exited,
      new Promise((resolve) => setTimeout(() => resolve('still running'), 60_000)),
    ]);
    if (code !== 0) restarted.child.kill('SIGKILL');
    expect(code, restarted.stderr()).toBe(0);
    fake.setFaults({});

    await takeBack();
    const finished = await runById(open.db, run.id);
    expect(finished).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      failureCategory: null,
      message: null,
      pupilsSeen: PUPILS,
      pupilsNew: 0,
      resultsSeen: marked,
      resultsNew: 0,
      resultsChanged: changed,
      resultsLanded: changed,
    });
    const after = await landedFrom(open.db, source.id);
    expect(withoutRun(after)).toEqual(await impliedBy(open.db, source.id));
    expect(changedIds(before, after)).toHaveLength(changed);
    expect(await pointsOfRun(open.db, run.id)).toBe(changed);
    expect(await duplicatePoints(open.db)).toBe(0);
    // The resumed pull asked only for what the killed one had not saved.
    expect(resultRequests().length - askedBeforeKill).toBeLessThan(wholePull);

    const events = await open.db
      .select({ code: syncRunEvents.code, message: syncRunEvents.message })
      .from(syncRunEvents)
      .where(eq(syncRunEvents.runId, run.id))
      .orderBy(asc(syncRunEvents.id));
    expect(events.map((event) => event.code)).toEqual([
      'started',
      'interrupted',
      'resumed',
      'landed',
    ]);
    expect(events[2]!.message).toBe(`Resumed after ${stopped.pagesDone} saved pages (attempt 2).`);
    const [lease] = await open.db
      .select({ owner: syncRuns.leaseOwner })
      .from(syncRuns)
      .where(eq(syncRuns.id, run.id));
    expect(lease!.owner).toBeNull();
  }, 150_000);
});
