import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { constants, gunzipSync, gzip } from 'node:zlib';
import { and, asc, desc, eq, gt, gte, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type {
  ConnectorKind,
  PullEvent,
  PulledPage,
  PullSummary,
  RawPayload,
  UploadedFile,
} from '../connectors/contract.ts';
import { connectorKind } from '../connectors/registry.ts';
import { arrayLiteral } from '../db/bulk.ts';
import { type Executor, isDatabaseUnavailable, type Tx } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import {
  academicYears,
  auditLog,
  collections,
  rawPayloads,
  recordProblems,
  sources,
  syncRunSeen,
  syncRuns,
} from '../db/schema.ts';
import { academicYearStartOf } from '../domain/school-year.ts';
import { loadSchoolYears } from '../trust/school-year.ts';
import { adoptPending, deriveSchool } from './derive.ts';
import type { Engine } from './engine.ts';
import { asSourceFailure, RunInterrupted, WHAT_TO_DO } from './failure.ts';
import { suggestSubjectsForNewAspects } from './mapping.ts';
import { logRunEvent, type RunEvent } from './run-log.ts';
import {
  INCOMPLETE_PULL,
  leaseHeldBy,
  MAX_ATTEMPTS,
  renewLease,
  renewLeaseSql,
  type SyncRun,
  wasCompletePull,
} from './runs.ts';
import { type Source, sourceSecrets } from './sources.ts';
import { stagePupils } from './stage-pupils.ts';
import {
  ensureAspects,
  knownAspectIds,
  pageDigest,
  type ResultsPage,
  readResultsPage,
  resultsStatement,
  type StagedCounts,
  stageDeletions,
  withoutUnchanged,
} from './stage-results.ts';
import {
  collectionKey,
  emptyCounts,
  type KeptPages,
  type PageCounts,
  type StagingScope,
} from './staging-scope.ts';
import { refreshStatistics } from './statistics.ts';
import { checkVolume } from './volume.ts';

/**
 * One sync run from start to end. Each page is staged in its own transaction with the run's
 * checkpoint, so a run that dies resumes after its last saved page. Landing is one transaction at
 * the end: a run that fails lands nothing, and what landed before stays.
 */

type AnyKind = ConnectorKind<unknown, unknown>;

const gzipped = promisify(gzip);

/** Kept pages read back at a time by a replay: enough to keep it moving, few enough to hold. */
const REPLAY_BATCH = 20;

/** How often a run whose database went away asks again whether it is back. */
const DATABASE_RETRY_MS = 250;

const DATABASE_LOST: RunEvent = {
  level: 'warn',
  code: 'database_lost',
  message:
    'The database went away during this sync (it restarted or could not be reached). Nothing ' +
    'from this sync was landed; it will resume from the last saved page.',
};

const DATABASE_LOST_TOO_OFTEN =
  `The database went away ${MAX_ATTEMPTS} times during this sync, so it stopped and nothing ` +
  'from it was landed. The sync will try again at its next run; if this keeps happening, tell ' +
  'the trust admin.';

export async function executeRun(engine: Engine, run: SyncRun, signal: AbortSignal) {
  const log = engine.logger.child({ runId: run.id, sourceId: run.sourceId });
  const renewal = setInterval(() => {
    renewLease(engine.db, run.id, engine.owner, engine.leaseMs).catch((error: unknown) => {
      log.warn({ err: { code: (error as { code?: string }).code } }, 'lease renewal failed');
    });
  }, engine.leaseMs / 3);

  try {
    const [source] = await engine.db.select().from(sources).where(eq(sources.id, run.sourceId));
    if (!source || source.archivedAt) {
      await failRun(engine, run, 'config', 'source_gone', 'The source was removed during the run.');
      return;
    }
    const kind = connectorKind(source.kind);
    if (!kind) {
      await failRun(engine, run, 'config', 'unknown_kind', `No connector "${source.kind}".`);
      return;
    }
    const origin = run.replayOf ? await replayedRun(engine, run.replayOf) : null;
    await logRunEvent(engine.db, run.id, {
      level: 'info',
      code: run.attempt > 1 ? 'resumed' : origin ? 'replay_started' : 'started',
      message:
        run.attempt > 1
          ? `Resumed after ${run.pagesDone} saved pages (attempt ${run.attempt}).`
          : origin
            ? replayStarted(kind, origin)
            : `Started a ${run.mode} pull from ${kind.label}.`,
    });
    await pullAndLand(engine, run, source, kind, origin, signal);
    log.info({ status: 'finished' }, 'sync run finished');
  } catch (error) {
    await recordFailure(engine, run, error);
    log.info({ err: { type: (error as Error).name } }, 'sync run stopped');
  } finally {
    clearInterval(renewal);
  }
}

async function pullAndLand(
  engine: Engine,
  run: SyncRun,
  source: Source,
  kind: AnyKind,
  origin: SyncRun | null,
  signal: AbortSignal,
) {
  const scope = await stagingScope(engine, run);
  const fromFile = kind.transport === 'file';
  const replaying = origin !== null && !fromFile;
  const pages = replaying
    ? replayPages(engine, run, source, kind, origin, signal)
    : await pullPages(engine, run, source, kind, signal);

  // A page pulled from a school's system is kept as it came, compressed as soon as it arrives.
  const keep = !fromFile && !replaying;
  const arriving = async () => {
    const step = await pages.next();
    const kept = !step.done && keep && step.value.raw ? keptPayload(engine, step.value.raw) : null;
    kept?.catch(() => {});
    return { step, kept };
  };
  // A replay gives its pages again from the first; those staged before it stopped are skipped.
  let seq = replaying ? 0 : run.pagesDone;
  let { step, kept } = await arriving();
  while (!step.done) {
    if (signal.aborted) throw new RunInterrupted('stopping');
    seq += 1;
    // The next page is fetched, read and compressed while this one is written: the school
    // system, the service and the database each work at once. A page that fails to arrive
    // fails the run when it is reached, after the pages before it are staged, as it would have
    // in turn.
    const following = arriving();
    following.catch(() => {});
    if (!replaying || seq > run.pagesDone) {
      await stagePage(engine, run, scope, step.value, seq, kept);
    }
    ({ step, kept } = await following);
  }
  if (fromFile) await refuseEmptyFile(engine, run);
  const summary = replaying ? await replaySummary(engine, run, origin, step.value) : step.value;
  await land(engine, run, source, kind, scope, summary);
}

async function pullPages(
  engine: Engine,
  run: SyncRun,
  source: Source,
  kind: AnyKind,
  signal: AbortSignal,
) {
  const file = kind.transport === 'file' ? await uploadedFile(engine, run) : null;
  return kind.pull({
    config: kind.configSchema.parse(source.config),
    secrets: kind.secretsSchema.parse(sourceSecrets(engine.secretKey, source)),
    mode: run.mode,
    resumeFrom: run.checkpoint ?? null,
    cursor: run.mode === 'incremental' ? (source.cursor ?? null) : null,
    file,
    signal,
    log: runLog(engine, run),
  });
}

/** The pages an earlier pull kept, turned back into its pages by the connector: no request. */
function replayPages(
  engine: Engine,
  run: SyncRun,
  source: Source,
  kind: AnyKind,
  origin: SyncRun,
  signal: AbortSignal,
) {
  if (!kind.replay) throw new ReplayUnsupported(kind.label);
  return kind.replay({
    config: kind.configSchema.parse(source.config),
    mode: origin.mode,
    raw: keptPages(engine, origin),
    checkpoint: origin.checkpoint ?? null,
    pulledAt: origin.startedAt ?? origin.queuedAt,
    signal,
    log: runLog(engine, run),
  });
}

function runLog(engine: Engine, run: SyncRun): (event: PullEvent) => void {
  return (event) => {
    logRunEvent(engine.db, run.id, event).catch(() => {});
  };
}

async function replayedRun(engine: Engine, runId: string): Promise<SyncRun> {
  const [origin] = await engine.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  if (!origin) throw new KeptPagesGone(engine.rawRetentionDays);
  return origin;
}

function replayStarted(kind: AnyKind, origin: SyncRun): string {
  const what = kind.transport === 'file' ? 'the file it kept' : 'the pages it kept';
  const asked = kind.transport === 'file' ? '' : `, without asking ${kind.label}`;
  return `Replaying run ${origin.id} (a ${origin.mode} pull): reading ${what} again${asked}.`;
}

/** The kept pages of a run in the order it read them, a few at a time. */
async function* keptPages(engine: Engine, origin: SyncRun): AsyncGenerator<RawPayload> {
  let after = 0;
  let read = 0;
  for (;;) {
    const batch = await engine.db
      .select({
        seq: rawPayloads.seq,
        label: rawPayloads.label,
        contentType: rawPayloads.contentType,
        body: rawPayloads.body,
      })
      .from(rawPayloads)
      .where(and(eq(rawPayloads.runId, origin.id), gt(rawPayloads.seq, after)))
      .orderBy(asc(rawPayloads.seq))
      .limit(REPLAY_BATCH);
    // Pruned between the request and now: replaying nothing would land an empty roll.
    if (batch.length === 0 && read === 0) throw new KeptPagesGone(engine.rawRetentionDays);
    for (const page of batch) {
      read += 1;
      yield { label: page.label, contentType: page.contentType, body: gunzipSync(page.body) };
    }
    if (batch.length < REPLAY_BATCH) return;
    after = batch.at(-1)!.seq;
  }
}

/**
 * A replay marks leavers only when the pull it replays was a complete full one: the same pages
 * say who is on roll no more surely than they did then.
 */
async function replaySummary(
  engine: Engine,
  run: SyncRun,
  origin: SyncRun,
  summary: PullSummary,
): Promise<PullSummary> {
  const complete = summary.complete && wasCompletePull(origin);
  if (run.mode === 'full' && !complete) {
    await logRunEvent(engine.db, run.id, {
      level: 'info',
      code: 'replay_not_complete',
      message: `Run ${origin.id} was not a complete full pull, so this replay marks nobody as left.`,
    });
  }
  return { complete, cursor: summary.cursor };
}

class ReplayUnsupported extends Error {
  readonly category = 'config';
  readonly code = 'replay_unsupported';
  constructor(label: string) {
    super(`${label} runs cannot be replayed from their kept pages; start a new sync instead.`);
  }
}

class KeptPagesGone extends Error {
  readonly category = 'config';
  readonly code = 'raw_expired';
  constructor(days: number) {
    super(
      `The pages of the replayed run were kept for ${days} days and have gone, so nothing was ` +
        'replayed. Start a new sync instead.',
    );
  }
}

/** A file that gave no pupil and no result fails, saying why, rather than succeeding empty. */
async function refuseEmptyFile(engine: Engine, run: SyncRun) {
  const [counts] = await engine.db
    .select({ pupils: syncRuns.pupilsSeen, results: syncRuns.resultsSeen })
    .from(syncRuns)
    .where(eq(syncRuns.id, run.id));
  if ((counts?.pupils ?? 0) + (counts?.results ?? 0) > 0) return;
  const [first] = await engine.db
    .select({ message: recordProblems.message })
    .from(recordProblems)
    .where(eq(recordProblems.runId, run.id))
    .orderBy(recordProblems.id)
    .limit(1);
  throw new EmptyFile(
    first?.message ?? 'The file has no rows to read: fill in the template and upload it again.',
  );
}

class EmptyFile extends Error {
  readonly category = 'bad_data';
  readonly code = 'file_empty';
}

async function stagingScope(engine: Engine, run: SyncRun): Promise<StagingScope> {
  const years = await loadSchoolYears(engine.db);
  const termly = await engine.db
    .select({ id: collections.id, kind: collections.kind, startYear: academicYears.startYear })
    .from(collections)
    .innerJoin(academicYears, eq(academicYears.id, collections.academicYearId))
    .where(isNull(collections.schoolId));
  const byKey = new Map<string, number>();
  for (const row of termly) {
    if (row.kind !== 'baseline') byKey.set(collectionKey(row.startYear, row.kind), row.id);
  }
  return {
    runId: run.id,
    sourceId: run.sourceId,
    schoolId: run.schoolId,
    mode: run.mode,
    years,
    collections: byKey,
    collectionOverride: run.collectionId,
    fileName: await uploadedFileName(engine, run),
    today: engine.clock.today(),
    aspects: new Map(),
    mostlyUnchanged: true,
    keptPages: run.mode === 'full' ? await keptPagesOf(engine, run) : null,
    resultPages: 0,
    pagesAsBefore: 0,
    placements: new Map(),
  };
}

/**
 * The pages of results the source's last landed full pull kept, by digest, when staging is still
 * as that pull left it: no run of the source since (this one included, before it resumed) has
 * staged or retracted a result, as many are staged as it left, and it listed each result once.
 * A page of this run with one of those digests would then stage nothing: each of its rows is
 * staged as it gives it, landed, and last written by the page it matches. Null when any of that
 * does not hold.
 */
async function keptPagesOf(engine: Engine, run: SyncRun): Promise<KeptPages | null> {
  const [last] = await rows<{ id: string; digests: string[] | null; as_left: boolean }>(
    engine.db,
    sql`
    with last as (
      select p.id, p.queued_at, p.results_mapped + p.results_unmapped as live from sync_runs p
      where p.source_id = ${run.sourceId} and p.id <> ${run.id}::uuid and p.mode = 'full'
        and p.status in ('succeeded', 'succeeded_with_warnings')
      order by p.queued_at desc limit 1)
    select l.id,
      (select array_agg(b.digest) from sync_run_seen b
        where b.run_id = l.id and b.entity = 'result' and b.digest is not null) as digests,
      not exists (
        select 1 from sync_runs o
        where o.source_id = ${run.sourceId} and o.id <> l.id
          and (o.queued_at > l.queued_at or o.id = ${run.id}::uuid)
          and o.results_new + o.results_changed + o.results_retracted > 0)
      and (select count(*) = count(distinct x)
        from sync_run_seen b cross join unnest(b.external_ids) as x
        where b.run_id = l.id and b.entity = 'result')
      -- As many results staged as that pull left: none removed by other means since.
      and l.live = (select count(*) from staged_results s
        where s.source_id = ${run.sourceId} and s.retracted_at is null) as as_left
    from last l`,
  );
  if (!last?.as_left || !last.digests?.length) return null;
  return { runId: last.id, digests: new Set(last.digests) };
}

/** The name of the file a person uploaded for this run or the run it replays; null for an API. */
async function uploadedFileName(engine: Engine, run: SyncRun): Promise<string | null> {
  const [stored] = await engine.db
    .select({ label: rawPayloads.label })
    .from(rawPayloads)
    .where(and(eq(rawPayloads.runId, run.replayOf ?? run.id), eq(rawPayloads.seq, 0)));
  return stored?.label ?? null;
}

/** A file read only up to a break says which file, and what to do about it. */
function incompleteWarning(fileName: string | null): string {
  if (fileName === null) return INCOMPLETE_PULL;
  return (
    `"${fileName}" could not be read whole, so only part of it was staged and nobody was ` +
    'marked as left. Correct the file as its problems say and upload it again.'
  );
}

/** The file a person uploaded for this run, or for the run it replays. */
async function uploadedFile(engine: Engine, run: SyncRun): Promise<UploadedFile | null> {
  const [stored] = await engine.db
    .select()
    .from(rawPayloads)
    .where(and(eq(rawPayloads.runId, run.replayOf ?? run.id), eq(rawPayloads.seq, 0)));
  if (!stored) return null;
  const bytes = gunzipSync(stored.body);
  return { fileName: stored.label, byteSize: bytes.length, open: () => Readable.from([bytes]) };
}

async function stagePage(
  engine: Engine,
  run: SyncRun,
  scope: StagingScope,
  pulled: PulledPage,
  seq: number,
  keeping: Promise<KeptPayload> | null,
) {
  const counts = emptyCounts();
  counts.problems.push(...pulled.problems);
  const location = scope.fileName ?? pulled.raw?.label ?? `page ${seq}`;

  const page = pulled.page;
  let seen: Seen | null = null;
  let results: ResultsPage | null = null;
  const close = (executor: Executor, staging: Staging | null) =>
    closePage(executor, run, engine, {
      seq,
      checkpoint: pulled.checkpoint,
      counts,
      staging,
      seen: run.mode === 'full' && seen && seen.externalIds.length > 0 ? seen : null,
      keeping,
    });
  if (page.kind === 'results') {
    results = readResultsPage(scope, page.results, location, counts);
    const digest = pageDigest(results, page.results.length);
    seen = {
      entity: 'result',
      externalIds: page.results.map((result) => result.externalId),
      digest,
      copiedFrom: null,
    };
    if (results.rows.length > 0) scope.resultPages += 1;
    // A page of known aspects with no problems to record is one statement, atomic on its own.
    // After a page that changed little, the next is looked up first and only what changed is
    // sent; after one that changed much, every row is sent and compared by the database.
    const aspectIds = knownAspectIds(scope, results.aspects);
    if (aspectIds && counts.problems.length === 0) {
      // As the last full pull left it: nothing to compare, and its ids are that page's.
      if (pageAsBefore(scope, results, seen, counts)) {
        seen = { ...seen, copiedFrom: scope.keptPages!.runId };
        await close(engine.db, null);
        return;
      }
      let sent = results;
      if (scope.mostlyUnchanged) {
        // The lookup remembers the page's ids for a full run's sweep, which the close then need
        // not send again.
        const remember = run.mode === 'full' ? seenWithLookup(run, engine, seen, results) : null;
        sent = await withoutUnchanged(engine.db, scope, results, counts, remember);
        seen = null;
      }
      const changed = await close(engine.db, resultsStatement(scope, sent, aspectIds));
      scope.mostlyUnchanged = changed * 2 < results.rows.length;
      if (changed > 0) scope.keptPages = null;
      return;
    }
  }
  try {
    await engine.db.transaction(async (tx) => {
      let staging: Staging | null = null;
      if (page.kind === 'pupils') {
        await stagePupils(tx, scope, page.pupils, location, counts);
        seen = {
          entity: 'pupil',
          externalIds: page.pupils.map((pupil) => pupil.externalId),
          digest: null,
          copiedFrom: null,
        };
      } else if (results) {
        const aspectIds = await ensureAspects(tx, scope, results.aspects);
        if (counts.problems.length === 0 && pageAsBefore(scope, results, seen, counts)) {
          seen = { ...seen!, copiedFrom: scope.keptPages!.runId };
        } else {
          staging = resultsStatement(scope, results, aspectIds);
        }
      } else if (page.kind === 'deletions') {
        await stageDeletions(tx, scope, page.deletions, counts);
      }
      if (counts.problems.length > 0) {
        await tx
          .insert(recordProblems)
          .values(counts.problems.map((problem) => ({ runId: run.id, ...problem })));
      }
      const changed = await close(tx, staging);
      if (changed > 0 || counts.resultsRetracted > 0) scope.keptPages = null;
    });
  } catch (error) {
    // The aspects this page wrote were rolled back with it.
    scope.aspects.clear();
    throw error;
  }
}

/**
 * Whether a full run's page of results is one that the source's last full pull kept, staging
 * being as that pull left it (`keptPagesOf`); if so, its rows are counted unchanged.
 */
function pageAsBefore(
  scope: StagingScope,
  results: ResultsPage,
  seen: Seen | null,
  counts: PageCounts,
): boolean {
  const digest = seen?.digest;
  if (!scope.keptPages || !digest || !scope.keptPages.digests.has(digest)) return false;
  scope.pagesAsBefore += 1;
  counts.resultsUnchanged += results.rows.length;
  return true;
}

/** A page's staging as part of its closing statement: see `resultsStatement`. */
type Staging = { ctes: (open: SQL) => SQL; counts: StagedCounts; changed: SQL };

interface Seen {
  entity: 'pupil' | 'result';
  externalIds: string[];
  /** A page of results' digest, kept for the source's next full pull (`pageDigest`). */
  digest: string | null;
  /** The run whose kept page of this digest lists the same ids, copied rather than sent. */
  copiedFrom: string | null;
}

/**
 * Closes a staged page in one statement, with the page's results when it has them (`staging`):
 * the run's lease renewed and its progress saved, the page kept as it came, the ids it listed
 * remembered for a full run's sweep, and the source's state read. Returns how many results it
 * wrote. A run whose lease another instance has taken writes nothing and fails here; a run whose
 * source was removed or paused since it started fails here too, and the page's transaction with
 * it (a page that was this statement alone stays staged, pending, and is never landed by it).
 */
async function closePage(
  executor: Executor,
  run: SyncRun,
  engine: Engine,
  page: {
    seq: number;
    checkpoint: PulledPage['checkpoint'];
    counts: PageCounts;
    staging: Staging | null;
    keeping: Promise<KeptPayload> | null;
    seen: Seen | null;
  },
) {
  const { counts, seen, staging } = page;
  const kept = await page.keeping;
  const add = (column: string, by: number) => {
    const more = staging?.counts[column as keyof StagedCounts];
    const total = more ? sql`${by} + ${more}` : sql`${by}`;
    return sql`${sql.identifier(column)} = ${sql.identifier(column)} + ${total}`;
  };
  // Nothing is written unless this instance still holds the run. A source paused or removed
  // since the run started fails the page below; a page that was one statement has staged its
  // rows by then, pending as those of the pages before it, and the run lands none of them.
  const open = sql`exists (select 1 from gate)`;
  const ctes = [sql`gate as (select 1 from sync_runs where ${leaseHeldBy(run.id, engine.owner)})`];
  if (staging) ctes.push(staging.ctes(open));
  ctes.push(sql`renewed as (
      update sync_runs set
        lease_expires_at = now() + make_interval(secs => ${engine.leaseMs / 1000}),
        checkpoint = ${page.checkpoint === null ? null : JSON.stringify(page.checkpoint)}::jsonb,
        pages_done = ${page.seq},
        ${sql.join(
          [
            add('pupils_seen', counts.pupilsSeen),
            add('pupils_new', counts.pupilsNew),
            add('pupils_changed', counts.pupilsChanged),
            add('results_seen', counts.resultsSeen),
            add('results_new', counts.resultsNew),
            add('results_changed', counts.resultsChanged),
            add('results_unchanged', counts.resultsUnchanged),
            add('results_retracted', counts.resultsRetracted),
            add('problems', counts.problems.length),
          ],
          sql`, `,
        )}
      where id = ${run.id} and ${open}
      returning 1)`);
  if (kept) {
    ctes.push(sql`kept as (
      insert into raw_payloads (run_id, seq, label, content_type, body, byte_size, sha256,
        expires_at)
      select ${run.id}::uuid, ${page.seq}::int, ${kept.label}::text, ${kept.contentType}::text,
        ${kept.body}::bytea, ${kept.byteSize}::int, ${kept.sha256}::text,
        ${kept.expiresAt.toISOString()}::timestamptz
      where ${open}
      on conflict do nothing)`);
  }
  if (seen) {
    const ids = seen.copiedFrom
      ? sql`(select b.external_ids from sync_run_seen b where b.run_id = ${seen.copiedFrom}::uuid
          and b.entity = 'result' and b.digest = ${seen.digest} limit 1)`
      : sql`${arrayLiteral(seen.externalIds)}::text[]`;
    ctes.push(rememberSeen(run, seen, ids, open));
  }
  const [state] = await rows<LeaseState & { changed: number; renewed: boolean }>(
    executor,
    sql`with ${sql.join(ctes, sql`, `)}
      select ${staging ? staging.changed : sql`0`} as changed,
        exists (select 1 from renewed) as renewed, ${open} as held, ${sourceState(run)}`,
  );
  await leaseStillHeld(executor, run, state);
  // Taken over between the statement's start and its write.
  if (!state?.renewed) throw new RunInterrupted('lease lost');
  return state.changed;
}

/**
 * The page's seen ids as written by its lookup, from the ids the lookup is given (`given`) when
 * the page gives each id once, with a value; null when it lists none.
 */
function seenWithLookup(run: SyncRun, engine: Engine, seen: Seen, results: ResultsPage) {
  if (seen.externalIds.length === 0) return null;
  const held = sql`exists (select 1 from sync_runs where ${leaseHeldBy(run.id, engine.owner)})`;
  return (given: SQL) =>
    rememberSeen(
      run,
      seen,
      results.rows.length === seen.externalIds.length
        ? sql`array(select external_id from ${given})`
        : sql`${arrayLiteral(seen.externalIds)}::text[]`,
      held,
    );
}

/** A full run's seen ids of a page (`ids`, a text array), written while `open` holds. */
function rememberSeen(run: SyncRun, seen: Seen, ids: SQL, open: SQL): SQL {
  return sql`seen as (
    insert into sync_run_seen (run_id, entity, external_ids, digest)
    select ${run.id}::uuid, ${seen.entity}::text, ${ids}, ${seen.digest}::text where ${open})`;
}

/**
 * Fails the transaction when another instance has taken the run over, or when the source was
 * removed while the run was in flight.
 */
async function holdLease(tx: Tx, run: SyncRun, engine: Engine) {
  // The lease renewed and the source read in one statement.
  const [state] = await rows<LeaseState>(
    tx,
    sql`with renewed as (${renewLeaseSql(run.id, engine.owner, engine.leaseMs)})
      select exists (select 1 from renewed) as held, ${sourceState(run)}`,
  );
  await leaseStillHeld(tx, run, state);
}

/** Whether this instance holds the run, and whether its source is removed or paused. */
type LeaseState = {
  held: boolean;
  archived: boolean | null;
  paused: boolean | null;
};

/** The end of a select list giving `archived` and `paused` of the run's source (if it exists). */
function sourceState(run: SyncRun): SQL {
  return sql`s.archived_at is not null as archived, s.paused
    from (values (1)) as one left join sources s on s.id = ${run.sourceId}`;
}

async function leaseStillHeld(tx: Executor, run: SyncRun, state: LeaseState | undefined) {
  if (!state?.held) throw new RunInterrupted('lease lost');
  const source = { archivedAt: state.archived ?? false, paused: state.paused ?? false };
  if (!source.archivedAt && !source.paused) return;
  const stopped = await stoppedDuringRun(tx, run);
  if (stopped) throw new SourceStopped(stopped.action, stopped.actorLabel);
  if (source.archivedAt) throw new SourceRemoved();
}

/** Who paused or archived the source since the run started, if anyone did. */
async function stoppedDuringRun(tx: Executor, run: SyncRun) {
  const [stopped] = await tx
    .select({ action: auditLog.action, actorLabel: auditLog.actorLabel })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.entityType, 'source'),
        eq(auditLog.entityId, run.sourceId),
        inArray(auditLog.action, ['source.pause', 'source.archive']),
        gte(auditLog.at, run.startedAt ?? run.queuedAt),
      ),
    )
    .orderBy(desc(auditLog.at))
    .limit(1);
  return stopped ?? null;
}

