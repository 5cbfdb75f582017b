import { eq } from 'drizzle-orm';
import type { Actor } from '../../src/audit.ts';
import { syncRuns } from '../../src/db/schema.ts';
import { createLogger } from '../../src/logging.ts';
import type { Engine } from '../../src/sync/engine.ts';
import { requestRun } from '../../src/sync/runs.ts';
import { queueUpload, SyncWorker } from '../../src/sync/worker.ts';
import type { TestDatabase } from './database.ts';
import { TODAY } from './fixtures.ts';

export const ANALYST: Actor = { userId: null, label: 'Priya Shah (trust analyst)' };

export function testEngine(database: TestDatabase, overrides: Partial<Engine> = {}): Engine {
  return {
    db: database.db,
    secretKey: Buffer.alloc(32, 9),
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    clock: { now: () => new Date(), today: () => TODAY },
    owner: 'test-worker',
    leaseMs: 30_000,
    rawRetentionDays: 30,
    ...overrides,
  };
}

/** Runs every waiting run to its end on one worker. */
export async function drain(engine: Engine) {
  const worker = new SyncWorker(engine, { concurrency: 1 });
  await worker.tick();
  await worker.idle();
}

/** Uploads a file to a source, runs it, and returns the finished run. */
export async function uploadAndRun(
  engine: Engine,
  source: { id: string; schoolId: string },
  fileName: string,
  content: string | Buffer,
  collectionId: number | null = null,
) {
  const run = await queueUpload(
    engine.db,
    ANALYST,
    source,
    {
      fileName,
      bytes: Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'),
      contentType: fileName.endsWith('.csv') ? 'text/csv' : 'application/octet-stream',
      collectionId,
    },
    30,
  );
  await drain(engine);
  const [finished] = await engine.db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
  return finished!;
}

/** Asks for a full pull of a source's system, runs it, and returns the finished run. */
export async function pullAndRun(engine: Engine, source: { id: string; schoolId: string }) {
  const { run } = await requestRun(engine.db, {
    sourceId: source.id,
    schoolId: source.schoolId,
    trigger: 'manual',
    mode: 'full',
    requestedBy: null,
  });
  await drain(engine);
  const [finished] = await engine.db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
  return finished!;
}
