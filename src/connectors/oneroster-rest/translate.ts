import type {
  PullPage,
  RawPayload,
  RecordProblem,
  SourceAspect,
  SourceDeletion,
  SourcePupil,
  SourceResult,
} from '../contract.ts';
import { keptJson } from '../replay.ts';
import type { OneRosterConfig } from './config.ts';
import {
  ACADEMIC_SESSIONS,
  ASSESSMENT_LINE_ITEMS,
  ASSESSMENT_RESULTS,
  CATEGORIES,
  DEMOGRAPHICS,
  type Endpoint,
  endpointUrl,
  LINE_ITEMS,
  RESULTS,
  SCORE_SCALES,
  schoolScopedStudents,
  studentsEndpoint,
} from './endpoints.ts';
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

/**
 * One translation of OneRoster pages into the engine's pages, shared by a pull (page by page as
 * it reads them) and a replay (from the pages a pull kept). The small lists come first and fill
 * the lookups; a page of students or results is then translated with them, and split into its
 * records and its deletions.
 */

/** The lists a pull reads, each translated its own way. */
export type RosterList =
  | 'demographics'
  | 'sessions'
  | 'categories'
  | 'scales'
  | 'line-items'
  | 'assessment-line-items'
  | 'students'
  | 'results'
  | 'assessment-results';

export interface Translation {
  config: OneRosterConfig;
  /** Lower bound of an incremental pull's changes; null for a full read. */
  since: string | null;
  demographics: Map<string, Demographics>;
  /** Students whose demographics changed since `since`: they count as changed too. */
  changedDemographics: Set<string>;
  titles: Titles;
  lineItems: Map<string, LineItemInfo>;
  assessmentLineItems: Map<string, LineItemInfo>;
  /** The score scale first read for each aspect, and the aspects found with more than one. */
  aspectScales: Map<string, string | null>;
  mixedScales: Set<string>;
  /** Records left out, by reason, until the pull or replay says so in the run's log. */
  tallies: Map<string, number>;
}

export interface Deleted {
  recordId: string;
  deletion: SourceDeletion;
}

/** A listed page, translated: its records, its deletions, and the problems of its records. */
export interface TranslatedPage {
  records: Extract<PullPage, { kind: 'pupils' | 'results' }>;
  deleted: Deleted[];
  problems: RecordProblem[];
}

export interface PagePart {
  page: PullPage;
  problems: RecordProblem[];
}

export function newTranslation(config: OneRosterConfig, since: string | null): Translation {
  return {
    config,
    since,
    demographics: new Map(),
    changedDemographics: new Set(),
    titles: { sessions: new Map(), categories: new Map(), scales: new Map() },
    lineItems: new Map(),
    assessmentLineItems: new Map(),
    aspectScales: new Map(),
    mixedScales: new Set(),
    tallies: new Map(),
  };
}

/** The endpoint each list is read from. */
export function endpointOf(list: RosterList, config: OneRosterConfig): Endpoint {
  switch (list) {
    case 'demographics':
      return DEMOGRAPHICS;
    case 'sessions':
      return ACADEMIC_SESSIONS;
    case 'categories':
      return CATEGORIES;
    case 'scales':
      return SCORE_SCALES;
    case 'line-items':
      return LINE_ITEMS;
    case 'assessment-line-items':
      return ASSESSMENT_LINE_ITEMS;
    case 'students':
      return studentsEndpoint(config);
    case 'results':
      return RESULTS;
    case 'assessment-results':
      return ASSESSMENT_RESULTS;
  }
}

const LISTS: readonly RosterList[] = [
  'demographics',
  'sessions',
  'categories',
  'scales',
  'line-items',
  'assessment-line-items',
  'students',
  'results',
  'assessment-results',
];

/** Translates the records of one page of a list; `label` is where its problems are said to be. */
export function translatePage(
  t: Translation,
  list: RosterList,
  records: readonly unknown[],
  label: string,
): TranslatedPage {
  if (list === 'students') return translateStudents(t, records, label);
  if (list === 'results' || list === 'assessment-results') {
    return translateResults(t, list, records, label);
  }
  const problems: RecordProblem[] = [];
  for (const value of records) readLookup(t, list, value, label, problems);
  // A small list's page carries no records: it is passed on so that its bytes are kept.
  const empty: TranslatedPage['records'] =
    list === 'demographics' ? { kind: 'pupils', pupils: [] } : { kind: 'results', results: [] };
  return { records: empty, deleted: [], problems };
}

/**
 * The engine's pages for one listed page: its records, then (when there are any) its deletions
 * as a page of their own. A page with deletions alone is one page of deletions.
 */
export function partsOf(translated: TranslatedPage): PagePart[] {
  const { records, deleted, problems } = translated;
  if (deleted.length === 0) return [{ page: records, problems }];
  const deletions: PullPage = { kind: 'deletions', deletions: deleted.map((d) => d.deletion) };
  const count = records.kind === 'pupils' ? records.pupils.length : records.results.length;
  if (count === 0 && problems.length === 0) return [{ page: deletions, problems }];
  return [
    { page: records, problems },
    { page: deletions, problems: [] },
  ];
}

/** Counts one more record left out for `name`. */
export function tally(t: Translation, name: string, by = 1): void {
  t.tallies.set(name, (t.tallies.get(name) ?? 0) + by);
}

/** Takes a tally, so that it is said once. */
export function take(t: Translation, name: string): number {
  const count = t.tallies.get(name) ?? 0;
  t.tallies.delete(name);
  return count;
}

