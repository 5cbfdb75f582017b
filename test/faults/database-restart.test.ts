import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { asc, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/index.ts';
import { syncRunEvents } from '../../src/db/schema.ts';
import { type AssemblyFake, startAssemblyFake } from '../../src/fakes/assembly/index.ts';
import { requestRun } from '../../src/sync/runs.ts';
import { createSource } from '../../src/sync/sources.ts';
import { SyncWorker } from '../../src/sync/worker.ts';
import { assemblySchool } from '../support/assembly.ts';
import { testServerUrl } from '../support/database.ts';
import { ANALYST, testEngine } from '../support/engine.ts';
import { createSchool, seedTrust } from '../support/fixtures.ts';
import { freePort } from '../support/process.ts';
import {
  agreeMappings,
  changedIds,
  duplicatePoints,
  fullRun,
  impliedBy,
  landedFrom,
  onRequest,
  pointsOfRun,
  type RunSource,
  runById,
  withoutRun,
} from './harness.ts';

/**
 * The PostgreSQL server restarts while a full pull is staging its pages. The test runs its own
 * PostgreSQL 15 cluster, so that restarting it disturbs nobody else, and restarts it while a
 * statement of the run is in flight (the run is made to wait on a row lock the test holds, so
 * the restart cannot fall between two pages unnoticed). The run lands nothing, what landed
 * before stays byte for byte, its log says the database went away, and the worker resumes it
 * from its last saved page once the database is back.
 */

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const PUPILS = 40;
const school = assemblySchool(3150, PUPILS, '140315');
const marked = school.results.filter((result) => typeof result.value === 'string').length;
const CONFIG = {
  pageSize: 20,
  resultsPageSize: 60,
  studentsPerResultsRequest: 20,
  http: { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 50 } },
};

/** A PostgreSQL cluster of the test's own, in a temporary folder, trusting local connections. */
class PrivateCluster {
  private constructor(
    private readonly folder: string,
    readonly url: string,
  ) {}

  static async start(): Promise<PrivateCluster> {
    const folder = mkdtempSync(path.join(tmpdir(), 'nss-pg-'));
    const cluster = new PrivateCluster(folder, '');
    const port = await freePort();
    // initdb refuses to run as root: the cluster belongs to the postgres user.
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      chownSync(folder, Number(stdout.trim()), -1);
    }
    await cluster.asOwner(`${BIN}/initdb`, [
      ...['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'],
    ]);
    const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await cluster.pgCtl(['-o', options, '-l', path.join(folder, 'server.log'), 'start']);
    return new PrivateCluster(folder, `postgres://postgres@127.0.0.1:${port}/postgres`);
  }

  private get dataDir() {
    return path.join(this.folder, 'data');
  }

  /** A fast restart: sessions are ended at once, as when the server is restarted for an update. */
  restart() {
    // With its log named, the server does not hold on to our output and we see it end.
    return this.pgCtl(['-m', 'fast', '-l', path.join(this.folder, 'server.log'), 'restart']);
  }

  async remove() {
    await this.pgCtl(['-m', 'immediate', 'stop']).catch(() => {});
    rmSync(this.folder, { recursive: true, force: true });
  }

  private pgCtl(args: string[]) {
    return this.asOwner(`${BIN}/pg_ctl`, ['-D', this.dataDir, '-w', '-t', '30', ...args]);
  }

  private asOwner(command: string, args: string[]) {
    if (process.getuid?.() !== 0) return run(command, args);
    return run('runuser', ['-u', 'postgres', '--', command, ...args]);
  }
}

let cluster: PrivateCluster | null = null;
let database: Database;
let fake: AssemblyFake;
let source: RunSource;

beforeAll(async () => {
  if (!testServerUrl) return;
  cluster = await PrivateCluster.start();
  database = await openDatabase({ url: cluster.url, dataDir: 'memory', poolSize: 4 });
  await seedTrust(database.db);
  const oakfield = await createSchool(database.db, { urn: '140315', laestab: '8013150' });
  fake = await startAssemblyFake({ schools: [school], targets: false });
  source = await createSource(database.db, Buffer.alloc(32, 9), ANALYST, {
    schoolId: oakfield.id,
    kind: 'assembly',
    name: 'Assembly Platform',
    config: { clientId: fake.clientId, apiUrl: fake.url, authUrl: fake.url, ...CONFIG },
    secrets: { clientSecret: fake.clientSecret, ...fake.tokens() },
  });
  const first = await fullRun(engine(), source);
  expect(first).toMatchObject({ status: 'succeeded', pupilsSeen: PUPILS, resultsSeen: marked });
  await agreeMappings(database.db, oakfield.id);
});
afterAll(async () => {
  await fake?.close();
  await database?.close();
  await cluster?.remove();
});

