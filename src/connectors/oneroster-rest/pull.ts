import type { PullContext, PullEvent, PulledPage, PullSummary } from '../contract.ts';
import { isConnectorError } from '../http/index.ts';
import {
  type ListingKind,
  nextPhase,
  type Phase,
  type PullCheckpoint,
  type PullCursor,
  readCheckpoint,
  readCursor,
} from './checkpoint.ts';
import type { OneRosterConfig, OneRosterSecrets } from './config.ts';
import {
  ACADEMIC_SESSIONS,
  ASSESSMENT_LINE_ITEMS,
  CATEGORIES,
  DEMOGRAPHICS,
  type Endpoint,
  endpointUrl,
  LINE_ITEMS,
  mayRead,
  SCORE_SCALES,
  schoolEndpoint,
  studentsEndpoint,
} from './endpoints.ts';
import { type ListedPage, type Listing, type Position, readListing, START } from './paging.ts';
import { openSession, type Session } from './session.ts';
import {
  endpointOf,
  idOf,
  newTranslation,
  partsOf,
  type RosterList,
  type Translation,
  take,
  tally,
  translatePage,
} from './translate.ts';

/**
 * A pull: pupils (with their demographics), then gradebook results, then Assessment Results
 * Profile results where the provider offers them. The small lists a page needs to be read
 * (demographics, sessions, categories, score scales, line items) are read first, kept by id,
 * and passed on as pages without records so that their bytes are kept with the run.
 */

type Context = PullContext<OneRosterConfig, OneRosterSecrets>;

interface Run {
  config: OneRosterConfig;
  session: Session;
  signal: AbortSignal;
  log: (event: PullEvent) => void;
  mode: 'full' | 'incremental';
  since: string | null;
  startedAt: string | null;
  /** The lookups and tallies the pages are translated with. */
  t: Translation;
}

// Fields of the records we read: no contacts, e-mail, phone, agents or passwords (policy 8.1).
const STUDENT_FIELDS = ['sourcedId', 'status', 'dateLastModified', 'givenName', 'familyName'];
const DEMOGRAPHIC_FIELDS = ['sourcedId', 'status', 'dateLastModified', 'birthDate', 'sex'];
const TITLE_FIELDS = ['sourcedId', 'status', 'title'];
const LINE_ITEM_FIELDS = [
  'sourcedId',
  'status',
  'title',
  'school',
  'category',
  'academicSession',
  'gradingPeriod',
  'scoreScale',
];
const RESULT_FIELDS = [
  'sourcedId',
  'status',
  'dateLastModified',
  'lineItem',
  'student',
  'scoreStatus',
  'score',
  'textScore',
  'scoreDate',
];

export async function* pull(ctx: Context): AsyncGenerator<PulledPage, PullSummary> {
  const start = startingPoint(ctx);
  const session = openSession(ctx.config, ctx.secrets);
  const run: Run = {
    config: ctx.config,
    session,
    signal: ctx.signal,
    log: ctx.log,
    mode: start.mode,
    since: start.since,
    startedAt: start.startedAt,
    t: newTranslation(ctx.config, start.since),
  };
  try {
    let state = start;
    while (state.phase !== 'done') {
      yield* PHASES[state.phase](run, state);
      state = phaseEnd(run, state.phase);
    }
    const startedAt = run.startedAt ?? session.firstServerTime() ?? new Date().toISOString();
    const cursor: PullCursor = { version: 1, startedAt };
    return { complete: run.mode === 'full', cursor };
  } finally {
    await session.close();
  }
}

const PHASES: Record<
  Exclude<Phase, 'done'>,
  (run: Run, state: PullCheckpoint) => AsyncGenerator<PulledPage>
> = {
  pupils: pupilsPhase,
  results: resultsPhase,
  assessmentResults: assessmentResultsPhase,
};

function startingPoint(ctx: Context): PullCheckpoint {
  const resumed = readCheckpoint(ctx.resumeFrom);
  if (resumed && resumed.mode === ctx.mode) return resumed;
  if (ctx.resumeFrom) {
    ctx.log({
      level: 'warn',
      code: 'checkpoint_unreadable',
      message: 'The saved place of the failed run could not be read, so this run starts afresh.',
    });
  }
  return { version: 1, mode: ctx.mode, startedAt: null, since: sinceOf(ctx), ...fresh('pupils') };
}

