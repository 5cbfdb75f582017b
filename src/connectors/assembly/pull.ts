import type { PullContext, PullEvent, PulledPage, PullSummary } from '../contract.ts';
import {
  type AssemblyCheckpoint,
  cursorAfter,
  freshCheckpoint,
  readCheckpoint,
  readCursor,
} from './checkpoint.ts';
import type { AssemblyConfig, AssemblySecrets } from './config.ts';
import { isoTime } from './dates.ts';
import { fetchOne, lookupPages } from './lookups.ts';
import { missingDemographics } from './messages.ts';
import { type ListPage, walkList } from './pages.ts';
import { assessmentsNamed, NO_FACET } from './results.ts';
import { verifySchool } from './school.ts';
import { type AssemblySession, openSession } from './session.ts';
import {
  type AssemblyList,
  newTranslation,
  type TranslatedPage,
  type Translation,
  translatePage,
} from './translate.ts';
import { assessmentSchema, gradeSetSchema, singleSchema, studentSchema } from './wire.ts';

type Context = PullContext<AssemblyConfig, AssemblySecrets>;

/** What one pull shares between its phases; `state` is what each checkpoint copies. */
interface Run {
  ctx: Context;
  config: AssemblyConfig;
  session: AssemblySession;
  state: AssemblyCheckpoint;
  /** The lookups, pupils seen and tallies the pages are translated with. */
  t: Translation;
  /** Student ids whose results are asked for already: the id walk can shift too. */
  seenIds: Set<string>;
  /** Assessments and grade sets asked for one at a time, found or not, so as not to ask twice. */
  asked: Set<string>;
  warned: Set<string>;
  localStart: string;
}

/**
 * Pupils first (with demographics, never contacts, addresses, photos or care), then leavers,
 * then results batch by batch of student ids. A delta asks each list If-Modified-Since the
 * last run began; a 304 means that list has nothing new.
 */
export async function* pullAssembly(ctx: Context): AsyncGenerator<PulledPage, PullSummary> {
  const session = openSession({
    config: ctx.config,
    secrets: ctx.secrets,
    signal: ctx.signal,
    log: ctx.log,
  });
  try {
    const run = startRun(ctx, session);
    if (run.state.phase !== 'done') await verifySchool(session, ctx.config);
    yield* pupils(run);
    yield* leavers(run);
    yield* results(run);
    reportSkipped(run.t, ctx.log);

    const { state } = run;
    return {
      complete: state.mode === 'full' && !state.rosterChanged,
      cursor: cursorAfter(state, ctx.config.deltaOverlapSeconds, run.localStart),
    };
  } finally {
    await session.close();
  }
}

function startRun(ctx: Context, session: AssemblySession): Run {
  const resumed = readCheckpoint(ctx.resumeFrom);
  if (ctx.resumeFrom && !resumed) {
    warn(ctx, 'checkpoint_unreadable', 'The saved resume point was unreadable; starting again.');
  }
  const cursor = ctx.mode === 'incremental' ? readCursor(ctx.cursor) : null;
  if (ctx.mode === 'incremental' && !cursor && !resumed) {
    warn(
      ctx,
      'no_cursor',
      'No earlier successful Assembly sync to count changes from: reading all.',
    );
  }
  return {
    ctx,
    config: ctx.config,
    session,
    state: resumed ?? freshCheckpoint(ctx.mode, cursor),
    t: newTranslation(ctx.config),
    seenIds: new Set(),
    asked: new Set(),
    warned: new Set(),
    localStart: new Date().toISOString(),
  };
}

async function* pupils(run: Run): AsyncGenerator<PulledPage> {
  const { state, config } = run;
  if (state.phase !== 'pupils') return;
  const request = {
    path: '/students',
    // Demographics carry sex, SEN, pupil premium, FSM and EAL. Nothing else is asked for:
    // contacts, addresses, photos, care and medical data stay out (policy 8.1).
    query: { demographics: true },
    perPage: config.pageSize,
    endpoint: { what: 'pupils', scope: config.scopes.students },
    headers: deltaHeaders(state.since),
  };
  for await (const list of walkList(run.session, request, state.page)) {
    noteStart(run);
    noteTotal(run, 'rosterTotal', list.total);
    const translated = translate(run, { kind: 'pupils' }, list);
    warnWithoutDemographics(run.t, (code, message) => warnOnce(run, code, message));

    Object.assign(state, list.next ? { page: list.next } : { phase: 'leavers', page: 1 });
    yield page(run, translated, list);
  }
  noteStart(run);
  if (state.phase === 'pupils') Object.assign(state, { phase: 'leavers', page: 1 });
}

