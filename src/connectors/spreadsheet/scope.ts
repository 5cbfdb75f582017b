import type { RecordProblem } from '../contract.ts';
import { type Cell, cellText, isCellIssue, type SheetRow } from './cells.ts';
import { type DateFault, readDate } from './dates.ts';
import type { ReturnField, SubjectSpec } from './fields.ts';
import type { Column, HeaderMap } from './headers.ts';
import type { Layout } from './layout.ts';
import { cellProblem, type ProblemCode } from './problems.ts';

/** What every row of one file is read against. */
export interface FileContext {
  location: string;
  header: HeaderMap;
  layout: Layout;
  /** For rows with no "Collection" or "Term" cell. */
  periodLabel: string | null;
  date1904: boolean;
  /** The subjects the trust collects, which a long layout's "Subject" cells must name. */
  subjects: readonly SubjectSpec[];
}

/** One row being read, and where its problems go. */
export interface RowScope {
  file: FileContext;
  row: SheetRow;
  problems: RecordProblem[];
}

const DATE_EXAMPLE = 'Write it as dd/mm/yyyy, for example 14/03/2016.';

const DATE_FAULTS: Record<DateFault, (text: string) => string> = {
  format: (text) => `"${text}" is not a date. ${DATE_EXAMPLE}`,
  unreal: (text) => `"${text}" is not a real date. ${DATE_EXAMPLE}`,
  monthFirst: (text) =>
    `"${text}" puts the month first. Write the day first, as dd/mm/yyyy, for example 14/03/2016.`,
  range: (text) => `"${text}" is not a likely date: check the year. ${DATE_EXAMPLE}`,
};

export function report(scope: RowScope, column: Column, code: ProblemCode, detail: string): void {
  scope.problems.push(
    cellProblem(scope.file.location, scope.row.number, column.header, code, detail),
  );
}

/**
 * The cell under a column, with Excel's leftovers dealt with: an error value is reported and
 * read as blank, and a formula with no saved result is reported and read as its text.
 */
export function cellAt(scope: RowScope, column: Column | undefined): Cell {
  const cell = column ? (scope.row.cells[column.index] ?? null) : null;
  if (!column || !isCellIssue(cell)) return cell;
  if (cell.issue === 'uncachedFormula') {
    report(scope, column, 'formula_uncached', uncachedDetail(cell.text));
    return cell.text;
  }
  report(scope, column, 'cell_error', errorDetail(cell.text));
  return null;
}

export function fieldCell(scope: RowScope, field: ReturnField): Cell {
  return cellAt(scope, scope.file.header.fields[field]);
}

export function fieldText(scope: RowScope, field: ReturnField): string {
  return cellText(fieldCell(scope, field));
}

/** An ISO date, or null for a blank cell or one that is not a date (which is reported). */
export function fieldDate(scope: RowScope, field: ReturnField): string | null {
  const column = scope.file.header.fields[field];
  const cell = cellAt(scope, column);
  const reading = readDate(cell, scope.file.date1904);
  if (!reading || !column) return null;
  if (reading.ok) return reading.iso;
  report(scope, column, 'date_invalid', DATE_FAULTS[reading.fault](cellText(cell)));
  return null;
}

function uncachedDetail(formula: string): string {
  return (
    `the formula ${formula} has no saved result, so its text was read as the value. ` +
    'Open the file in Excel, save it and upload it again.'
  );
}

function errorDetail(error: string): string {
  const shown = error === '' ? 'an Excel error' : `the Excel error ${error}`;
  return `the cell shows ${shown}, so it was not read. Correct the formula or type the value in.`;
}
