import type { RecordProblem } from '../contract.ts';

/**
 * `error`: something was not read (a file, a row or a cell); `warn`: read, but a person should
 * check it; `info`: read as asked, noted so that nothing is silently dropped.
 */
export type ProblemLevel = 'error' | 'warn' | 'info';

/** Every code a spreadsheet problem carries, stable across releases, with its level. */
export const SPREADSHEET_PROBLEMS = {
  file_empty: 'error',
  file_too_large: 'error',
  file_unsupported: 'error',
  xlsx_truncated: 'error',
  xlsx_unreadable: 'error',
  csv_unreadable: 'error',
  csv_truncated: 'error',
  sheet_not_found: 'error',
  header_not_found: 'error',
  column_missing: 'error',
  no_pupil_rows: 'error',
  upn_column_missing: 'warn',
  column_repeated: 'warn',
  columns_ignored: 'info',
  pupil_unidentified: 'error',
  date_invalid: 'error',
  cell_error: 'error',
  value_is_date: 'error',
  subject_missing: 'error',
  subject_unrecognised: 'warn',
  upn_missing: 'warn',
  upn_length: 'warn',
  upn_malformed: 'warn',
  sen_unrecognised: 'warn',
  flag_unrecognised: 'warn',
  row_duplicate: 'warn',
  text_unreadable: 'warn',
  sex_unrecognised: 'info',
  formula_uncached: 'info',
} as const satisfies Record<string, ProblemLevel>;

export type ProblemCode = keyof typeof SPREADSHEET_PROBLEMS;

/** The level of a problem this connector reported, or null for a code it never uses. */
export function problemLevel(code: string): ProblemLevel | null {
  return isProblemCode(code) ? SPREADSHEET_PROBLEMS[code] : null;
}

function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(SPREADSHEET_PROBLEMS, code);
}

/** A problem with the whole file; its message names the file. */
export function fileProblem(location: string, code: ProblemCode, message: string): RecordProblem {
  return { location, row: null, field: null, code, message };
}

export function rowProblem(
  location: string,
  row: number,
  code: ProblemCode,
  detail: string,
): RecordProblem {
  return { location, row, field: null, code, message: `Row ${row}: ${detail}` };
}

/** `field` is the column header as the file writes it, so a person can find the cell. */
export function cellProblem(
  location: string,
  row: number,
  field: string,
  code: ProblemCode,
  detail: string,
): RecordProblem {
  return { location, row, field, code, message: `Row ${row}, column "${field}": ${detail}` };
}

/** "A", "B" and "C" as a sentence lists them. */
export function quotedList(names: readonly string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}
