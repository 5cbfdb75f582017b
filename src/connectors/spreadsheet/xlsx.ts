import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { SheetRow } from './cells.ts';
import type { Sheet } from './sheets.ts';
import { damaged, toRow } from './xlsx-cells.ts';

/**
 * Styles are read because they are what marks a number as a date; shared strings are cached
 * because Excel keeps every text cell there; hyperlinks are no part of a return.
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

/**
 * The worksheets as they stream out of the zip. The streaming reader can miss the zip's last
 * entry (exceljs issue 3064), which is where exceljs itself writes the workbook part, so a
 * read that did not see every worksheet the workbook declares fails, and is read again whole.
 */
export async function* xlsxSheets(bytes: Buffer): AsyncGenerator<Sheet> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), READER_OPTIONS);
  let seen = 0;
  try {
    for await (const worksheet of reader) {
      seen += 1;
      yield { name: sheetName(worksheet), date1904: isDate1904(reader), rows: rows(worksheet) };
    }
  } catch (error) {
    throw damaged(error);
  }
  const declared = declaredSheets(reader);
  if (declared === null || seen < declared) throw damaged(new Error('worksheets missed'));
}

async function* rows(worksheet: AsyncIterable<ExcelJS.Row>): AsyncGenerator<SheetRow> {
  try {
    for await (const row of worksheet) yield toRow(row);
  } catch (error) {
    throw damaged(error);
  }
}

/* The reader's typings omit what it sets at run time, so these look before they read. */

function sheetName(worksheet: object): string {
  return 'name' in worksheet && typeof worksheet.name === 'string' ? worksheet.name : '';
}

function isDate1904(reader: object): boolean {
  const model = modelOf(reader, 'properties');
  return model !== null && 'date1904' in model && model.date1904 === true;
}

/** How many sheets the workbook part lists, or null when it was never read. */
function declaredSheets(reader: object): number | null {
  if (!('model' in reader) || typeof reader.model !== 'object' || reader.model === null) {
    return null;
  }
  const { model } = reader;
  return 'sheets' in model && Array.isArray(model.sheets) ? model.sheets.length : null;
}

function modelOf(reader: object, part: string): object | null {
  const parsed: unknown = part in reader ? Reflect.get(reader, part) : null;
  if (typeof parsed !== 'object' || parsed === null || !('model' in parsed)) return null;
  return typeof parsed.model === 'object' ? parsed.model : null;
}
