import type {
  PullContext,
  PullEvent,
  PulledPage,
  PullPage,
  PullSummary,
  RecordProblem,
  SourceDeletion,
  SourcePupil,
  SourceResult,
} from '../contract.ts';
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
  ASSESSMENT_RESULTS,
  CATEGORIES,
  DEMOGRAPHICS,
  type Endpoint,
  endpointUrl,
  LINE_ITEMS,
  mayRead,
  RESULTS,
  SCORE_SCALES,
  schoolEndpoint,
  schoolScopedStudents,
  studentsEndpoint,
} from './endpoints.ts';
import { type ListedPage, type Listing, type Position, readListing, START } from './paging.ts';
import { type Demographics, readDemographics, translateStudent } from './pupils.ts';
import { changedSince } from './records.ts';
import {
  type LineItemInfo,
  readAssessmentLineItem,
  readLineItem,
  readTitled,
  type Titles,
  translateResult,
} from './results.ts';
import { openSession, type Session } from './session.ts';

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
  tallies: Map<string, number>;
}

type Visit = (value: unknown, location: string, problems: RecordProblem[]) => void;

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
    tallies: new Map(),
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
  const demographics = new Map<string, Demographics>();
  const changedDemographics = new Set<string>();
  if (config.demographics) {
    const query = queryFor(config, demographicFields(config));
    const listing = { endpoint: DEMOGRAPHICS, query };
    yield* lookup(run, state, 'pupils', listing, (value, location, problems) => {
      const read = readDemographics(value, config, location);
      if ('problem' in read) return void problems.push(read.problem);
      demographics.set(read.id, read.demographics);
      const modified = { dateLastModified: read.demographics.modifiedAt ?? undefined };
      if (run.since && changedSince(modified, run.since)) changedDemographics.add(read.id);
    });
  }

  // A changed date of birth changes the demographics record, not the student: when any
  // changed, every student is listed and the unchanged ones are left out here.
  const delta = run.since !== null && config.deltaFilter && changedDemographics.size === 0;
  const kind: ListingKind = state.listing ?? (delta ? 'delta' : 'all');
  const endpoint = studentsEndpoint(config);
  const query = queryFor(config, studentFields(config), kind === 'delta' ? run.since : null);
  const filterBySchool = !schoolScopedStudents(config);

  for await (const page of list(run, { endpoint, query }, state)) {
    const pupils: SourcePupil[] = [];
    const deletions: Deleted[] = [];
    const problems: RecordProblem[] = [];
    for (const value of page.records) {
      const id = idOf(value);
      const changed = changedRecord(value, run.since) || changedDemographics.has(id ?? '');
      if (!changed) continue;
      const outcome = translateStudent(
        value,
        demographics.get(id ?? ''),
        config,
        filterBySchool,
        page.raw.label,
      );
      if (outcome.kind === 'pupil') {
        pupils.push(outcome.pupil);
        problems.push(...outcome.problems);
      } else if (outcome.kind === 'deletion') {
        deletions.push({ recordId: id!, deletion: outcome.deletion });
      } else if (outcome.kind === 'skipped') {
        tally(run, `pupils_${outcome.reason}`);
      } else {
        problems.push(outcome.problem);
      }
    }
    yield* emit(run, state.phase, kind, page, { kind: 'pupils', pupils }, deletions, problems);
  }
  logPupilTallies(run);
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
  const titles = emptyTitles();
  yield* readTitles(run, state, titles, true);
  const lineItems = new Map<string, LineItemInfo>();
  const lineItemListing = { endpoint: LINE_ITEMS, query: queryFor(config, LINE_ITEM_FIELDS) };
  yield* lookup(run, state, 'results', lineItemListing, (value, location, problems) => {
    const read = readLineItem(value, titles, config, location);
    if ('problem' in read) problems.push(read.problem);
    else if ('excluded' in read) tally(run, 'line_items_excluded');
    else lineItems.set(read.id, read.info);
  });

  // TODO(oneroster-rest): `/results` lists every school of a provider-wide server, and only
  // then are other schools' results left out by line item; reading per class would be lighter.
  yield* resultListing(run, state, RESULTS, queryFor(config, RESULT_FIELDS), lineItems);
  logResultTallies(run, 'results');
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

  const titles = emptyTitles();
  yield* readTitles(run, state, titles, false);
  const lineItems = new Map<string, LineItemInfo>();
  // Assessment shapes were not verified (research A.4), so no field list is sent for them.
  const listing = { endpoint: ASSESSMENT_LINE_ITEMS, query: queryFor(config, null) };
  const strict = config.assessmentResults === 'on';
  const offered = yield* optional(run, strict ? [] : ['http_not_found', 'http_forbidden'], () =>
    lookup(run, state, 'results', listing, (value, location, problems) => {
      const read = readAssessmentLineItem(value, titles, config, location);
      if ('problem' in read) problems.push(read.problem);
      else if ('id' in read) lineItems.set(read.id, read.info);
    }),
  );
  if (offered !== true) return void skipAssessments(run, offered);

  yield* resultListing(run, state, ASSESSMENT_RESULTS, queryFor(config, null), lineItems);
  logResultTallies(run, 'assessment results');
}

