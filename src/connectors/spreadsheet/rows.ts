import type { RecordProblem, SourcePupil, SourceResult } from '../contract.ts';
import { cellText, isBlank, type SheetRow } from './cells.ts';
import { UNREADABLE } from './decode.ts';
import type { HeaderMap } from './headers.ts';
import { readPupil } from './pupil.ts';
import { type Occasion, readResults } from './results.ts';
import { type FileContext, fieldDate, fieldText, type RowScope, report } from './scope.ts';

/** What one row of the return says. */
export interface RowReading {
  row: number;
  pupil: SourcePupil;
  results: SourceResult[];
  occasion: Occasion;
}

/**
 * Reads one row below the header. A row with nothing in the columns the trust collects is
 * skipped in silence; one that names no pupil is reported and skipped. Its problems are added
 * to `problems`.
 */
export function readRow(
  file: FileContext,
  row: SheetRow,
  problems: RecordProblem[],
): RowReading | null {
  if (!holdsReturn(file.header, row)) return null;
  const scope: RowScope = { file, row, problems };
  reportUnreadable(scope);
  const pupil = readPupil(scope);
  if (!pupil) return null;

  const occasion: Occasion = {
    assessedOn: fieldDate(scope, 'assessmentDate'),
    periodLabel: fieldText(scope, 'period') || file.periodLabel,
  };
  return { row: row.number, pupil, results: readResults(scope, pupil, occasion), occasion };
}

/** Text with bytes the file's encoding could not give is read, and each cell is named. */
function reportUnreadable(scope: RowScope): void {
  const { header } = scope.file;
  for (const column of [...Object.values(header.fields), ...header.subjects]) {
    const text = cellText(scope.row.cells[column.index]);
    if (!text.includes(UNREADABLE)) continue;
    report(
      scope,
      column,
      'text_unreadable',
      `"${text}" has a character that could not be read (shown as ${UNREADABLE}): the file ` +
        'mixes text encodings. Correct the cell, save the file as "CSV UTF-8" and upload it again.',
    );
  }
}

function holdsReturn(header: HeaderMap, row: SheetRow): boolean {
  const columns = [...Object.values(header.fields), ...header.subjects];
  return columns.some((column) => !isBlank(row.cells[column.index]));
}