function sinceOf(ctx: Context): string | null {
  if (ctx.mode !== 'incremental') return null;
  const cursor = readCursor(ctx.cursor);
  if (!cursor) {
    ctx.log({
      level: 'info',
      code: 'no_cursor',
      message: 'There is no earlier successful sync to compare with, so everything is read.',
    });
    return null;
  }
  const overlapMs = ctx.config.deltaOverlapSeconds * 1000;
  return new Date(Date.parse(cursor.startedAt) - overlapMs).toISOString();
}

function fresh(phase: Phase): Pick<PullCheckpoint, 'phase' | 'listing' | keyof Position> {
  return { phase, listing: null, ...START };
}

function checkpointOf(
  run: Run,
  phase: Phase,
  listing: ListingKind | null,
  position: Position,
): PullCheckpoint {
  run.startedAt ??= run.session.firstServerTime();
  return {
    version: 1,
    mode: run.mode,
    startedAt: run.startedAt,
    since: run.since,
    phase,
    listing,
    ...position,
  };
}

function phaseEnd(run: Run, phase: Phase): PullCheckpoint {
  const assessments = run.config.assessmentResults !== 'off';
  return checkpointOf(run, nextPhase(phase, assessments), null, START);
}

async function* pupilsPhase(run: Run, state: PullCheckpoint): AsyncGenerator<PulledPage> {
  const { config } = run;
  await confirmSchool(run);
  if (config.demographics) {
    const query = queryFor(config, demographicFields(config));
    yield* lookup(run, state, 'demographics', { endpoint: DEMOGRAPHICS, query });
  }

  // A changed date of birth changes the demographics record, not the student: when any
  // changed, every student is listed and the unchanged ones are left out here.
  const delta = run.since !== null && config.deltaFilter && run.t.changedDemographics.size === 0;
  const kind: ListingKind = state.listing ?? (delta ? 'delta' : 'all');
  const endpoint = studentsEndpoint(config);
  const query = queryFor(config, studentFields(config), kind === 'delta' ? run.since : null);

  for await (const page of list(run, { endpoint, query }, state)) {
    yield* emit(run, state.phase, kind, page, 'students');
  }
  logPupilTallies(run.t, run.log);
}

// A school's student list for a mistyped id may come back empty rather than 404, and an
// empty but complete pull would have the engine mark every pupil as left: so ask first.
async function confirmSchool(run: Run): Promise<void> {
  const endpoint = schoolEndpoint(run.config);
  const url = endpointUrl(run.config, endpoint);
  if (run.config.selectFields) url.searchParams.set('fields', 'sourcedId');
  await run.session.get(endpoint, url, run.signal);
}

async function* resultsPhase(run: Run, state: PullCheckpoint): AsyncGenerator<PulledPage> {
  const { config } = run;
  yield* readTitles(run, state, true);
  const lineItemListing = { endpoint: LINE_ITEMS, query: queryFor(config, LINE_ITEM_FIELDS) };
  yield* lookup(run, state, 'line-items', lineItemListing);

  // TODO(oneroster-rest): `/results` lists every school of a provider-wide server, and only
  // then are other schools' results left out by line item; reading per class would be lighter.
  yield* resultListing(run, state, 'results', queryFor(config, RESULT_FIELDS));
  logResultTallies(run.t, run.log, 'results');
}

async function* assessmentResultsPhase(
  run: Run,
  state: PullCheckpoint,
): AsyncGenerator<PulledPage> {
  const { config, session } = run;
  const token = await session.token(run.signal);
  if (!mayRead(ASSESSMENT_LINE_ITEMS, token.granted) && config.assessmentResults === 'auto') {
    return void skipAssessments(run, 'the app has no access to it (scope assessment.readonly)');
  }

  yield* readTitles(run, state, false);
  // Assessment shapes were not verified (research A.4), so no field list is sent for them.
  const listing = { endpoint: ASSESSMENT_LINE_ITEMS, query: queryFor(config, null) };
  const strict = config.assessmentResults === 'on';
  const offered = yield* optional(run, strict ? [] : ['http_not_found', 'http_forbidden'], () =>
    lookup(run, state, 'assessment-line-items', listing),
  );
  if (offered !== true) return void skipAssessments(run, offered);

  yield* resultListing(run, state, 'assessment-results', queryFor(config, null));
  logResultTallies(run.t, run.log, 'assessment results');
}

