import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/db/index.ts';
import { rows } from '../../src/db/rows.ts';
import { createLogger } from '../../src/logging.ts';
import { SyncWorker } from '../../src/sync/worker.ts';

/**
 * A service instance that only runs syncs, as its own process, so that a test can kill it with
 * SIGKILL in the middle of a run. It prints "tick" after each pass of its worker. With
 * WORKER_EXIT_WHEN_DONE=1 it closes its database and exits once no run is waiting, running or
 * interrupted, so that the next process may open an embedded database after it.
 */

const database = await openDatabase({
  url: process.env.WORKER_DATABASE_URL || null,
  dataDir: process.env.WORKER_DATA_DIR ?? 'memory',
});
const worker = new SyncWorker(
  {
    db: database.db,
    secretKey: Buffer.alloc(32, 9),
    logger: createLogger('silent'),
    clock: { now: () => new Date(), today: () => '2026-12-03' },
    owner: `child-${process.pid}`,
    leaseMs: Number(process.env.WORKER_LEASE_MS ?? 2000),
    rawRetentionDays: 30,
  },
  { concurrency: 1 },
);
const exitWhenDone = process.env.WORKER_EXIT_WHEN_DONE === '1';

for (;;) {
  await worker.tick();
  process.stdout.write('tick\n');
  if (exitWhenDone) {
    await worker.idle();
    if ((await activeRuns()) === 0) break;
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await database.close();

async function activeRuns() {
  const [found] = await rows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from sync_runs
      where status in ('queued', 'running', 'interrupted')`,
  );
  return found!.n;
}