function engine() {
  return testEngine({ ...database, url: cluster?.url ?? null });
}

/**
 * Holds the run's row from another session until released, so that the run's next page waits
 * inside its transaction; resolves once a statement of the service is waiting on it.
 */
async function holdRunRow(url: string, runId: string) {
  const admin = postgres(url, { max: 2, onnotice: () => {} });
  let release = () => {};
  const locked = new Promise<void>((resolve, reject) => {
    admin
      .begin(async (tx) => {
        await tx`select 1 from sync_runs where id = ${runId} for update`;
        resolve();
        await new Promise<void>((done) => {
          release = done;
        });
      })
      // The restart ends this session too.
      .catch(reject);
  });
  await locked;
  for (let waited = 0; ; waited += 1) {
    const [found] = await admin<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where application_name = 'next-steps-sync' and wait_event_type = 'Lock'`;
    if (found!.n > 0) break;
    if (waited > 400) throw new Error('the run never reached its next page');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    async close() {
      release();
      await admin.end({ timeout: 1 }).catch(() => {});
    },
  };
}

describe('PostgreSQL restarted in the middle of a run', () => {
  it.skipIf(!testServerUrl)(
    'lands nothing half-done, says the database went away, and resumes once it is back' +
      (testServerUrl ? '' : ' (needs TEST_DATABASE_URL: an embedded database cannot restart)'),
    async () => {
      const before = await landedFrom(database.db, source.id);
      expect(before.length).toBeGreaterThan(100);
      const changed = fake.changeResults(6).length;
      const { run: queued } = await requestRun(database.db, {
        sourceId: source.id,
        schoolId: source.schoolId,
        trigger: 'manual',
        mode: 'full',
        requestedBy: null,
      });

      // The second page of results is slow to come, long enough to take the run's row first.
      fake.setFaults({ slow: { path: '/results', page: 2, delayMs: 300 } });
      let holding: Promise<{ close(): Promise<void> }> | null = null;
      const stopWatching = onRequest(
        fake.requests,
        (url) => url.startsWith('/results'),
        2,
        () => {
          holding = holdRunRow(cluster!.url, queued.id);
        },
      );
      const worker = new SyncWorker(engine(), { concurrency: 1 });
      try {
        await worker.tick();
        await new Promise((resolve) => setTimeout(resolve, 10));
        for (let waited = 0; holding === null; waited += 1) {
          if (waited > 600) throw new Error('the run never asked for its second page of results');
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        const held = await (holding as Promise<{ close(): Promise<void> }>);
        await cluster!.restart();
        await held.close();
        await worker.idle();
      } finally {
        stopWatching();
        fake.setFaults({});
      }

      const stopped = await runById(database.db, queued.id);
      expect(stopped).toMatchObject({
        status: 'interrupted',
        attempt: 1,
        leaseOwner: null,
        resultsLanded: 0,
        failureCategory: null,
      });
      // Pupils and the first page of results were saved before the database went.
      expect(stopped.pagesDone).toBeGreaterThan(PUPILS / CONFIG.pageSize);
      expect(stopped.resultsSeen).toBeLessThan(marked);
      expect(await landedFrom(database.db, source.id)).toEqual(before);
      expect(await pointsOfRun(database.db, queued.id)).toBe(0);

      // The worker's next tick resumes the run from its last saved page.
      await worker.tick();
      await worker.idle();
      const finished = await runById(database.db, queued.id);
      expect(finished).toMatchObject({
        status: 'succeeded',
        attempt: 2,
        failureCategory: null,
        message: null,
        pupilsSeen: PUPILS,
        resultsSeen: marked,
        resultsNew: 0,
        resultsChanged: changed,
        resultsLanded: changed,
      });
      const after = await landedFrom(database.db, source.id);
      expect(withoutRun(after)).toEqual(await impliedBy(database.db, source.id));
      expect(changedIds(before, after)).toHaveLength(changed);
      expect(await pointsOfRun(database.db, queued.id)).toBe(changed);
      expect(await duplicatePoints(database.db)).toBe(0);

      const events = await database.db
        .select({ code: syncRunEvents.code, message: syncRunEvents.message })
        .from(syncRunEvents)
        .where(eq(syncRunEvents.runId, queued.id))
        .orderBy(asc(syncRunEvents.id));
      expect(events).toEqual([
        expect.objectContaining({ code: 'started' }),
        {
          code: 'database_lost',
          message:
            'The database went away during this sync (it restarted or could not be reached). ' +
            'Nothing from this sync was landed; it will resume from the last saved page.',
        },
        {
          code: 'resumed',
          message: `Resumed after ${stopped.pagesDone} saved pages (attempt 2).`,
        },
        expect.objectContaining({ code: 'landed' }),
      ]);
    },
    60_000,
  );
});
