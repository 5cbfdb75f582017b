import type { PullContext, PulledPage, PullSummary } from '../contract.ts';
import { type HttpEvent, isConnectorError, type QueryValue } from '../http/index.ts';
import { type Position, readCursor, readPosition } from './checkpoint.ts';
import { createWondeClient, type WondeClient } from './client.ts';
import type { WondeConfig, WondeSecrets } from './config.ts';
import { formatWallTime } from './dates.ts';
import { type ListedPage, type ListStart, listPages } from './listing.ts';
import { permissionDetail, WONDE_PERMISSIONS, type WondePermission } from './permissions.ts';
import { STUDENT_INCLUDES, withheldPermissions } from './pupils.ts';
import { readSchool } from './school.ts';
import {
  INDEX_NOTE,
  newTranslation,
  type TranslatedPage,
  type Translation,
  translatePage,
  type WondeList,
} from './translate.ts';

type Ctx = PullContext<WondeConfig, WondeSecrets>;

// Below this many students a page may be all of a few pupils who really have no date of birth.
const FEW_STUDENTS = 5;

/** One pull's working state; everything that outlives it is in `position`. */
interface Run {
  ctx: Ctx;
  config: WondeConfig;
  client: WondeClient;
  position: Position;
  /** The catalogue, tallies and pupil map the pages are translated with. */
  t: Translation;
  /** The student map holds every pupil on roll, not only those changed since the last run. */
  indexComplete: boolean;
  warned: Set<WondePermission>;
  deletionsUnread: boolean;
}

/** Pupils, then results, then leavers and deletions; each page with where to resume after it. */
export async function* pullWonde(ctx: Ctx): AsyncGenerator<PulledPage, PullSummary> {
  const client = createWondeClient(ctx.config, ctx.secrets, forwardRetries(ctx));
  try {
    const school = await readSchool(client, ctx.config, ctx.signal);
    if (school.regionHost && school.regionHost !== new URL(ctx.config.baseUrl).host) {
      ctx.log({
        level: 'warn',
        code: 'wonde_region_mismatch',
        message:
          `Wonde says this school is served from ${school.regionHost}; the source uses ` +
          `${new URL(ctx.config.baseUrl).host}.`,
      });
    }
    const run = startRun(ctx, client, school.serverTime ?? new Date().toISOString());

    if (run.position.phase === 'pupils') yield* pupilsPhase(run);
    if (run.position.phase === 'results') yield* resultsPhase(run);
    if (run.position.phase === 'leavers') yield* leaversPhase(run);
    if (run.position.phase === 'deletions') yield* deletionsPhase(run);
    return finish(run);
  } finally {
    await client.close();
  }
}

function startRun(ctx: Ctx, client: WondeClient, serverTime: string): Run {
  const position = resumePosition(ctx) ?? freshPosition(ctx, serverTime);
  return {
    ctx,
    config: ctx.config,
    client,
    position,
    t: newTranslation(ctx.config, position.runStartedAt),
    indexComplete: false,
    warned: new Set(),
    deletionsUnread: false,
  };
}

function resumePosition(ctx: Ctx): Position | null {
  if (!ctx.resumeFrom) return null;
  const position = readPosition(ctx.resumeFrom);
  if (position && position.schoolId === ctx.config.schoolId && position.mode === ctx.mode) {
    return position;
  }
  ctx.log({
    level: 'warn',
    code: 'wonde_resume_ignored',
    message:
      'The saved place of the failed run does not fit this source, so the pull starts again.',
  });
  return null;
}

function freshPosition(ctx: Ctx, serverTime: string): Position {
  return {
    version: 1,
    schoolId: ctx.config.schoolId,
    mode: ctx.mode,
    runStartedAt: serverTime,
    since: ctx.mode === 'incremental' ? deltaStart(ctx) : null,
    phase: 'pupils',
    next: null,
    deletionType: 0,
    pupilsSeen: 0,
  };
}

function deltaStart(ctx: Ctx): string | null {
  const cursor = readCursor(ctx.cursor);
  if (cursor && cursor.schoolId === ctx.config.schoolId) {
    const overlapMs = ctx.config.delta.overlapMinutes * 60_000;
    return new Date(Date.parse(cursor.since) - overlapMs).toISOString();
  }
  ctx.log({
    level: 'info',
    code: 'wonde_cursor_missing',
    message: 'There is no record of an earlier Wonde sync for this school, so everything is read.',
  });
  return null;
}