/** A person paused or archived the source while its run was in flight: the run stops. */
class SourceStopped extends Error {
  readonly code: string;
  constructor(action: string, who: string) {
    const archived = action === 'source.archive';
    super(
      `${who} ${archived ? 'archived' : 'paused'} the source while this sync was running, so it ` +
        'stopped and nothing from it was landed.' +
        (archived ? '' : ' Resume the source to sync it again.'),
    );
    this.code = archived ? 'source_archived' : 'source_paused';
  }
}

class SourceRemoved extends Error {
  readonly category = 'config';
  readonly code = 'source_removed';
  override readonly message =
    'The source was removed while this sync was running, so nothing from it was landed.';
}

type KeptPayload = Awaited<ReturnType<typeof keptPayload>>;

/**
 * A page as it came, compressed for keeping; fast compression, as pages are read rarely. Both the
 * compression and the checksum are worked out off the main thread.
 */
async function keptPayload(engine: Engine, raw: RawPayload) {
  const [body, digest] = await Promise.all([
    gzipped(raw.body, { level: constants.Z_BEST_SPEED }),
    crypto.subtle.digest('SHA-256', raw.body),
  ]);
  return {
    label: raw.label,
    contentType: raw.contentType,
    body,
    byteSize: raw.body.length,
    sha256: Buffer.from(digest).toString('hex'),
    expiresAt: new Date(engine.clock.now().getTime() + engine.rawRetentionDays * 86_400_000),
  };
}