async function* resultListing(
  run: Run,
  state: PullCheckpoint,
  endpoint: Endpoint,
  baseQuery: Record<string, string | undefined>,
  lineItems: ReadonlyMap<string, LineItemInfo>,
): AsyncGenerator<PulledPage> {
  const { config } = run;
  const kind: ListingKind = state.listing ?? (run.since && config.deltaFilter ? 'delta' : 'all');
  const query = kind === 'delta' ? { ...baseQuery, filter: deltaFilter(run.since!) } : baseQuery;
  const profile = endpoint === RESULTS ? 'gradebook' : 'assessment';

  for await (const page of list(run, { endpoint, query }, state)) {
    const results: SourceResult[] = [];
    const deletions: Deleted[] = [];
    const problems: RecordProblem[] = [];
    for (const value of page.records) {
      if (!changedRecord(value, run.since)) continue;
      const outcome = translateResult(value, lineItems, profile, page.raw.label);
      if (outcome.kind === 'result') results.push(outcome.result);
      else if (outcome.kind === 'deletion') {
        deletions.push({ recordId: idOf(value)!, deletion: outcome.deletion });
      } else if (outcome.kind === 'skipped') tally(run, `results_${outcome.reason}`);
      else problems.push(outcome.problem);
    }
    yield* emit(run, state.phase, kind, page, { kind: 'results', results }, deletions, problems);
  }
}

async function* readTitles(
  run: Run,
  state: PullCheckpoint,
  titles: Titles,
  withCategories: boolean,
): AsyncGenerator<PulledPage> {
  const { config } = run;
  const visit =
    (into: Map<string, string>, what: string): Visit =>
    (value, location, problems) => {
      const read = readTitled(value, location, what);
      if (read && 'problem' in read) problems.push(read.problem);
      else if (read) into.set(read.id, read.title);
    };
  const titled = (endpoint: Endpoint) => ({ endpoint, query: queryFor(config, TITLE_FIELDS) });

  yield* lookup(run, state, 'results', titled(ACADEMIC_SESSIONS), visit(titles.sessions, 'term'));
  if (withCategories) {
    yield* lookup(run, state, 'results', titled(CATEGORIES), visit(titles.categories, 'category'));
  }
  // Score scales are new in 1.2 and not every provider has them: without them, no grade set.
  const scales = yield* optional(run, ['http_not_found'], () =>
    lookup(run, state, 'results', titled(SCORE_SCALES), visit(titles.scales, 'score scale')),
  );
  if (scales !== true) {
    tally(run, 'score_scales_missing');
  }
}

