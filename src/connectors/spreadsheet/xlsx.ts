import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Cell, SheetRow } from './cells.ts';
import { type Sheet, SheetReadError } from './sheets.ts';

/**
 * Styles are read because they are what marks a number as a date; shared strings are cached
 * because Excel stores every text cell there; hyperlinks are only ever contact details.
 */
const READER_OPTIONS = {
  worksheets: 'emit',
  sharedStrings: 'cache',
  styles: 'cache',
  hyperlinks: 'ignore',
  entries: 'ignore',
} as const;

/** The zip's closing record sits within its last 22 bytes plus a comment of up to 64 KiB. */
const END_RECORD = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const END_RECORD_REACH = 22 + 0xffff;

/** A workbook cut short in an upload has no closing record; without one it cannot be trusted. */
export function isWholeZip(bytes: Buffer): boolean {
  const tail = bytes.subarray(Math.max(0, bytes.length - END_RECORD_REACH));
  return tail.includes(END_RECORD);
}

/** The worksheets in the order the workbook stores them, each read as it streams past. */
export async function* xlsxSheets(bytes: Buffer): AsyncGenerator<Sheet> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), READER_OPTIONS);
  try {
    for await (const worksheet of reader) {
      yield {
        name: sheetName(worksheet),
        date1904: isDate1904(reader),
        rows: sheetRows(worksheet),
      };
    }
  } catch (error) {
    throw damaged(error);
  }
}

async function* sheetRows(worksheet: AsyncIterable<ExcelJS.Row>): AsyncGenerator<SheetRow> {
  try {
    for await (const row of worksheet) yield toRow(row);
  } catch (error) {
    throw damaged(error);
  }
}

/** Errors here come from unzipping and XML parsing: the file, not the code, is at fault. */
function damaged(error: unknown): SheetReadError {
  return new SheetReadError(
    'xlsx_unreadable',
    null,
    'could not be read to its end because the workbook is damaged. ' +
      'Open it in Excel, save it again and upload it again.',
    { cause: error },
  );
}

function toRow(row: ExcelJS.Row): SheetRow {
  const cells: Cell[] = [];
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    cells[column - 1] = toCell(cell.value);
  });
  return { number: row.number, cells: Array.from(cells, (cell) => cell ?? null) };
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

function sheetName(worksheet: object): string {
  return 'name' in worksheet && typeof worksheet.name === 'string' ? worksheet.name : '';
}

/** The reader keeps the workbook's properties as a parsed model, not as its typings say. */
function isDate1904(reader: object): boolean {
  const properties = 'properties' in reader ? reader.properties : null;
  if (typeof properties !== 'object' || properties === null) return false;
  const model = 'model' in properties ? properties.model : null;
  if (typeof model !== 'object' || model === null) return false;
  return 'date1904' in model && model.date1904 === true;
}