export function idOf(record: unknown): string | null {
  const id = (record as { sourcedId?: unknown } | null)?.sourcedId;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** Which list a kept page came from, by the path in its label; null for none we read. */
export function listOf(label: string, config: OneRosterConfig): RosterList | null {
  const path = label.replace(/^GET /, '').split('?')[0] ?? '';
  for (const list of LISTS) {
    if (endpointUrl(config, endpointOf(list, config)).pathname === path) return list;
  }
  return null;
}

/** The records of a kept page, as the pull read them from its body; null when it has none. */
export function keptRecords(raw: RawPayload, list: RosterList, config: OneRosterConfig) {
  if (raw.body.length === 0) return [];
  const parsed = keptJson(raw) as Record<string, unknown> | null | undefined;
  const records = parsed?.[endpointOf(list, config).key];
  return Array.isArray(records) ? (records as unknown[]) : null;
}

function readLookup(
  t: Translation,
  list: RosterList,
  value: unknown,
  location: string,
  problems: RecordProblem[],
): void {
  const { config, titles } = t;
  if (list === 'demographics') {
    const read = readDemographics(value, config, location);
    if ('problem' in read) return void problems.push(read.problem);
    t.demographics.set(read.id, read.demographics);
    const modified = { dateLastModified: read.demographics.modifiedAt ?? undefined };
    if (t.since && changedSince(modified, t.since)) t.changedDemographics.add(read.id);
    return;
  }
  if (list === 'line-items') {
    const read = readLineItem(value, titles, config, location);
    if ('problem' in read) problems.push(read.problem);
    else if ('excluded' in read) tally(t, 'line_items_excluded');
    else {
      t.lineItems.set(read.id, read.info);
      const mixed = mixedScale(t, read.info.aspect, location);
      if (mixed) problems.push(mixed);
    }
    return;
  }
  if (list === 'assessment-line-items') {
    const read = readAssessmentLineItem(value, titles, config, location);
    if ('problem' in read) problems.push(read.problem);
    else if ('id' in read) t.assessmentLineItems.set(read.id, read.info);
    return;
  }
  const [into, what] =
    list === 'sessions'
      ? [titles.sessions, 'term']
      : list === 'categories'
        ? [titles.categories, 'category']
        : [titles.scales, 'score scale'];
  const read = readTitled(value, location, what);
  if (read && 'problem' in read) problems.push(read.problem);
  else if (read) into.set(read.id, read.title);
}

/**
 * Line items of one category read with different score scales are still one aspect, whose grade
 * set is the scale read last, so that rules for one scale would read the other's grades: said
 * once for each such aspect, with what to change.
 */
function mixedScale(t: Translation, aspect: SourceAspect, location: string): RecordProblem | null {
  if (!t.aspectScales.has(aspect.key)) {
    t.aspectScales.set(aspect.key, aspect.gradeSet);
    return null;
  }
  const first = t.aspectScales.get(aspect.key) ?? null;
  if (first === aspect.gradeSet || t.mixedScales.has(aspect.key)) return null;
  t.mixedScales.add(aspect.key);
  const scale = (gradeSet: string | null) => (gradeSet === null ? 'no scale' : `"${gradeSet}"`);
  return {
    location,
    row: null,
    field: 'scoreScale',
    code: 'mixed_score_scales',
    message:
      `Line items of the category "${aspect.name}" use more than one score scale ` +
      `(${scale(first)} and ${scale(aspect.gradeSet)}), yet their results are one aspect, ` +
      'given the scale read last. Give the category one scale in the gradebook, or set ' +
      '"aspectFrom" to "lineItem" in this source\'s settings so that each line item is an ' +
      'aspect of its own.',
  };
}

function translateStudents(
  t: Translation,
  records: readonly unknown[],
  label: string,
): TranslatedPage {
  const { config } = t;
  const filterBySchool = !schoolScopedStudents(config);
  const pupils: SourcePupil[] = [];
  const deleted: Deleted[] = [];
  const problems: RecordProblem[] = [];
  for (const value of records) {
    const id = idOf(value);
    const changed = changedRecord(value, t.since) || t.changedDemographics.has(id ?? '');
    if (!changed) continue;
    const demographics = t.demographics.get(id ?? '');
    const outcome = translateStudent(value, demographics, config, filterBySchool, label);
    if (outcome.kind === 'pupil') {
      pupils.push(outcome.pupil);
      problems.push(...outcome.problems);
    } else if (outcome.kind === 'deletion') {
      deleted.push({ recordId: id!, deletion: outcome.deletion });
    } else if (outcome.kind === 'skipped') {
      tally(t, `pupils_${outcome.reason}`);
    } else {
      problems.push(outcome.problem);
    }
  }
  return { records: { kind: 'pupils', pupils }, deleted, problems };
}

function translateResults(
  t: Translation,
  list: 'results' | 'assessment-results',
  records: readonly unknown[],
  label: string,
): TranslatedPage {
  const gradebook = list === 'results';
  const lineItems = gradebook ? t.lineItems : t.assessmentLineItems;
  const profile = gradebook ? 'gradebook' : 'assessment';
  const results: SourceResult[] = [];
  const deleted: Deleted[] = [];
  const problems: RecordProblem[] = [];
  for (const value of records) {
    if (!changedRecord(value, t.since)) continue;
    const outcome = translateResult(value, lineItems, profile, label);
    if (outcome.kind === 'result') results.push(outcome.result);
    else if (outcome.kind === 'deletion') {
      deleted.push({ recordId: idOf(value)!, deletion: outcome.deletion });
    } else if (outcome.kind === 'skipped') tally(t, `results_${outcome.reason}`);
    else problems.push(outcome.problem);
  }
  return { records: { kind: 'results', results }, deleted, problems };
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
