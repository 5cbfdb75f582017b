import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Executor } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import { syncRuns } from '../db/schema.ts';
import { logRunEvent } from './run-log.ts';

/**
 * Sync runs in the database: requested, claimed under a lease that the worker renews, and found
 * again by their expired lease when a worker dies. Several instances share one queue safely: a
 * claim skips rows another instance holds, and a source has at most one active run.
 */

export type SyncRun = typeof syncRuns.$inferSelect;
export type RunTrigger = SyncRun['trigger'];

/** A run stopped this many times by dying workers fails rather than trying forever. */
export const MAX_ATTEMPTS = 3;

export interface RunRequest {
  sourceId: string;
  schoolId: string;
  trigger: RunTrigger;
  mode: 'full' | 'incremental';
  requestedBy: string | null;
  collectionId?: number | null;
  replayOf?: string | null;
}

/** Queues a run, or returns the source's run already queued or running. */
export async function requestRun(
  executor: Executor,
  request: RunRequest,
): Promise<{ run: SyncRun; created: boolean }> {
  const [created] = await executor
    .insert(syncRuns)
    .values({
      sourceId: request.sourceId,
      schoolId: request.schoolId,
      trigger: request.trigger,
      mode: request.mode,
      requestedBy: request.requestedBy,
      collectionId: request.collectionId ?? null,
      replayOf: request.replayOf ?? null,
    })
    .onConflictDoNothing()
    .returning();
  if (created) return { run: created, created: true };
  const [active] = await executor
    .select()
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.sourceId, request.sourceId),
        inArray(syncRuns.status, ['queued', 'running', 'interrupted']),
      ),
    )
    .limit(1);
  return { run: active!, created: false };
}

/** Takes the oldest waiting run (queued, or interrupted and due to resume) for this worker. */
export async function claimNextRun(db: Db, owner: string, leaseMs: number) {
  const [claimed] = await rows<{ id: string }>(
    db,
    sql`
    update sync_runs set status = 'running', lease_owner = ${owner},
      lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000}),
      attempt = attempt + 1, started_at = coalesce(started_at, now())
    where id = (
      select id from sync_runs where status in ('queued', 'interrupted')
      order by queued_at limit 1 for update skip locked)
    returning id`,
  );
  if (!claimed) return null;
  const [run] = await db.select().from(syncRuns).where(eq(syncRuns.id, claimed.id));
  return run ?? null;
}

/** Extends this worker's lease; false when the run is no longer this worker's. */
export async function renewLease(db: Executor, runId: string, owner: string, leaseMs: number) {
  const renewed = await rows<{ id: string }>(
    db,
    sql`
    update sync_runs set lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000})
    where id = ${runId} and lease_owner = ${owner} and status = 'running'
    returning id`,
  );
  return renewed.length === 1;
}

/**
 * Runs whose worker stopped renewing its lease are marked interrupted, to be resumed from their
 * last checkpoint by whichever instance claims them next, or failed after MAX_ATTEMPTS.
 */
export async function sweepExpiredLeases(db: Db): Promise<string[]> {
  return db.transaction(async (tx) => {
    const expired = await rows<{ id: string; attempt: number }>(
      tx,
      sql`
      select id, attempt from sync_runs
      where status = 'running' and lease_expires_at < now()
      for update skip locked`,
    );
    for (const run of expired) {
      const exhausted = run.attempt >= MAX_ATTEMPTS;
      await tx
        .update(syncRuns)
        .set(
          exhausted
            ? {
                status: 'failed',
                finishedAt: new Date(),
                leaseOwner: null,
                failureCategory: 'internal',
                failureCode: 'worker_lost',
                message:
                  `The sync stopped ${run.attempt} times before finishing. Nothing from it ` +
                  'was landed. Run it again; if it stops again, tell the trust admin.',
              }
            : { status: 'interrupted', leaseOwner: null },
        )
        .where(eq(syncRuns.id, run.id));
      await logRunEvent(tx, run.id, {
        level: 'warn',
        code: exhausted ? 'worker_lost' : 'interrupted',
        message: exhausted
          ? 'The service stopped while running this sync too many times; the run has failed.'
          : 'The service stopped while running this sync. It will resume from the last page ' +
            'saved.',
      });
    }
    return expired.map((run) => run.id);
  });
}

export async function latestRuns(executor: Executor, sourceId: string, limit: number) {
  return executor
    .select()
    .from(syncRuns)
    .where(eq(syncRuns.sourceId, sourceId))
    .orderBy(desc(syncRuns.queuedAt))
    .limit(limit);
}

/** Runs an uploaded file again after a fix (a new rule, a corrected calendar): no re-upload. */
export async function replayRun(executor: Executor, run: SyncRun, requestedBy: string | null) {
  const [raw] = await rows<{ n: number }>(
    executor,
    sql`select count(*)::int as n from raw_payloads where run_id = ${run.id} and seq = 0`,
  );
  if (!raw || raw.n === 0) return null;
  return requestRun(executor, {
    sourceId: run.sourceId,
    schoolId: run.schoolId,
    trigger: 'replay',
    mode: run.mode,
    requestedBy,
    collectionId: run.collectionId,
    replayOf: run.id,
  });
}

/** Deletes raw pages and files past their retention (RAW_RETENTION_DAYS). */
export async function pruneRawPayloads(db: Db, now: Date) {
  const pruned = await rows<{ id: number }>(
    db,
    sql`delete from raw_payloads where expires_at < ${now.toISOString()}::timestamptz returning id`,
  );
  return pruned.length;
}