async function* pupilsPhase(run: Run): AsyncGenerator<PulledPage> {
  const { position } = run;
  run.indexComplete = position.next === null && position.since === null;
  const start = startOf(run, 'students', { include: [...STUDENT_INCLUDES], ...deltaQuery(run) });

  let firstPage = true;
  for await (const listed of listPages(run.client, start, listOptions(run))) {
    guardPermissions(run, listed, firstPage);
    firstPage = false;
    const translated = translate(run, 'students', listed);
    if (translated.page.kind === 'pupils') position.pupilsSeen += translated.page.pupils.length;
    advance(position, listed.next, 'results');
    yield pageOf(run, listed, translated);
  }
}

async function* resultsPhase(run: Run): AsyncGenerator<PulledPage> {
  yield* readStudentIndex(run);
  yield* readCatalogue(run);
  const { assessment } = run.config;
  const start = startOf(run, assessment.resultsPath, deltaQuery(run));

  for await (const listed of listPages(run.client, start, listOptions(run))) {
    const translated = translate(run, 'results', listed);
    advance(run.position, listed.next, run.position.since ? 'leavers' : 'deletions');
    yield pageOf(run, listed, translated);
  }
  logSkipped(run.t, run.ctx.log);
}

async function* leaversPhase(run: Run): AsyncGenerator<PulledPage> {
  const start = startOf(run, 'students-leaver', {
    include: 'education_details',
    ...deltaQuery(run),
  });
  for await (const listed of listPages(run.client, start, listOptions(run))) {
    const translated = translate(run, 'leavers', listed);
    advance(run.position, listed.next, 'deletions');
    yield pageOf(run, listed, translated);
  }
}

async function* deletionsPhase(run: Run): AsyncGenerator<PulledPage> {
  yield* readStudentIndex(run);
  const { position, config } = run;
  // A full pull reads the log from its own start: a pupil removed while the list was being read
  // moves the later pages up by one, and the pupil after it is never seen (research 1.5).
  const after =
    position.since ?? new Date(Date.parse(position.runStartedAt) - 60_000).toISOString();

  while (position.deletionType < config.deletionTypes.length) {
    const type = config.deletionTypes[position.deletionType]!;
    const query = { type, updated_after: formatWallTime(after, config.delta.timeZone) };
    try {
      for await (const listed of listPages(
        run.client,
        startOf(run, 'deletions', query),
        listOptions(run),
      )) {
        const translated = translate(run, 'deletions', listed);
        if (listed.next === null) nextDeletionType(position);
        else position.next = listed.next;
        yield pageOf(run, listed, translated);
      }
    } catch (error) {
      if (!isConnectorError(error) || error.code !== 'http_forbidden') throw error;
      // Without the log a full pull cannot tell whether a page moved; the rest still stands.
      run.deletionsUnread = true;
      warnOnce(run, 'deletions');
      return;
    }
  }
}

function nextDeletionType(position: Position): void {
  position.deletionType += 1;
  position.next = null;
}

/** The Wonde-id-to-`upi` map for the whole roll, when this run has not just read the roll. */
async function* readStudentIndex(run: Run): AsyncGenerator<PulledPage> {
  if (run.indexComplete) return;
  const start = { ref: run.client.schoolRef('students'), query: pageQuery(run) };
  for await (const listed of listPages(run.client, start, listOptions(run))) {
    // Kept for replay only: these pupils are not news, so the page carries none, and its label
    // says so, for a replay to read it the same way.
    const translated = translate(run, 'student-index', listed);
    const raw = { ...listed.answer.raw, label: `${listed.answer.raw.label}${INDEX_NOTE}` };
    yield { ...pageOf(run, listed, translated), raw };
  }
  run.indexComplete = true;
}

/** Aspects and result sets, read whole before results: a result names them by id only. */
async function* readCatalogue(run: Run): AsyncGenerator<PulledPage> {
  const { assessment } = run.config;
  const aspects = { ref: run.client.schoolRef(assessment.aspectsPath), query: pageQuery(run) };
  for await (const listed of listPages(run.client, aspects, listOptions(run))) {
    yield pageOf(run, listed, translate(run, 'aspects', listed));
  }
  const resultSets = {
    ref: run.client.schoolRef(assessment.resultSetsPath),
    query: pageQuery(run),
  };
  for await (const listed of listPages(run.client, resultSets, listOptions(run))) {
    yield pageOf(run, listed, translate(run, 'result-sets', listed));
  }
}

/**
 * A property the school did not share comes back null, not as an error (research 1.3). Null
 * on every student of a page is a missing permission, not a school of pupils without data.
 */
function guardPermissions(run: Run, listed: ListedPage, firstPage: boolean): void {
  const many = listed.records.length >= FEW_STUDENTS;
  if (!many && !(firstPage && listed.next === null)) return;
  const withheld = withheldPermissions(listed.records, { fieldsToo: many });
  if (withheld.length === 0) return;

  if (run.config.onMissingPermission === 'fail') {
    throw run.client.error({
      code: 'http_forbidden',
      url: run.client.resolve(listed.answer.ref).toString(),
      detail: permissionDetail(withheld[0]!),
    });
  }
  for (const permission of withheld) warnOnce(run, permission);
}