async function* resultListing(
  run: Run,
  state: PullCheckpoint,
  results: 'results' | 'assessment-results',
  baseQuery: Record<string, string | undefined>,
): AsyncGenerator<PulledPage> {
  const { config } = run;
  const kind: ListingKind = state.listing ?? (run.since && config.deltaFilter ? 'delta' : 'all');
  const query = kind === 'delta' ? { ...baseQuery, filter: deltaFilter(run.since!) } : baseQuery;
  const endpoint = endpointOf(results, config);

  for await (const page of list(run, { endpoint, query }, state)) {
    yield* emit(run, state.phase, kind, page, results);
  }
}

async function* readTitles(
  run: Run,
  state: PullCheckpoint,
  withCategories: boolean,
): AsyncGenerator<PulledPage> {
  const { config } = run;
  const titled = (endpoint: Endpoint) => ({ endpoint, query: queryFor(config, TITLE_FIELDS) });

  yield* lookup(run, state, 'sessions', titled(ACADEMIC_SESSIONS));
  if (withCategories) yield* lookup(run, state, 'categories', titled(CATEGORIES));
  // Score scales are new in 1.2 and not every provider has them: without them, no grade set.
  const scales = yield* optional(run, ['http_not_found'], () =>
    lookup(run, state, 'scales', titled(SCORE_SCALES)),
  );
  if (scales !== true) tally(run.t, 'score_scales_missing');
}

/** Reads a whole small list into the lookups; its pages carry no records. */
async function* lookup(
  run: Run,
  state: PullCheckpoint,
  name: RosterList,
  listing: Listing,
): AsyncGenerator<PulledPage> {
  const { offset, total, recentIds } = state;
  for await (const page of readListing(run.session, listing, START, run.signal, noteShift(run))) {
    const { records, problems } = translatePage(run.t, name, page.records, page.raw.label);
    // The phase has not moved: a resume from here reads this list again.
    const here = checkpointOf(run, state.phase, state.listing, { offset, total, recentIds });
    yield { page: records, problems, raw: page.raw, checkpoint: here };
  }
}

/**
 * Runs a read that the provider may not offer: true when it ran, or the reason it did not
 * when it failed with one of the tolerated codes before passing on a page.
 */
async function* optional(
  run: Run,
  tolerated: readonly string[],
  read: () => AsyncGenerator<PulledPage>,
): AsyncGenerator<PulledPage, true | string> {
  let passed = false;
  try {
    for await (const page of read()) {
      passed = true;
      yield page;
    }
    return true;
  } catch (error) {
    if (passed || !isConnectorError(error) || !tolerated.includes(error.code)) throw error;
    return error.code === 'http_forbidden'
      ? `the app has no access to it (${error.message})`
      : `${run.config.systemName} does not offer it (${error.status ?? 'no answer'})`;
  }
}

function list(run: Run, listing: Listing, state: PullCheckpoint): AsyncGenerator<ListedPage> {
  return readListing(run.session, listing, state, run.signal, noteShift(run));
}

/**
 * Passes on one listed page: its records, then (when there are any) its deletions as a page of
 * their own. Between the two the checkpoint stays on this page with the records' ids marked as
 * handed on, so a resume there sends only the deletions.
 */
function* emit(
  run: Run,
  phase: Phase,
  listing: ListingKind,
  page: ListedPage,
  name: RosterList,
): Generator<PulledPage> {
  const translated = translatePage(run.t, name, page.records, page.raw.label);
  const after = page.next ? checkpointOf(run, phase, listing, page.next) : phaseEnd(run, phase);
  const [first, second] = partsOf(translated);
  if (!second) {
    yield { ...first!, raw: page.raw, checkpoint: after };
    return;
  }
  const deletedIds = new Set(translated.deleted.map((d) => d.recordId));
  const handed = page.records
    .map(idOf)
    .filter((id): id is string => id !== null && !deletedIds.has(id));
  const recentIds = [...page.at.recentIds, ...handed];
  const midway = checkpointOf(run, phase, listing, { ...page.at, recentIds });
  yield { ...first!, raw: page.raw, checkpoint: midway };
  yield { ...second, raw: null, checkpoint: after };
}