async function land(
  engine: Engine,
  run: SyncRun,
  source: Source,
  kind: AnyKind,
  scope: StagingScope,
  summary: PullSummary,
) {
  const today = engine.clock.today();
  await refreshStatistics(engine.db, await runCounts(engine, run), 'staged');
  await engine.db.transaction(async (tx) => {
    await holdLease(tx, run, engine);
    // Only a complete full pull from a school's system says who has left; an uploaded file
    // lists the pupils it is about, not the whole roll, and removes nobody.
    const sweep = run.mode === 'full' && summary.complete && kind.transport === 'api';
    const [counted] = await tx.select().from(syncRuns).where(eq(syncRuns.id, run.id));
    const volume = await checkVolume(tx, counted!);
    const left = sweep && !volume.pupilsDropped ? await markLeavers(tx, run, today) : 0;
    const retracted = sweep && !volume.resultsDropped ? await retractUnseen(tx, run) : 0;

    await suggestSubjectsForNewAspects(tx, run.schoolId);
    const adopted = await adoptPending(tx, source.id);
    const changed =
      adopted + left + retracted + counted!.pupilsNew + counted!.pupilsChanged > 0 ||
      !(await landingStillStands(tx, source.id, run.schoolId, today));
    // What lands follows from staging and the confirmed rules alone, and a decision on a rule
    // re-derives at once: a run that changed nothing leaves the school's points as they are.
    const derived = changed
      ? await deriveSchool(tx, run.schoolId, academicYearStartOf(today))
      : { landed: 0, removed: 0, conflicts: 0 };
    // One pass over the source's staged results: each landed as a point or not. (A staged
    // result is the point of at most one pupil, subject and collection.)
    const [tally] = await rows<{ mapped: number; live: number }>(
      tx,
      sql`
      select
        count(*) filter (where exists (
          select 1 from assessments a where a.staged_result_id = s.id))::int as mapped,
        count(*) filter (where s.retracted_at is null)::int as live
      from staged_results s where s.source_id = ${source.id}`,
    );
    const warnings = volume.warnings;
    if (!summary.complete) warnings.push(incompleteWarning(scope.fileName));

    await tx
      .update(syncRuns)
      .set({
        status: warnings.length > 0 ? 'succeeded_with_warnings' : 'succeeded',
        finishedAt: engine.clock.now(),
        leaseOwner: null,
        leaseExpiresAt: null,
        pupilsLeft: left,
        resultsRetracted: sql`${syncRuns.resultsRetracted} + ${retracted}`,
        resultsMapped: tally?.mapped ?? 0,
        resultsUnmapped: Math.max(0, (tally?.live ?? 0) - (tally?.mapped ?? 0)),
        resultsLanded: derived.landed,
        warnings,
        message: warnings.length > 0 ? warnings.join(' ') : null,
      })
      .where(eq(syncRuns.id, run.id));
    // A replay reads what an earlier pull read: the next delta still starts where it would.
    if (run.trigger !== 'replay') {
      await tx
        .update(sources)
        .set({ cursor: summary.cursor, updatedAt: engine.clock.now() })
        .where(eq(sources.id, source.id));
    }
    await keepLastPullsPages(tx, run);
    if (scope.pagesAsBefore > 0) {
      await logRunEvent(tx, run.id, {
        level: 'info',
        code: 'pages_as_before',
        message:
          `${scope.pagesAsBefore} of ${scope.resultPages} pages of results were as the last ` +
          'full sync left them, so their results were not compared one by one.',
      });
    }
    await logRunEvent(tx, run.id, {
      level: warnings.length > 0 ? 'warn' : 'info',
      code: 'landed',
      message:
        `Landed ${derived.landed} points (${derived.removed} withdrawn, ` +
        `${derived.conflicts} new conflicts between sources).` +
        (scope.collectionOverride !== null ? ' All results went to the chosen collection.' : ''),
    });
  });
  // The run has landed: statistics not refreshed now are autovacuum's to refresh, not a failure.
  await refreshStatistics(engine.db, await runCounts(engine, run), 'landed').catch(
    (error: unknown) => {
      engine.logger.warn(
        { runId: run.id, err: { type: (error as Error)?.name } },
        'statistics of landed points not refreshed after the run',
      );
    },
  );
}

