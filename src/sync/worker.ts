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

/**
 * How long a school's report figures may wait for the queue to go quiet before they are counted
 * while runs go on.
 */
export const REPORTS_WAIT_MS = 10 * 60_000;

export class SyncWorker {
  private readonly inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  private stopped = false;
  private warming: Promise<void> | null = null;
  private lastPruned = 0;
  /** Schools whose runs have landed since their report figures were counted, and since when. */
  private readonly reportsDue = new Map<string, number>();
  private counting: Promise<void> | null = null;
  private claiming: Promise<void> | null = null;

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
    await this.claimWhatFits(true);
    this.startWarming();
    this.countReportsWhenQuiet();
  }

  /**
   * Claims waiting runs while there is room; one claim at a time, however it was called. Runs
   * that stopped part-way are resumed only when `resume` (at a tick): one stopped by a database
   * that went away is not tried again the moment it stops.
   */
  private claimWhatFits(resume: boolean): Promise<void> {
    this.claiming ??= (async () => {
      while (!this.stopped && this.inFlight.size < this.options.concurrency) {
        const run = await claimNextRun(this.engine.db, this.engine.owner, this.engine.leaseMs, {
          resume,
        });
        if (!run) break;
        this.start(run);
      }
    })().finally(() => {
      this.claiming = null;
    });
    return this.claiming;
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

  /**
   * Resolves when every run this worker has started has finished or stopped, with the runs it
   * claimed as others ended.
   */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.claiming) {
      await Promise.all([...this.inFlight.values()].map((entry) => entry.done));
      await this.claiming;
    }
  }

  /** Resolves when the report figures of the schools whose runs have landed are counted. */
  async reportsCounted(): Promise<void> {
    while (this.counting) await this.counting;
  }

  /** Stops claiming; in-flight runs stop at their next page and resume elsewhere later. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.inFlight.values()) entry.abort.abort();
    await this.idle();
    await this.warming;
    await this.reportsCounted();
  }

  private async pruneHourly() {
    const now = this.engine.clock.now();
    if (now.getTime() - this.lastPruned < 3_600_000) return;
    this.lastPruned = now.getTime();
    await pruneRawPayloads(this.engine.db, now);
  }

  /** After a run that succeeded: its school's report figures are due to be counted. */
  private async afterRun(run: SyncRun) {
    const [ended] = await this.engine.db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
    if (ended?.status !== 'succeeded' && ended?.status !== 'succeeded_with_warnings') return;
    if (!this.reportsDue.has(run.schoolId)) {
      this.reportsDue.set(run.schoolId, this.engine.clock.now().getTime());
    }
  }

  /**
   * The report figures of every school whose runs have landed, counted in one pass once no run
   * is in flight or waiting, so that the trust's dashboard is ready when the syncs end. A burst
   * of syncs (every school overnight) lands first and is counted once, rather than each school
   * being counted while the others wait; figures that have waited `REPORTS_WAIT_MS` are counted
   * while runs go on. Until then, a reader counts what is not ready.
   */
  private countReportsWhenQuiet() {
    if (this.counting || this.stopped || this.reportsDue.size === 0) return;
    this.counting = this.countReports()
      .catch((error: unknown) => {
        this.engine.logger.warn(
          { err: { type: (error as Error)?.name } },
          'report figures not counted after the runs; the next reader counts them',
        );
      })
      .finally(() => {
        this.counting = null;
      });
  }

  private async countReports() {
    while (this.reportsDue.size > 0 && !this.stopped) {
      const waited = this.engine.clock.now().getTime() - Math.min(...this.reportsDue.values());
      if (
        waited < REPORTS_WAIT_MS &&
        (this.inFlight.size > 0 || (await runsWaiting(this.engine.db)))
      ) {
        return;
      }
      const schoolIds = [...this.reportsDue.keys()];
      this.reportsDue.clear();
      await warmReports(this.engine.db, schoolIds, this.engine.clock.today());
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
      .finally(async () => {
        this.inFlight.delete(run.id);
        // The next waiting run starts now rather than at the next tick.
        await this.claimWhatFits(false).catch((error: unknown) => {
          this.engine.logger.warn(
            { err: { type: (error as Error)?.name } },
            'no run claimed after a run ended; the next tick claims it',
          );
        });
        this.countReportsWhenQuiet();
      });
    this.inFlight.set(run.id, { done, abort });
  }
}

/** Whether any run is waiting to be claimed, by this instance or another. */
async function runsWaiting(db: Db): Promise<boolean> {
  const [found] = await db
    .select({ id: syncRuns.id })
    .from(syncRuns)
    .where(eq(syncRuns.status, 'queued'))
    .limit(1);
  return found !== undefined;
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