function warnOnce(run: Run, permission: WondePermission): void {
  if (run.warned.has(permission)) return;
  run.warned.add(permission);
  const { name, covers } = WONDE_PERMISSIONS[permission];
  run.ctx.log({
    level: 'warn',
    code: 'wonde_permission_missing',
    message:
      `Wonde is not sharing ${covers} for this school, so they are left unknown: ask the ` +
      `school to approve the "${name}" permission for Next Steps Sync in the Wonde portal.`,
  });
}

/** Says in the run's log what results were left out and why; a replay says it again. */
export function logSkipped(
  t: Translation,
  log: (event: { level: 'info'; code: string; message: string }) => void,
): void {
  const { byType, notChosen, notOnRoll } = t.skipped;
  const types = t.config.assessment.skipAspectTypes.join(', ');
  const say = (code: string, message: string) => log({ level: 'info', code, message });
  if (byType > 0) {
    const message = `Skipped ${byType} results of aspects that hold no grade (${types}).`;
    say('wonde_results_skipped_type', message);
  }
  if (notChosen > 0) {
    const message = `Skipped ${notChosen} results of aspects this source is not set to read.`;
    say('wonde_results_skipped_aspect', message);
  }
  if (notOnRoll > 0) {
    say(
      'wonde_results_not_on_roll',
      `Skipped ${notOnRoll} results of pupils who are not on roll in Wonde ` +
        '(leavers, or records since removed).',
    );
  }
}

function finish(run: Run): PullSummary {
  const { position, ctx, config } = run;
  const { tally } = run.t;
  position.phase = 'done';
  if (tally.unmatched > 0) {
    ctx.log({
      level: 'info',
      code: 'wonde_deletions_unmatched',
      message:
        `Wonde removed ${tally.unmatched} student records this sync had not read; a full pull ` +
        'will mark any such pupil as left.',
    });
  }
  const moved = config.paging === 'page' && (tally.duringRun > 0 || run.deletionsUnread);
  if (position.mode === 'full' && moved) {
    ctx.log({
      level: 'warn',
      code: 'wonde_list_moved',
      message:
        'Pupils were removed in Wonde while this sync was reading, so a page may have moved and ' +
        'a pupil may have been missed. Nobody is marked as left this time; the next full ' +
        'sync will.',
    });
  }
  if (position.mode === 'full' && position.pupilsSeen === 0) {
    ctx.log({
      level: 'warn',
      code: 'wonde_no_pupils',
      message: 'Wonde listed no pupils for this school, so nobody is marked as left.',
    });
  }
  return {
    complete: position.mode === 'full' && position.pupilsSeen > 0 && !moved,
    cursor: { version: 1, schoolId: position.schoolId, since: position.runStartedAt },
  };
}

function startOf(run: Run, path: string, query: Record<string, QueryValue>): ListStart {
  if (run.position.next) return { ref: run.position.next };
  return { ref: run.client.schoolRef(path), query: { ...query, ...pageQuery(run) } };
}

function deltaQuery(run: Run): Record<string, QueryValue> {
  const { since } = run.position;
  return since ? { updated_after: formatWallTime(since, run.config.delta.timeZone) } : {};
}

// `per_page` also forces a pagination object on short lists (research 1.5).
function pageQuery(run: Run): Record<string, QueryValue> {
  const cursor = run.config.paging === 'cursor' ? { cursor: 'true' } : {};
  return { per_page: run.config.pageSize, ...cursor };
}

function listOptions(run: Run) {
  return { signal: run.ctx.signal, pageDelayMs: run.config.pageDelayMs };
}

function advance(position: Position, next: string | null, after: Position['phase']): void {
  position.next = next;
  if (next === null) position.phase = after;
}

function translate(run: Run, list: WondeList, listed: ListedPage): TranslatedPage {
  return translatePage(run.t, list, listed.records, listed.answer.label);
}

function pageOf(run: Run, listed: ListedPage, translated: TranslatedPage): PulledPage {
  const { page, problems } = translated;
  return { page, problems, raw: listed.answer.raw, checkpoint: { ...run.position } };
}

function forwardRetries(ctx: Ctx): (event: HttpEvent) => void {
  return (event) => {
    if (event.type !== 'retry_scheduled') return;
    const what = event.status ? `answered ${event.status}` : `failed (${event.reason})`;
    const path = URL.canParse(event.url) ? new URL(event.url).pathname : 'Wonde';
    const message = `Wonde ${what} on ${path}; trying again in ${event.delayMs} ms.`;
    ctx.log({ level: 'info', code: 'wonde_retry', message });
  };
}
