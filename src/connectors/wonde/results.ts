import type { RecordProblem, SourceAspect, SourceResult } from '../contract.ts';
import type { WondeAssessmentConfig } from './config.ts';
import { readDate, readTimestamp } from './dates.ts';
import { firstField, included, isRecord, relationId, textOf } from './schemas.ts';

/** An aspect as the results need it: what a result's `aspect` id stands for. */
export interface AspectEntry {
  aspect: SourceAspect;
  /** Lower case: grade, integer, decimal, age, comment (SIMS' kinds, research 1.9). */
  type: string | null;
}

/**
 * The join Wonde forces: a result names its student, aspect and result set by Wonde id only.
 * These maps hold ids and names, never pupil data beyond the `upi`.
 */
export interface Catalogue {
  aspects: Map<string, AspectEntry>;
  resultSets: Map<string, string>;
  /** Wonde student id to `upi`. */
  pupils: Map<string, string>;
}

/** Results left out on purpose, counted for the run's log. */
export interface SkippedResults {
  /** Of aspects whose type holds no grade, such as comments. */
  byType: number;
  /** Of aspects the source was told not to read. */
  notChosen: number;
  /** Of students not on roll in Wonde: leavers, or records removed since. */
  notOnRoll: number;
}

export interface ResultPage {
  results: SourceResult[];
  problems: RecordProblem[];
}

export function newSkipped(): SkippedResults {
  return { byType: 0, notChosen: 0, notOnRoll: 0 };
}

/** Adds a page of aspects to the catalogue; returns the aspects it could not read. */
export function addAspects(
  records: readonly unknown[],
  location: string,
  config: WondeAssessmentConfig,
  aspects: Map<string, AspectEntry>,
): RecordProblem[] {
  const problems: RecordProblem[] = [];
  for (const record of records) {
    const entry = isRecord(record) ? readAspect(record, config) : null;
    if (!entry) {
      problems.push({
        location,
        row: null,
        field: 'id',
        code: 'wonde_aspect_unreadable',
        message: 'An aspect in this list has no id, so its results cannot be read.',
      });
      continue;
    }
    aspects.set(entry.aspect.key, entry);
  }
  return problems;
}

/** Adds a page of result sets to the catalogue: each names a milestone such as "Y3 Spring". */
export function addResultSets(records: readonly unknown[], resultSets: Map<string, string>): void {
  for (const record of records) {
    if (!isRecord(record)) continue;
    const id = textOf(record.id);
    const name = textOf(record.name) ?? textOf(record.mis_id);
    if (id && name) resultSets.set(id, name);
  }
}

export function translateResults(
  records: readonly unknown[],
  location: string,
  config: WondeAssessmentConfig,
  catalogue: Catalogue,
  skipped: SkippedResults,
): ResultPage {
  const page: ResultPage = { results: [], problems: [] };
  const filter = {
    skipTypes: new Set(config.skipAspectTypes.map((type) => type.toLowerCase())),
    chosen: config.aspectIds ? new Set(config.aspectIds) : null,
  };
  for (const record of records) {
    const read = readResult(record, config, catalogue, filter);
    if (read.kind === 'result') page.results.push(read.result);
    else if (read.kind === 'skipped') skipped[read.reason] += 1;
    else {
      const { field, message } = read;
      page.problems.push({ location, row: null, field, code: 'wonde_result_unreadable', message });
    }
  }
  return page;
}

type Read =
  | { kind: 'result'; result: SourceResult }
  | { kind: 'skipped'; reason: keyof SkippedResults }
  | { kind: 'problem'; field: string | null; message: string };

interface Filter {
  skipTypes: ReadonlySet<string>;
  chosen: ReadonlySet<string> | null;
}

function readResult(
  record: unknown,
  config: WondeAssessmentConfig,
  catalogue: Catalogue,
  filter: Filter,
): Read {
  if (!isRecord(record)) return problem(null, 'A result in this list is not an object.');
  const who = `Result ${textOf(record.id) ?? 'with no id'}`;

  const upi = pupilOf(record, config, catalogue);
  if (upi === undefined) return problem(config.studentField, `${who} names no student.`);
  if (upi === null) return { kind: 'skipped', reason: 'notOnRoll' };

  const aspectId = relationId(record[config.aspectField]);
  if (!aspectId) return problem(config.aspectField, `${who} names no aspect.`);
  const entry = aspectOf(aspectId, record[config.aspectField], config, catalogue);
  if (!entry) {
    return problem(
      config.aspectField,
      `${who} belongs to aspect ${aspectId}, which is not in Wonde's aspect list (it may have ` +
        'been deleted). Check the assessment in the MIS.',
    );
  }
  if (entry.type && filter.skipTypes.has(entry.type)) {
    return { kind: 'skipped', reason: 'byType' };
  }
  if (filter.chosen && !filter.chosen.has(aspectId)) {
    return { kind: 'skipped', reason: 'notChosen' };
  }

  const value = localGrade(record, config);
  if (value === null) {
    return problem(config.valueFields[0]!, `${who} (aspect "${entry.aspect.name}") has no value.`);
  }
  const result = buildResult(record, config, catalogue, { upi, aspectId, entry, value });
  return result.ok
    ? { kind: 'result', result: result.value }
    : problem(result.field, `${who}: ${result.message}`);
}