async function* leavers(run: Run): AsyncGenerator<PulledPage> {
  const { state, config } = run;
  if (state.phase !== 'leavers') return;
  const request = {
    path: '/students/left',
    query: {},
    perPage: config.pageSize,
    endpoint: { what: 'leavers', scope: config.scopes.students },
    headers: { ...deltaHeaders(state.since), 'if-none-match': state.leftEtag ?? undefined },
    // Documented without page parameters: a full page must not be taken to mean more follow.
    guessNext: false,
  };
  for await (const list of walkList(run.session, request, state.page)) {
    const translated = translate(run, { kind: 'leavers' }, list);
    // An ETag is only worth keeping for the whole list, not for one page of it.
    state.leftEtag = list.page === 1 && list.next === null ? list.etag : null;

    Object.assign(state, list.next ? { page: list.next } : { phase: 'results', page: 1 });
    yield page(run, translated, list);
  }
  if (state.phase === 'leavers') Object.assign(state, { phase: 'results', page: 1 });
}

async function* results(run: Run): AsyncGenerator<PulledPage> {
  const { state, config } = run;
  if (state.phase !== 'results') return;
  // Kept as pages of their own, so that a replay builds the same lookups from them.
  for await (const { list, page: lookup } of lookupPages(run.session, config, run.ctx.log)) {
    yield page(run, translate(run, { kind: list }, lookup), lookup);
  }
  const idRequest = {
    path: '/students',
    query: {},
    perPage: config.studentsPerResultsRequest,
    endpoint: { what: 'pupils', scope: config.scopes.students },
  };
  for await (const idPage of walkList(run.session, idRequest, state.studentPage)) {
    noteTotal(run, 'idTotal', idPage.total);
    const resuming = state.students !== null && idPage.page === state.studentPage;
    const ids = resuming ? state.students! : idsOf(idPage, run.seenIds);
    if (resuming) for (const id of ids) run.seenIds.add(id);
    Object.assign(state, {
      studentPage: idPage.page,
      students: ids,
      resultsPage: resuming ? state.resultsPage : 1,
    });

    if (ids.length > 0) yield* resultsOf(run, ids, idPage.next);
    afterBatch(state, idPage.next);
  }
  state.phase = 'done';
}

async function* resultsOf(
  run: Run,
  ids: readonly string[],
  nextStudentPage: number | null,
): AsyncGenerator<PulledPage> {
  const { state, config } = run;
  const request = {
    path: '/results',
    // Assembly takes several student ids in one parameter, separated by spaces.
    query: { students: ids.join(' ') },
    perPage: config.resultsPageSize,
    endpoint: { what: 'results', scope: config.scopes.results },
    headers: deltaHeaders(state.since),
  };
  for await (const list of walkList(run.session, request, state.resultsPage)) {
    yield* assessmentsFor(run, list.records);
    const translated = translate(run, { kind: 'results' }, list);

    if (list.next) state.resultsPage = list.next;
    else afterBatch(state, nextStudentPage);
    yield page(run, translated, list);
  }
}

/**
 * The assessments (created after the list was read) and grade sets a page of results names,
 * each fetched once and passed on as a page of its own before the results.
 */
async function* assessmentsFor(run: Run, records: readonly unknown[]): AsyncGenerator<PulledPage> {
  const { lookups } = run.t;
  const scope = run.config.scopes.assessments;
  for (const id of assessmentsNamed(records)) {
    const path = `/assessments/${encodeURIComponent(id)}`;
    if (!lookups.assessments.has(id) && once(run.asked, path)) {
      const endpoint = { what: 'assessments', scope };
      const found = await fetchOne(run.session, path, endpoint, singleSchema(assessmentSchema));
      if (found) yield page(run, translate(run, { kind: 'assessment', id }, found), found);
    }
    const gradeSet = `${path}/grade_set`;
    if (lookups.assessments.has(id) && !lookups.gradeSets.has(id) && once(run.asked, gradeSet)) {
      const endpoint = { what: 'grade sets', scope };
      const found = await fetchOne(run.session, gradeSet, endpoint, singleSchema(gradeSetSchema));
      const list: AssemblyList = { kind: 'grade-set', assessmentId: id };
      if (found) yield page(run, translate(run, list, found), found);
    }
  }
}

