import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Actor } from '../audit.ts';
import type { Db } from '../db/index.ts';
import { rawPayloads, sources, syncRuns } from '../db/schema.ts';
import { warmReports } from '../reports/warm.ts';
import type { Engine } from './engine.ts';
import { executeRun } from './execute.ts';
import {
  claimNextRun,
  pruneRawPayloads,
  requestRun,
  type SyncRun,
  sweepExpiredLeases,
} from './runs.ts';
import { nextDue } from './schedule.ts';

/**
 * The worker in each service instance. Every tick it queues the syncs that are due, finds runs
 * whose worker died, and claims waiting runs up to its concurrency. Instances share the queue in
 * the database, so each due sync runs exactly once however many there are.
 */

export interface WorkerOptions {
  concurrency: number;
  /**
   * Work started at each tick, one at a time, that readers would otherwise wait for: the
   * console's reconciliation for schools whose data has moved, say. A failure is logged.
   */
  warm?: () => Promise<void>;
}

export class SyncWorker {
  private readonly inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  private stopped = false;
  private warming: Promise<void> | null = null;
  private lastPruned = 0;

  constructor(
    private readonly engine: Engine,
    private readonly options: WorkerOptions = { concurrency: 2 },
  ) {}

  /** One pass: queue due syncs, recover dead runs, start what there is room for. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    await enqueueDueRuns(this.engine.db, this.engine.clock.now());
    await sweepExpiredLeases(this.engine.db);
    await this.pruneHourly();
    while (!this.stopped && this.inFlight.size < this.options.concurrency) {
      const run = await claimNextRun(this.engine.db, this.engine.owner, this.engine.leaseMs);
      if (!run) break;
      this.start(run);
    }
    this.startWarming();
  }

  private startWarming() {
    const { warm } = this.options;
    if (!warm || this.warming || this.stopped) return;
    this.warming = warm()
      .catch((error: unknown) => {
        this.engine.logger.warn(
          { err: { type: (error as Error)?.name } },
          'readers will work out what was not ready',
        );
      })
      .finally(() => {
        this.warming = null;
      });
  }

  /** Resolves when every run this worker has started has finished or stopped. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) {
      await Promise.all([...this.inFlight.values()].map((entry) => entry.done));
    }
  }

  /** Stops claiming; in-flight runs stop at their next page and resume elsewhere later. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.inFlight.values()) entry.abort.abort();
    await this.idle();
    await this.warming;
  }

  private async pruneHourly() {
    const now = this.engine.clock.now();
    if (now.getTime() - this.lastPruned < 3_600_000) return;
    this.lastPruned = now.getTime();
    await pruneRawPayloads(this.engine.db, now);
  }

  /** After a run that succeeded: its school's report figures counted ready for readers. */
  private async afterRun(run: SyncRun) {
    const [ended] = await this.engine.db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
    if (ended?.status !== 'succeeded' && ended?.status !== 'succeeded_with_warnings') return;
    try {
      await warmReports(this.engine.db, run.schoolId, this.engine.clock.today());
    } catch (error) {
      this.engine.logger.warn(
        { runId: run.id, err: { type: (error as Error)?.name } },
        'report figures not counted after the run; the next reader counts them',
      );
    }
  }

  private start(run: SyncRun) {
    const abort = new AbortController();
    const done = executeRun(this.engine, run, abort.signal)
      .then(() => this.afterRun(run))
      .catch((error: unknown) => {
        this.engine.logger.error(
          { runId: run.id, err: { type: (error as Error)?.name } },
          'run lost',
        );
      })
      .finally(() => {
        this.inFlight.delete(run.id);
      });
    this.inFlight.set(run.id, { done, abort });
  }
}

/** Queues a run for every active source whose schedule is due; returns the runs queued. */
export async function enqueueDueRuns(db: Db, now: Date): Promise<string[]> {
  const due = await db
    .select()
    .from(sources)
    .where(
      and(
        eq(sources.paused, false),
        isNull(sources.archivedAt),
        sql`${sources.schedule} is not null`,
        or(isNull(sources.nextRunAt), lte(sources.nextRunAt, now)),
      ),
    );
  const queued: string[] = [];
  for (const source of due) {
    const runId = await db.transaction(async (tx) => {
      const fullDue = source.nextFullRunAt === null || source.nextFullRunAt <= now;
      // Only the instance whose update still sees the old due time queues the run.
      const [claimed] = await tx
        .update(sources)
        .set({
          nextRunAt: nextDue(source.schedule!, now),
          nextFullRunAt:
            fullDue && source.fullSchedule
              ? nextDue(source.fullSchedule, now)
              : source.nextFullRunAt,
        })
        .where(
          and(
            eq(sources.id, source.id),
            source.nextRunAt === null
              ? isNull(sources.nextRunAt)
              : eq(sources.nextRunAt, source.nextRunAt),
          ),
        )
        .returning({ id: sources.id });
      if (!claimed) return null;
      const mode = fullDue || source.cursor === null ? 'full' : 'incremental';
      const { run, created } = await requestRun(tx, {
        sourceId: source.id,
        schoolId: source.schoolId,
        trigger: 'schedule',
        mode,
        requestedBy: null,
      });
      return created ? run.id : null;
    });
    if (runId) queued.push(runId);
  }
  return queued;
}

export interface Upload {
  fileName: string;
  bytes: Buffer;
  contentType: string;
  /** Land every result in this collection (a newly converted school's baseline, say). */
  collectionId?: number | null;
}

/** Queues a run for an uploaded file, keeping the file itself as the run's raw input. */
export async function queueUpload(
  db: Db,
  actor: Actor,
  source: { id: string; schoolId: string },
  upload: Upload,
  retentionDays: number,
): Promise<SyncRun> {
  return db.transaction(async (tx) => {
    const { run, created } = await requestRun(tx, {
      sourceId: source.id,
      schoolId: source.schoolId,
      trigger: 'upload',
      mode: 'full',
      requestedBy: actor.userId,
      collectionId: upload.collectionId ?? null,
    });
    if (!created) {
      throw new Error('This source already has a run waiting or in progress; try again after it.');
    }
    await tx.insert(rawPayloads).values({
      runId: run.id,
      seq: 0,
      label: upload.fileName,
      contentType: upload.contentType,
      body: gzipSync(upload.bytes),
      byteSize: upload.bytes.length,
      sha256: createHash('sha256').update(upload.bytes).digest('hex'),
      expiresAt: new Date(Date.now() + retentionDays * 86_400_000),
    });
    return run;
  });
}

export function instanceName(): string {
  return `instance-${randomUUID().slice(0, 8)}`;
}
