import type { ZodError } from 'zod';
import type { RecordProblem, SourceAspect, SourceDeletion, SourceResult } from '../contract.ts';
import type { OneRosterConfig } from './config.ts';
import { isoDateOrNull } from './pupils.ts';
import {
  assessmentLineItemRecord,
  assessmentResultRecord,
  firstIssue,
  isDeleted,
  lineItemRecord,
  modifiedAt,
  resultRecord,
  titledRecord,
} from './records.ts';

/**
 * Gradebook results (and Assessment Results Profile results) as the school wrote them. A result
 * names its line item; the line item gives the aspect (its category, or itself), the grade set
 * (its score scale) and the period (its academic session's title). Line items of other schools
 * and of categories the source does not read are left out.
 */

/** What a result needs from its line item: kept by line item id while the results are read. */
export interface LineItemInfo {
  aspect: SourceAspect;
  periodLabel: string | null;
}

/** Titles of the small lists a line item refers to, by sourcedId. */
export interface Titles {
  sessions: Map<string, string>;
  categories: Map<string, string>;
  scales: Map<string, string>;
}

export type TitleOutcome = { id: string; title: string } | { problem: RecordProblem } | null;

export type LineItemOutcome =
  | { id: string; info: LineItemInfo }
  | { excluded: true }
  | { problem: RecordProblem };

export type ResultOutcome =
  | { kind: 'result'; result: SourceResult }
  | { kind: 'deletion'; deletion: SourceDeletion }
  | { kind: 'skipped'; reason: 'outside' | 'unscored' }
  | { kind: 'unreadable'; problem: RecordProblem };

/** Result ids of the Assessment Results Profile get a prefix: they are a separate id space. */
export const ASSESSMENT_RESULT_PREFIX = 'assessmentResults/';

// Statuses that say there is no mark yet, or none to give (research A.4).
const UNSCORED = new Set(['not submitted', 'exempt']);

/** A session, category or score scale with its title; null for one marked for deletion. */
export function readTitled(value: unknown, location: string, what: string): TitleOutcome {
  const parsed = titledRecord.safeParse(value);
  if (!parsed.success) return { problem: unreadable(parsed.error, location, what) };
  if (isDeleted(parsed.data)) return null;
  const { sourcedId, title } = parsed.data;
  return { id: sourcedId, title: title?.trim() || sourcedId };
}

export function readLineItem(
  value: unknown,
  titles: Titles,
  config: OneRosterConfig,
  location: string,
): LineItemOutcome {
  const parsed = lineItemRecord.safeParse(value);
  if (!parsed.success) return { problem: unreadable(parsed.error, location, 'line item') };
  const item = parsed.data;
  if (isDeleted(item) || !ofThisSchool(item.school?.sourcedId, config)) return { excluded: true };

  const categoryId = item.category?.sourcedId;
  const categoryTitle = categoryId ? titles.categories.get(categoryId) : undefined;
  if (!inChosenCategories(categoryId, categoryTitle, config)) return { excluded: true };

  const name = item.title?.trim() || item.sourcedId;
  const gradeSet = titleOf(titles.scales, item.scoreScale?.sourcedId);
  // Line items of one category with different score scales are reported by the translation
  // (`mixedScale`).
  const byCategory = config.aspectFrom === 'category' && categoryId !== undefined;
  const aspect: SourceAspect = byCategory
    ? { key: categoryId, name: categoryTitle ?? categoryId, gradeSet }
    : { key: item.sourcedId, name, gradeSet };
  const session = item.academicSession?.sourcedId ?? item.gradingPeriod?.sourcedId;
  return { id: item.sourcedId, info: { aspect, periodLabel: titleOf(titles.sessions, session) } };
}

export function readAssessmentLineItem(
  value: unknown,
  titles: Titles,
  config: OneRosterConfig,
  location: string,
): LineItemOutcome {
  const parsed = assessmentLineItemRecord.safeParse(value);
  if (!parsed.success) return { problem: unreadable(parsed.error, location, 'assessment') };
  const item = parsed.data;
  if (isDeleted(item) || !ofThisSchool(item.school?.sourcedId, config)) return { excluded: true };
  const aspect: SourceAspect = {
    key: item.sourcedId,
    name: item.title?.trim() || item.sourcedId,
    gradeSet: titleOf(titles.scales, item.scoreScale?.sourcedId),
  };
  const periodLabel = titleOf(titles.sessions, item.academicSession?.sourcedId);
  return { id: item.sourcedId, info: { aspect, periodLabel } };
}