/**
 * After a full run lands, the pages it saw stay for the source's next full pull and those of the
 * source's other runs go; an incremental run saw no whole pages and leaves them.
 */
async function keepLastPullsPages(tx: Tx, run: SyncRun) {
  if (run.mode !== 'full') return;
  await tx.execute(sql`
    delete from sync_run_seen b using sync_runs r
    where r.id = b.run_id and r.source_id = ${run.sourceId} and r.id <> ${run.id}::uuid`);
}

async function runCounts(engine: Engine, run: SyncRun) {
  const [counted] = await engine.db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
  return { ...counted!, schoolId: run.schoolId, sourceId: run.sourceId };
}

/**
 * Whether what the source's last landing derived still stands when its staging has not changed:
 * points are placed by year groups counted from the current school year, and into the school's
 * baseline or the term's collection, so a new school year or a collection added since (a
 * baseline, the calendar's next year) derives again.
 */
async function landingStillStands(tx: Tx, sourceId: string, schoolId: string, today: string) {
  const [last] = await rows<{ finished: string | null; landed_at: string | null }>(
    tx,
    sql`
    select r.finished_at::date::text as finished, e.at::text as landed_at
    from sync_runs r
    join sync_run_events e on e.run_id = r.id and e.code = 'landed'
    where r.source_id = ${sourceId} and r.status in ('succeeded', 'succeeded_with_warnings')
    order by e.at desc limit 1`,
  );
  if (!last?.finished || !last.landed_at) return false;
  if (academicYearStartOf(last.finished) !== academicYearStartOf(today)) return false;
  const [added] = await rows<{ id: number }>(
    tx,
    sql`
    select id from collections
    where created_at > ${last.landed_at}::timestamptz
      and (school_id is null or school_id = ${schoolId})
    limit 1`,
  );
  return added === undefined;
}