function queryFor(
  config: OneRosterConfig,
  fields: readonly string[] | null,
  since: string | null = null,
): Record<string, string | undefined> {
  return {
    sort: config.sortBySourcedId ? 'sourcedId' : undefined,
    orderBy: config.sortBySourcedId ? 'asc' : undefined,
    fields: config.selectFields && fields ? fields.join(',') : undefined,
    filter: since ? deltaFilter(since) : undefined,
  };
}

// The filter grammar of research A.3: field, operator, single-quoted value.
function deltaFilter(since: string): string {
  return `dateLastModified>'${since}'`;
}

function studentFields(config: OneRosterConfig): string[] {
  const sources = Object.values(config.pupilFields).flat();
  const fields = [...STUDENT_FIELDS, 'roles', 'primaryOrg'];
  if (sources.some((source) => source.startsWith('userIds:'))) fields.push('userIds');
  if (sources.includes('identifier')) fields.push('identifier');
  if (sources.includes('grades')) fields.push('grades');
  if (sources.some((source) => source.startsWith('metadata.'))) fields.push('metadata');
  return fields;
}

function demographicFields(config: OneRosterConfig): string[] {
  const sources = Object.values(config.pupilFields).flat();
  const withMetadata = sources.some((source) => source.startsWith('demographics.metadata.'));
  return withMetadata ? [...DEMOGRAPHIC_FIELDS, 'metadata'] : DEMOGRAPHIC_FIELDS;
}

function noteShift(run: Run) {
  return (endpoint: Endpoint, removed: number) => {
    run.log({
      level: 'warn',
      code: 'listing_shrank',
      message:
        `${run.config.systemName} removed ${removed} record(s) from ${endpoint.what} while it ` +
        'was being read; the sync stepped back so that none was missed.',
    });
  };
}

function skipAssessments(run: Run, reason: string): void {
  run.log({
    level: reason.startsWith('the app has no access') ? 'warn' : 'info',
    code: 'assessment_results_skipped',
    message: `Assessment results were not read: ${reason}.`,
  });
}

/** Says in the run's log which students were left out and why; a replay says it again. */
export function logPupilTallies(t: Translation, log: (event: PullEvent) => void): void {
  const otherSchool = take(t, 'pupils_other_school');
  const notStudent = take(t, 'pupils_not_a_student');
  if (otherSchool > 0) {
    log({
      level: 'info',
      code: 'pupils_other_school',
      message: `Left out ${otherSchool} students who are on roll at other schools.`,
    });
  }
  if (notStudent > 0) {
    log({
      level: 'warn',
      code: 'pupils_not_a_student',
      message:
        `Left out ${notStudent} people in the student list whose role is not student. ` +
        'Check the students path in the source settings.',
    });
  }
}

/** Says in the run's log which results were left out and why; a replay says it again. */
export function logResultTallies(
  t: Translation,
  log: (event: PullEvent) => void,
  what: string,
): void {
  const outside = take(t, 'results_outside');
  const unscored = take(t, 'results_unscored');
  const excluded = take(t, 'line_items_excluded');
  const noScales = take(t, 'score_scales_missing');
  const { config } = t;
  if (outside > 0) {
    const chosen = config.categories.length > 0 ? ' or not in the chosen categories' : '';
    log({
      level: 'info',
      code: 'results_outside',
      message:
        `Left out ${outside} ${what} of gradebook columns that belong to other schools${chosen}` +
        ` (${excluded} such columns).`,
    });
  }
  if (unscored > 0) {
    log({
      level: 'info',
      code: 'results_unscored',
      message: `Left out ${unscored} ${what} with no mark yet (not submitted or exempt).`,
    });
  }
  if (noScales > 0) {
    log({
      level: 'info',
      code: 'score_scales_missing',
      message: `${config.systemName} has no score scales, so results carry no grade set.`,
    });
  }
}