export function translateResult(
  value: unknown,
  lineItems: ReadonlyMap<string, LineItemInfo>,
  profile: 'gradebook' | 'assessment',
  location: string,
): ResultOutcome {
  const parsed =
    profile === 'gradebook'
      ? resultRecord.safeParse(value)
      : assessmentResultRecord
          .transform(({ assessmentLineItem, ...rest }) => ({
            ...rest,
            lineItem: assessmentLineItem,
          }))
          .safeParse(value);
  if (!parsed.success) {
    return { kind: 'unreadable', problem: unreadable(parsed.error, location, 'result') };
  }
  const record = parsed.data;
  const externalId =
    profile === 'gradebook' ? record.sourcedId : `${ASSESSMENT_RESULT_PREFIX}${record.sourcedId}`;
  // A deletion is passed on even when its line item is gone or not ours: deleting a result the
  // engine never staged changes nothing, and a deleted line item takes its results with it.
  if (isDeleted(record)) {
    return { kind: 'deletion', deletion: { entity: 'result', externalId, at: modifiedAt(record) } };
  }
  const info = record.lineItem ? lineItems.get(record.lineItem.sourcedId) : undefined;
  if (!info) return { kind: 'skipped', reason: 'outside' };
  if (!record.student) return missing(location, record.sourcedId, 'student', 'the pupil');

  const written = valueAsWritten(record.textScore, record.score);
  if (written === null) {
    if (!record.scoreStatus || UNSCORED.has(record.scoreStatus)) {
      return { kind: 'skipped', reason: 'unscored' };
    }
    return missing(location, record.sourcedId, 'score', 'a score or text score');
  }
  const result: SourceResult = {
    externalId,
    pupilExternalId: record.student.sourcedId,
    aspect: info.aspect,
    value: written,
    assessedOn: isoDateOrNull(record.scoreDate),
    periodLabel: info.periodLabel,
    modifiedAt: modifiedAt(record),
  };
  return { kind: 'result', result };
}

// A 1.2 result carries its grade in `textScore` ("EXS") when it is not a number (research
// A.4); a numeric score is given as the server wrote the number.
function valueAsWritten(
  textScore: string | null | undefined,
  score: number | string | null | undefined,
): string | null {
  if (typeof textScore === 'string' && textScore.trim() !== '') return textScore;
  if (typeof score === 'number' && Number.isFinite(score)) return String(score);
  if (typeof score === 'string' && score.trim() !== '') return score;
  return null;
}

function ofThisSchool(schoolId: string | undefined, config: OneRosterConfig): boolean {
  // 1.1 line items have no school; on a one-school server they are all this school's.
  return schoolId === undefined || schoolId === config.schoolSourcedId;
}

function inChosenCategories(
  id: string | undefined,
  title: string | undefined,
  config: OneRosterConfig,
): boolean {
  if (config.categories.length === 0) return true;
  const chosen = new Set(config.categories.map((category) => category.toLowerCase()));
  return (
    (id !== undefined && chosen.has(id.toLowerCase())) ||
    (title !== undefined && chosen.has(title.toLowerCase()))
  );
}

function titleOf(titles: Map<string, string>, id: string | undefined): string | null {
  return id === undefined ? null : (titles.get(id) ?? null);
}

function missing(location: string, id: string, field: string, what: string): ResultOutcome {
  return {
    kind: 'unreadable',
    problem: {
      location,
      row: null,
      field,
      code: 'result_incomplete',
      message:
        `Result ${id} has no ${what}, so it was skipped. Check the result in the school's ` +
        'gradebook; it is read again at the next sync.',
    },
  };
}

function unreadable(error: ZodError, location: string, what: string): RecordProblem {
  const issue = firstIssue(error);
  return {
    location,
    row: null,
    field: issue.field,
    code: `${what.replaceAll(' ', '_')}_unreadable`,
    message:
      `A ${what} record could not be read (${issue.field ?? 'the record'}: ${issue.message}), ` +
      'so it was skipped. Report this to the Next Steps team with the page it came from.',
  };
}