async function markLeavers(tx: Tx, run: SyncRun, today: string) {
  await tx.execute(sql`
    update source_pupils set removed_at = now(), last_changed_run_id = ${run.id}
    where source_id = ${run.sourceId} and removed_at is null
      and external_id not in (
        select unnest(external_ids) from sync_run_seen
        where run_id = ${run.id} and entity = 'pupil')`);
  // A pupil has left the school when no source of that school still lists them.
  const left = await rows<{ id: string }>(
    tx,
    sql`
    update pupils p set left_at = now(), on_roll_to = coalesce(p.on_roll_to, ${today}::date),
      updated_at = now()
    where p.school_id = ${run.schoolId} and p.left_at is null
      -- Those the source no longer lists, gathered first: a few, even where the planner thinks
      -- the school's tables are empty.
      and p.id = any(array(select l.pupil_id from source_pupils l
        where l.source_id = ${run.sourceId} and l.removed_at is not null))
      and not exists (select 1 from source_pupils l where l.pupil_id = p.id
        and l.removed_at is null)
    returning p.id`,
  );
  return left.length;
}

async function retractUnseen(tx: Tx, run: SyncRun) {
  const [retracted] = await rows<{ n: number }>(
    tx,
    sql`
    with retracted as (
      update staged_results set retracted_at = now(), pending = true,
        last_changed_run_id = ${run.id}
      where source_id = ${run.sourceId} and retracted_at is null
        and external_id not in (
          select unnest(external_ids) from sync_run_seen
          where run_id = ${run.id} and entity = 'result')
      returning 1)
    select count(*)::int as n from retracted`,
  );
  return retracted?.n ?? 0;
}