/** Reads a whole small list, passing each record to `visit`; its pages carry no records. */
async function* lookup(
  run: Run,
  state: PullCheckpoint,
  kind: 'pupils' | 'results',
  listing: Listing,
  visit: Visit,
): AsyncGenerator<PulledPage> {
  const { offset, total, recentIds } = state;
  for await (const page of readListing(run.session, listing, START, run.signal, noteShift(run))) {
    const problems: RecordProblem[] = [];
    for (const value of page.records) visit(value, page.raw.label, problems);
    const empty: PullPage = kind === 'pupils' ? { kind, pupils: [] } : { kind, results: [] };
    // The phase has not moved: a resume from here reads this list again.
    const here = checkpointOf(run, state.phase, state.listing, { offset, total, recentIds });
    yield { page: empty, problems, raw: page.raw, checkpoint: here };
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

interface Deleted {
  recordId: string;
  deletion: SourceDeletion;
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
  records: Extract<PullPage, { kind: 'pupils' | 'results' }>,
  deleted: Deleted[],
  problems: RecordProblem[],
): Generator<PulledPage> {
  const after = page.next ? checkpointOf(run, phase, listing, page.next) : phaseEnd(run, phase);
  const deletions: PullPage = { kind: 'deletions', deletions: deleted.map((d) => d.deletion) };
  const recordCount = records.kind === 'pupils' ? records.pupils.length : records.results.length;
  if (deleted.length === 0) {
    yield { page: records, problems, raw: page.raw, checkpoint: after };
    return;
  }
  if (recordCount === 0 && problems.length === 0) {
    yield { page: deletions, problems, raw: page.raw, checkpoint: after };
    return;
  }
  const deletedIds = new Set(deleted.map((d) => d.recordId));
  const handed = page.records
    .map(idOf)
    .filter((id): id is string => id !== null && !deletedIds.has(id));
  const recentIds = [...page.at.recentIds, ...handed];
  const midway = checkpointOf(run, phase, listing, { ...page.at, recentIds });
  yield { page: records, problems, raw: page.raw, checkpoint: midway };
  yield { page: deletions, problems: [], raw: null, checkpoint: after };
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

function emptyTitles(): Titles {
  return { sessions: new Map(), categories: new Map(), scales: new Map() };
}

function idOf(record: unknown): string | null {
  const id = (record as { sourcedId?: unknown } | null)?.sourcedId;
  return typeof id === 'string' && id !== '' ? id : null;
}

// Applied even to a delta listing: a server may ignore `filter` (research on Xporter's
// OneRoster: one version of its docs says only the status filter is honoured).
function changedRecord(record: unknown, since: string | null): boolean {
  const modified = (record as { dateLastModified?: unknown } | null)?.dateLastModified;
  return changedSince(
    { dateLastModified: typeof modified === 'string' ? modified : undefined },
    since,
  );
}

function tally(run: Run, name: string, by = 1): void {
  run.tallies.set(name, (run.tallies.get(name) ?? 0) + by);
}

function take(run: Run, name: string): number {
  const count = run.tallies.get(name) ?? 0;
  run.tallies.delete(name);
  return count;
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

function logPupilTallies(run: Run): void {
  const otherSchool = take(run, 'pupils_other_school');
  const notStudent = take(run, 'pupils_not_a_student');
  if (otherSchool > 0) {
    run.log({
      level: 'info',
      code: 'pupils_other_school',
      message: `Left out ${otherSchool} students who are on roll at other schools.`,
    });
  }
  if (notStudent > 0) {
    run.log({
      level: 'warn',
      code: 'pupils_not_a_student',
      message:
        `Left out ${notStudent} people in the student list whose role is not student. ` +
        'Check the students path in the source settings.',
    });
  }
}

function logResultTallies(run: Run, what: string): void {
  const outside = take(run, 'results_outside');
  const unscored = take(run, 'results_unscored');
  const excluded = take(run, 'line_items_excluded');
  const noScales = take(run, 'score_scales_missing');
  if (outside > 0) {
    const chosen = run.config.categories.length > 0 ? ' or not in the chosen categories' : '';
    run.log({
      level: 'info',
      code: 'results_outside',
      message:
        `Left out ${outside} ${what} of gradebook columns that belong to other schools${chosen}` +
        ` (${excluded} such columns).`,
    });
  }
  if (unscored > 0) {
    run.log({
      level: 'info',
      code: 'results_unscored',
      message: `Left out ${unscored} ${what} with no mark yet (not submitted or exempt).`,
    });
  }
  if (noScales > 0) {
    run.log({
      level: 'info',
      code: 'score_scales_missing',
      message: `${run.config.systemName} has no score scales, so results carry no grade set.`,
    });
  }
}
