import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/index.ts';
import { rows } from '../../src/db/rows.ts';
import { syncRunEvents, syncRuns } from '../../src/db/schema.ts';
import { requestRun } from '../../src/sync/runs.ts';
import { assemblySchool, assemblySource, startFake } from '../support/assembly.ts';
import { testDatabase } from '../support/database.ts';
import { drain, testEngine } from '../support/engine.ts';
import { createSchool, seedTrust } from '../support/fixtures.ts';
import { spawnEntry } from '../support/process.ts';

const school = assemblySchool(21, 200, '140777');

async function until(check: () => boolean | Promise<boolean>, ms: number) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function count(database: Database, table: string) {
  const [found] = await rows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from ${sql.identifier(table)}`,
  );
  return found!.n;
}

describe('a service killed with SIGKILL in the middle of a run', () => {
  it('lands nothing half-done, and the next instance resumes the run and finishes it', async () => {
    const fake = await startFake([school], { slowMs: 120 });
    const scratch = process.env.TEST_DATABASE_URL ? await testDatabase() : null;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'nss-kill-'));
    let database: Database = scratch ?? (await openDatabase({ url: null, dataDir }));
    try {
      await seedTrust(database.db);
      const oakfield = await createSchool(database.db, { urn: '140777', laestab: '8010777' });
      const source = await assemblySource(database.db, Buffer.alloc(32, 9), fake, oakfield.id);
      const { run } = await requestRun(database.db, {
        sourceId: source.id,
        schoolId: oakfield.id,
        trigger: 'manual',
        mode: 'full',
        requestedBy: null,
      });
      // The embedded database belongs to one process at a time.
      if (!scratch) await database.close();

      const child = spawnEntry('test/support/worker-process.ts', {
        WORKER_DATABASE_URL: scratch?.url ?? '',
        WORKER_DATA_DIR: dataDir,
        WORKER_LEASE_MS: '2000',
      });
      const resultRequests = () => fake.requests.filter((r) => r.url.startsWith('/results'));
      await until(() => resultRequests().length >= 3, 30_000);
      child.child.kill('SIGKILL');
      await child.exited;
      const requestsBeforeKill = resultRequests().length;

      if (!scratch) database = await openDatabase({ url: null, dataDir });
      const [killed] = await database.db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
      expect(killed!.status).toBe('running');
      expect(killed!.pagesDone).toBeGreaterThan(0);
      expect(await count(database, 'staged_results')).toBeGreaterThan(0);
      expect(await count(database, 'assessments')).toBe(0);

      // The dead worker's lease runs out; the next instance finds the run and resumes it.
      await new Promise((resolve) => setTimeout(resolve, 2200));
      await drain(testEngine({ ...database, url: null }));

      const [finished] = await database.db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
      expect(finished).toMatchObject({
        status: 'succeeded',
        attempt: 2,
        pupilsSeen: 200,
        pupilsNew: 200,
        resultsSeen: school.results.length,
        resultsNew: school.results.length,
      });
      expect(await count(database, 'staged_results')).toBe(school.results.length);
      // The resumed pull asked only for what the dead one had not saved.
      expect(resultRequests().length - requestsBeforeKill).toBeLessThan(Math.ceil(200 / 50) + 1);
      const events = await database.db
        .select({ code: syncRunEvents.code })
        .from(syncRunEvents)
        .where(eq(syncRunEvents.runId, run.id));
      expect(events.map((e) => e.code)).toEqual(['started', 'interrupted', 'resumed', 'landed']);
    } finally {
      await fake.close();
      await database.close();
    }
  }, 90_000);
});
