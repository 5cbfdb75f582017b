import type { RecordProblem } from '../contract.ts';

/** Stable codes for what could not be read; each message says what to fix in the export. */
export const ONEROSTER_PROBLEMS = [
  'entry_unsafe_path',
  'entry_unsupported',
  'entry_duplicate',
  'file_missing',
  'file_undeclared',
  'manifest_property_unknown',
  'headers_mismatch',
  'csv_unreadable',
  'encoding_invalid',
  'value_missing',
  'date_invalid',
  'datetime_invalid',
  'status_unknown',
  'role_unknown',
  'sex_unknown',
  'sen_unknown',
  'flag_unknown',
  'line_item_unknown',
] as const;

export type OneRosterProblemCode = (typeof ONEROSTER_PROBLEMS)[number];

/** Where a CSV file sits: the upload's name, then the path inside the zip. */
export function locate(zipName: string, entry: string): string {
  return `${zipName}/${entry}`;
}

export function fileProblem(
  location: string,
  code: OneRosterProblemCode,
  message: string,
  field: string | null = null,
): RecordProblem {
  return { location, row: null, field, code, message };
}

export function rowProblem(
  location: string,
  row: number,
  field: string | null,
  code: OneRosterProblemCode,
  message: string,
): RecordProblem {
  return { location, row, field, code, message };
}