async function recordFailure(engine: Engine, run: SyncRun, error: unknown) {
  if (error instanceof RunInterrupted) {
    await engine.db
      .update(syncRuns)
      .set({ status: 'interrupted', leaseOwner: null, leaseExpiresAt: null })
      .where(and(eq(syncRuns.id, run.id), eq(syncRuns.leaseOwner, engine.owner)));
    await logRunEvent(engine.db, run.id, {
      level: 'warn',
      code: 'interrupted',
      message: 'The service stopped during this sync; it will resume from the last saved page.',
    });
    return;
  }
  if (error instanceof SourceStopped) {
    await cancelRun(engine, run, error);
    return;
  }
  const failure = asSourceFailure(error);
  if (failure) {
    await failRun(engine, run, failure.category, failure.code, failure.message);
    return;
  }
  if (isDatabaseUnavailable(error)) {
    await stopForDatabase(engine, run);
    return;
  }
  engine.logger.error(
    {
      runId: run.id,
      err: { type: (error as Error)?.name, code: (error as { code?: string }).code },
    },
    'sync run failed unexpectedly',
  );
  await failRun(
    engine,
    run,
    'internal',
    'internal_error',
    `The sync stopped because of a problem on our side. ${WHAT_TO_DO.internal} (run ${run.id})`,
  );
}

