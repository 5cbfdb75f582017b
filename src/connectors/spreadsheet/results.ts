import type { SourcePupil, SourceResult } from '../contract.ts';
import { type Cell, cellText, dayText, isBlank } from './cells.ts';
import { type SubjectSpec, subjectForHeader } from './fields.ts';
import type { Column } from './headers.ts';
import { quotedList } from './problems.ts';
import { cellAt, fieldCell, type RowScope, report } from './scope.ts';

/** When and for which collection a row's results were given. */
export interface Occasion {
  assessedOn: string | null;
  periodLabel: string | null;
}

interface Value {
  subject: SubjectSpec;
  /** The subject as the school wrote it, which is the aspect the engine maps. */
  written: string;
  value: string;
}

/**
 * Stable across uploads of the same return. The subject enters by its trust code, so a column
 * renamed from "Maths" to "Mathematics" keeps its ids; the collection enters so that a file
 * holding two undated collections keeps both.
 */
export function resultId(pupilId: string, subjectCode: string, occasion: Occasion): string {
  return [pupilId, subjectCode, occasion.assessedOn ?? '', occasion.periodLabel ?? ''].join('/');
}

/** The results a row gives; a blank value cell gives none. */
export function readResults(
  scope: RowScope,
  pupil: SourcePupil,
  occasion: Occasion,
): SourceResult[] {
  const values = scope.file.layout === 'wide' ? wideValues(scope) : longValue(scope);
  return values.map(({ subject, written, value }) => ({
    externalId: resultId(pupil.externalId, subject.code, occasion),
    pupilExternalId: pupil.externalId,
    aspect: { key: written, name: written, gradeSet: null },
    value,
    ...occasion,
    modifiedAt: null,
  }));
}

function wideValues(scope: RowScope): Value[] {
  return scope.file.header.subjects.flatMap((column) => {
    const value = valueText(scope, column);
    return value === null ? [] : [{ subject: column.subject, written: column.header, value }];
  });
}

function longValue(scope: RowScope): Value[] {
  const { subjects } = scope.file;
  const { subject: subjectColumn, value: valueColumn } = scope.file.header.fields;
  const value = valueColumn ? valueText(scope, valueColumn) : null;
  if (value === null || !subjectColumn) return [];

  const written = cellText(fieldCell(scope, 'subject'));
  const subject = subjectForHeader(written, subjects);
  if (subject) return [{ subject, written, value }];
  reportSubject(scope, subjectColumn, written, subjects);
  return [];
}

function reportSubject(
  scope: RowScope,
  column: Column,
  written: string,
  subjects: readonly SubjectSpec[],
): void {
  if (written === '') {
    report(
      scope,
      column,
      'subject_missing',
      'there is a value but no subject, so the value was not read. ' +
        `Write the subject, for example "${subjects[0]?.name ?? 'Reading'}".`,
    );
    return;
  }
  const names = quotedList(subjects.map((known) => known.name));
  report(
    scope,
    column,
    'subject_unrecognised',
    `"${written}" is not one of the subjects the trust collects (${names}), ` +
      "so the row's value was not read.",
  );
}

/** A value exactly as written, trimmed; null when blank or when Excel has made it a date. */
function valueText(scope: RowScope, column: Column): string | null {
  const cell: Cell = cellAt(scope, column);
  if (isBlank(cell)) return null;
  if (!(cell instanceof Date)) return cellText(cell);

  report(
    scope,
    column,
    'value_is_date',
    `Excel has turned the value into the date ${dayText(cell)}, so it was not read. ` +
      'Format the column as Text and type the value again.',
  );
  return null;
}
