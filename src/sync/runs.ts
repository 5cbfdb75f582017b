import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
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
export async function claimNextRun(
  db: Db,
  owner: string,
  leaseMs: number,
  { resume = true }: { resume?: boolean } = {},
) {
  const statuses = resume ? sql`('queued', 'interrupted')` : sql`('queued')`;
  const [claimed] = await rows<{ id: string }>(
    db,
    sql`
    update sync_runs set status = 'running', lease_owner = ${owner},
      lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000}),
      attempt = attempt + 1, started_at = coalesce(started_at, now())
    where id = (
      select id from sync_runs where status in ${statuses}
      order by queued_at limit 1 for update skip locked)
    returning id`,
  );
  if (!claimed) return null;
  const [run] = await db.select().from(syncRuns).where(eq(syncRuns.id, claimed.id));
  return run ?? null;
}

/** Extends this worker's lease; false when the run is no longer this worker's. */
export async function renewLease(db: Executor, runId: string, owner: string, leaseMs: number) {
  const renewed = await rows<{ id: string }>(db, renewLeaseSql(runId, owner, leaseMs));
  return renewed.length === 1;
}

/** The statement that renews a run's lease, returning the run's id when this owner holds it. */
export function renewLeaseSql(runId: string, owner: string, leaseMs: number): SQL {
  return sql`
    update sync_runs set lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000})
    where ${leaseHeldBy(runId, owner)}
    returning id`;
}

/** A condition on `sync_runs`: the run is running, and this owner holds its lease. */
export function leaseHeldBy(runId: string, owner: string): SQL {
  return sql`id = ${runId} and lease_owner = ${owner} and status = 'running'`;
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

/** The warning a run ends with when its pull was not complete; a replay reads it back. */
export const INCOMPLETE_PULL = 'The source said the pull was incomplete.';

/** Why a run cannot be replayed, in words for the person who asked. */
export class ReplayRefused extends Error {
  constructor(
    readonly code: 'raw_expired' | 'nothing_to_replay' | 'run_unfinished' | 'run_superseded',
    message: string,
  ) {
    super(message);
  }
}

export interface ReplayPolicy {
  /** RAW_RETENTION_DAYS, to say how long the pages were kept. */
  retentionDays: number;
  now: Date;
}

// RAW_RETENTION_DAYS unset: what the service keeps raw pages for by default.
const DEFAULT_POLICY = { retentionDays: 90 };

/**
 * Runs a run again from what it kept, after a fix (a new rule, a corrected calendar): an
 * uploaded file without a re-upload, or the pages a pull read from a school's system without
 * asking it again. A replay of a replay reads the first run's pages, which are kept only once.
 * Throws ReplayRefused, saying why, when the run cannot be replayed.
 */
export async function replayRun(
  executor: Executor,
  run: SyncRun,
  requestedBy: string | null,
  policy: ReplayPolicy = { ...DEFAULT_POLICY, now: new Date() },
) {
  const origin = run.replayOf ? await replayedRun(executor, run.replayOf) : run;
  if (origin.trigger === 'upload') await refuseGoneFile(executor, origin, policy);
  else await refuseUnreplayablePull(executor, origin, policy);
  return requestRun(executor, {
    sourceId: origin.sourceId,
    schoolId: origin.schoolId,
    trigger: 'replay',
    mode: origin.mode,
    requestedBy,
    collectionId: origin.collectionId,
    replayOf: origin.id,
  });
}

/**
 * Whether the replayed run's pull was complete: a full pull that finished without the
 * incomplete warning. Only then may its replay mark pupils as left.
 */
export function wasCompletePull(run: SyncRun): boolean {
  const finished = run.status === 'succeeded' || run.status === 'succeeded_with_warnings';
  return run.mode === 'full' && finished && !run.warnings.includes(INCOMPLETE_PULL);
}

async function replayedRun(executor: Executor, runId: string): Promise<SyncRun> {
  const [origin] = await executor.select().from(syncRuns).where(eq(syncRuns.id, runId));
  if (!origin) throw new ReplayRefused('nothing_to_replay', 'The run it replayed is gone.');
  return origin;
}

async function refuseGoneFile(executor: Executor, origin: SyncRun, policy: ReplayPolicy) {
  if (await stillKept(executor, origin.id, policy.now)) return;
  throw new ReplayRefused(
    'raw_expired',
    `The uploaded file was kept for ${policy.retentionDays} days and has gone, so it cannot ` +
      'be read again: upload it again instead.',
  );
}

// Only the newest finished pull is replayed: an older one would put back values that a later
// sync has since changed, and its roll would mark pupils who joined since as left.
async function refuseUnreplayablePull(executor: Executor, origin: SyncRun, policy: ReplayPolicy) {
  if (origin.status !== 'succeeded' && origin.status !== 'succeeded_with_warnings') {
    throw new ReplayRefused(
      'run_unfinished',
      'Only a sync that finished can be replayed: this one stopped before it had read ' +
        'everything, so its pages are not the whole picture. Start a new sync instead.',
    );
  }
  if (origin.pagesDone === 0) {
    throw new ReplayRefused('nothing_to_replay', 'This sync read no pages, so nothing to replay.');
  }
  const [later] = await rows<{ id: string }>(
    executor,
    sql`select id from sync_runs where source_id = ${origin.sourceId} and id <> ${origin.id}
      and trigger <> 'replay' and status in ('succeeded', 'succeeded_with_warnings')
      and queued_at > ${origin.queuedAt.toISOString()}::timestamptz limit 1`,
  );
  if (later) {
    throw new ReplayRefused(
      'run_superseded',
      'A later sync of this source has read newer data, so replaying this one would put older ' +
        'values back. Replay the latest sync instead.',
    );
  }
  if (await stillKept(executor, origin.id, policy.now)) return;
  throw new ReplayRefused(
    'raw_expired',
    `The pages this sync read were kept for ${policy.retentionDays} days and have gone, so it ` +
      'cannot be replayed. Start a new sync instead.',
  );
}

/** Whether the run's pages (or file) are all still kept: none pruned, none past its expiry. */
async function stillKept(executor: Executor, runId: string, now: Date) {
  const [kept] = await rows<{ pages: number; expired: number }>(
    executor,
    sql`select count(*)::int as pages,
        (count(*) filter (where expires_at <= ${now.toISOString()}::timestamptz))::int as expired
      from raw_payloads where run_id = ${runId}`,
  );
  return (kept?.pages ?? 0) > 0 && kept?.expired === 0;
}

/** Deletes raw pages and files past their retention (RAW_RETENTION_DAYS). */
export async function pruneRawPayloads(db: Db, now: Date) {
  const pruned = await rows<{ id: number }>(
    db,
    sql`delete from raw_payloads where expires_at < ${now.toISOString()}::timestamptz returning id`,
  );
  return pruned.length;
}