/**
 * The database went away mid-run (a restart, a failover). The pages staged before it went are
 * saved with their checkpoint, so once it is back the run is marked to resume from there. Should
 * it stay away longer than a lease, the lease runs out and whichever instance ticks next finds
 * the run and resumes it all the same.
 */
async function stopForDatabase(engine: Engine, run: SyncRun) {
  const giveUpAt = Date.now() + engine.leaseMs;
  for (;;) {
    try {
      if (run.attempt >= MAX_ATTEMPTS) {
        await failRun(engine, run, 'transient', 'database_unavailable', DATABASE_LOST_TOO_OFTEN);
      } else {
        await interruptRun(engine, run, DATABASE_LOST);
      }
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      if (Date.now() > giveUpAt) {
        engine.logger.warn({ runId: run.id }, 'database still away; the run resumes on its lease');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, DATABASE_RETRY_MS));
    }
  }
}

/** Marks the run to resume from its last saved page, unless another instance has taken it. */
async function interruptRun(engine: Engine, run: SyncRun, event: RunEvent) {
  await engine.db.transaction(async (tx) => {
    const held = await tx
      .update(syncRuns)
      .set({ status: 'interrupted', leaseOwner: null, leaseExpiresAt: null })
      .where(
        and(
          eq(syncRuns.id, run.id),
          eq(syncRuns.leaseOwner, engine.owner),
          eq(syncRuns.status, 'running'),
        ),
      )
      .returning({ id: syncRuns.id });
    if (held.length > 0) await logRunEvent(tx, run.id, event);
  });
}