function problem(field: string | null, message: string): Read {
  return { kind: 'problem', field, message };
}

interface Known {
  upi: string;
  aspectId: string;
  entry: AspectEntry;
  value: string;
}

function buildResult(
  record: Record<string, unknown>,
  config: WondeAssessmentConfig,
  catalogue: Catalogue,
  known: Known,
): { ok: true; value: SourceResult } | { ok: false; field: string; message: string } {
  const dated = firstField(record, config.dateFields);
  const assessedOn = readDate(dated?.value);
  // A result whose date cannot be read could land in the wrong collection: it waits for a fix.
  if (!assessedOn.ok) {
    const field = dated?.name ?? config.dateFields[0]!;
    return { ok: false, field, message: `${field} ${assessedOn.reason}.` };
  }

  const resultSetId = relationId(record[config.resultSetField]);
  const periodLabel =
    (resultSetId ? catalogue.resultSets.get(resultSetId) : undefined) ??
    textOf(included(record[config.resultSetField])?.name);
  const modifiedAt = readTimestamp(record.updated_at);
  return {
    ok: true,
    value: {
      // A SIMS aspect holds one result per pupil per result set (research 1.9), and `upi`
      // survives re-enrolment where Wonde's result and student ids may not.
      externalId: resultSetId
        ? `${known.upi}:${known.aspectId}:${resultSetId}`
        : `${known.upi}:${known.aspectId}:result-${textOf(record.id) ?? known.value}`,
      pupilExternalId: known.upi,
      aspect: known.entry.aspect,
      value: known.value,
      assessedOn: assessedOn.value,
      periodLabel: periodLabel ?? null,
      modifiedAt: modifiedAt.ok ? modifiedAt.value : null,
    },
  };
}

// undefined: the result names no student; null: a student we do not have on roll.
function pupilOf(
  record: Record<string, unknown>,
  config: WondeAssessmentConfig,
  catalogue: Catalogue,
): string | null | undefined {
  const relation = record[config.studentField];
  const studentId = relationId(relation);
  if (!studentId) return undefined;
  return catalogue.pupils.get(studentId) ?? textOf(included(relation)?.upi) ?? null;
}

function aspectOf(
  aspectId: string,
  relation: unknown,
  config: WondeAssessmentConfig,
  catalogue: Catalogue,
): AspectEntry | null {
  const known = catalogue.aspects.get(aspectId);
  if (known) return known;
  // An aspect included on the result itself still says what it is.
  const inner = included(relation);
  return inner ? readAspect(inner, config) : null;
}

function readAspect(
  record: Record<string, unknown>,
  config: WondeAssessmentConfig,
): AspectEntry | null {
  const id = textOf(record.id);
  if (!id) return null;
  const type = firstField(record, config.aspectTypeFields);
  const gradeSet = firstField(record, config.gradeSetFields);
  return {
    aspect: {
      key: id,
      name: textOf(record.name) ?? textOf(record.mis_id) ?? id,
      gradeSet: gradeSet ? (textOf(gradeSet.value) ?? nameOf(gradeSet.value)) : null,
    },
    type: type ? (textOf(type.value)?.toLowerCase() ?? null) : null,
  };
}

// A grade set or a grade may come back included, `{data: {id, name}}`.
function nameOf(value: unknown): string | null {
  const inner = included(value);
  return textOf(inner?.name) ?? textOf(inner?.code) ?? textOf(inner?.id);
}

function localGrade(record: Record<string, unknown>, config: WondeAssessmentConfig): string | null {
  const found = firstField(record, config.valueFields);
  if (!found) return null;
  if (typeof found.value === 'boolean') return String(found.value);
  // The local grade exactly as written: "EXS" stays "EXS", and " 6 " is not trimmed away.
  if (typeof found.value === 'string') return found.value.trim() === '' ? null : found.value;
  return textOf(found.value) ?? nameOf(found.value);
}
