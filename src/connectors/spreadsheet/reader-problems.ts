import type { RecordProblem } from '../contract.ts';
import { HEADER_SEARCH_ROWS } from './headers.ts';
import { fileProblem, quotedList, rowProblem } from './problems.ts';
import type { SheetReadError } from './sheets.ts';

/** The problems of a file as a whole, once its sheets have been read. */

export function breakProblem(location: string, error: SheetReadError): RecordProblem {
  if (error.row !== null) return rowProblem(location, error.row, error.code, error.detail);
  return fileProblem(location, error.code, `"${location}" ${error.detail}`);
}

/** Names no cell: a file with no header may well start with a pupil's row. */
export function noHeader(
  location: string,
  workbook: boolean,
  sheetName: string | null,
): RecordProblem {
  return fileProblem(
    location,
    'header_not_found',
    `"${location}" has no header row in the first ${HEADER_SEARCH_ROWS} rows` +
      `${searched(workbook, sheetName)}, so its columns cannot be recognised. Put the column ` +
      'names (such as "UPN", "Surname", "Forename" and "Reading") in one row at the top and ' +
      'upload the file again.',
  );
}

function searched(workbook: boolean, sheetName: string | null): string {
  if (sheetName !== null) return ` of worksheet "${sheetName}"`;
  return workbook ? ' of any worksheet' : '';
}

export function noSheet(location: string, sheetName: string, sheetNames: string[]): RecordProblem {
  const found =
    sheetNames.length > 0 ? `Its worksheets are ${quotedList(sheetNames)}` : 'It has no worksheets';
  return fileProblem(
    location,
    'sheet_not_found',
    `"${location}" has no worksheet named "${sheetName}". ${found}. ` +
      'Correct the worksheet name in the source settings, or rename the worksheet.',
  );
}

export function noPupils(location: string, headerRow: number): RecordProblem {
  return fileProblem(
    location,
    'no_pupil_rows',
    `"${location}" has no pupil rows that could be read under its header row (row ` +
      `${headerRow}). Fill in one row per pupil and upload the file again.`,
  );
}