async function cancelRun(engine: Engine, run: SyncRun, stopped: SourceStopped) {
  await engine.db.transaction(async (tx) => {
    await tx
      .update(syncRuns)
      .set({
        status: 'cancelled',
        finishedAt: engine.clock.now(),
        leaseOwner: null,
        leaseExpiresAt: null,
        failureCode: stopped.code,
        message: stopped.message,
      })
      .where(eq(syncRuns.id, run.id));
    await tx.delete(syncRunSeen).where(eq(syncRunSeen.runId, run.id));
    await logRunEvent(tx, run.id, { level: 'warn', code: stopped.code, message: stopped.message });
  });
}

async function failRun(
  engine: Engine,
  run: SyncRun,
  category: NonNullable<SyncRun['failureCategory']>,
  code: string,
  message: string,
) {
  await engine.db.transaction(async (tx) => {
    await tx
      .update(syncRuns)
      .set({
        status: 'failed',
        finishedAt: engine.clock.now(),
        leaseOwner: null,
        leaseExpiresAt: null,
        failureCategory: category,
        failureCode: code,
        message,
      })
      .where(eq(syncRuns.id, run.id));
    await tx.delete(syncRunSeen).where(eq(syncRunSeen.runId, run.id));
    await logRunEvent(tx, run.id, { level: 'error', code, message });
  });
}