/** Moves the checkpoint past a batch of students whose results have all been read. */
function afterBatch(state: AssemblyCheckpoint, nextStudentPage: number | null): void {
  if (nextStudentPage === null) {
    Object.assign(state, { phase: 'done', students: null, resultsPage: 1 });
    return;
  }
  Object.assign(state, { studentPage: nextStudentPage, students: null, resultsPage: 1 });
}

function idsOf(list: ListPage, seen: Set<string>): string[] {
  const ids: string[] = [];
  for (const record of list.records) {
    const parsed = studentSchema.safeParse(record);
    if (parsed.success && once(seen, parsed.data.id)) ids.push(parsed.data.id);
  }
  return ids;
}

function translate(run: Run, list: AssemblyList, listed: ListPage): TranslatedPage {
  return translatePage(run.t, list, listed.records, listed.location);
}

function page(run: Run, translated: TranslatedPage, list: ListPage): PulledPage {
  throwIfAborted(run);
  const { students, ...rest } = run.state;
  return {
    page: translated.page,
    problems: translated.problems,
    raw: list.raw,
    checkpoint: { ...rest, students: students ? [...students] : null },
  };
}

/** Says in the run's log which results were left out by facet; a replay says it again. */
export function reportSkipped(t: Translation, log: (event: PullEvent) => void): void {
  const taken = t.config.facets.map((name) => `"${name}"`).join(', ');
  for (const [facet, count] of t.skipped) {
    const what = facet === NO_FACET ? 'that name no facet' : `whose facet is "${facet}"`;
    log({
      level: 'info',
      code: 'facet_skipped',
      message:
        `Skipped ${count} results ${what}: only ${taken} is taken as attainment. ` +
        'To take them too, add the facet in the source settings.',
    });
  }
}

/** Says, once, that pupils came without the demographics asked for; a replay says it too. */
export function warnWithoutDemographics(
  t: Translation,
  warn: (code: string, message: string) => void,
): void {
  if (t.withoutDemographics === 0) return;
  warn('demographics_missing', missingDemographics(t.config.scopes.demographics));
}

// Assembly's clock, not ours, decides what "modified since" means: take its Date header.
function noteStart(run: Run): void {
  if (run.state.startedAt) return;
  const date = run.session.firstServerDate();
  run.state.startedAt = isoTime(date) ?? run.localStart;
}

function noteTotal(run: Run, key: 'rosterTotal' | 'idTotal', total: number | null): void {
  const { state } = run;
  if (total === null) return;
  if (state[key] === null || state[key] === total) {
    state[key] = total;
    return;
  }
  state[key] = total;
  if (key === 'rosterTotal') state.rosterChanged = true;
  warnOnce(
    run,
    `${key}_changed`,
    key === 'rosterTotal'
      ? 'The list of pupils changed in Assembly while it was read, so a pupil may have been ' +
          'missed. No pupil is marked as left after this run; the next full sync will settle it.'
      : 'The list of pupils changed in Assembly while results were read, so the results of ' +
          'a pupil may have been missed; the next sync will read them.',
  );
}

function deltaHeaders(since: string | null): Record<string, string | undefined> {
  return { 'if-modified-since': since ? new Date(since).toUTCString() : undefined };
}

function throwIfAborted(run: Run): void {
  if (!run.ctx.signal.aborted) return;
  throw run.session.fail('aborted', {
    path: '',
    message: 'The pull from Assembly was cancelled before it finished.',
  });
}

function warnOnce(run: Run, code: string, message: string): void {
  if (run.warned.has(code)) return;
  run.warned.add(code);
  warn(run.ctx, code, message);
}

function warn(ctx: Context, code: string, message: string): void {
  const event: PullEvent = { level: 'warn', code, message };
  ctx.log(event);
}

function once(seen: Set<string>, id: string): boolean {
  if (seen.has(id)) return false;
  seen.add(id);
  return true;
}
