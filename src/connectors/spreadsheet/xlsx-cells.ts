import type ExcelJS from 'exceljs';
import type { Cell, SheetRow } from './cells.ts';
import { SheetReadError } from './sheets.ts';

/** A row of either XLSX reader as a sheet row: one cell per column, blanks as null. */
export function toRow(row: ExcelJS.Row): SheetRow {
  const cells: Cell[] = [];
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    cells[column - 1] = toCell(cell.value);
  });
  return { number: row.number, cells: Array.from(cells, (cell) => cell ?? null) };
}

/** Errors reading a workbook come from unzipping and XML parsing: the file is at fault. */
export function damaged(error: unknown): SheetReadError {
  return new SheetReadError(
    'xlsx_unreadable',
    null,
    'could not be read to its end because the workbook is damaged. ' +
      'Open it in Excel, save it again and upload it again.',
    { cause: error },
  );
}

function toCell(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((run) => run.text ?? '').join('');
  if ('error' in value) return { issue: 'error', text: value.error };
  if ('hyperlink' in value) return value.text;
  return formulaCell(value.result, 'formula' in value ? value.formula : value.sharedFormula);
}

/** A formula gives the result Excel saved with it; it is never worked out here. */
function formulaCell(
  result: ExcelJS.CellFormulaValue['result'],
  formula: string | undefined,
): Cell {
  if (result === undefined || result === null) {
    return { issue: 'uncachedFormula', text: `=${formula ?? ''}` };
  }
  if (typeof result === 'object' && !(result instanceof Date)) {
    return { issue: 'error', text: result.error };
  }
  // The streaming reader turns a saved error result ("#N/A") into NaN.
  if (typeof result === 'number' && Number.isNaN(result)) return { issue: 'error', text: '' };
  return result;
}
