import ExcelJS from 'exceljs';
import type { SheetRow } from './cells.ts';
import type { Sheet } from './sheets.ts';
import { damaged, toRow } from './xlsx-cells.ts';

/**
 * The worksheets of a workbook loaded whole, through the zip's central directory. Slower and
 * hungrier than streaming, so only the fallback when a streamed read breaks off.
 */
export async function* wholeXlsxSheets(bytes: Buffer): AsyncGenerator<Sheet> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Uint8Array.from(bytes).buffer);
  } catch (error) {
    throw damaged(error);
  }
  const date1904 = workbook.properties.date1904 === true;
  for (const worksheet of workbook.worksheets) {
    yield { name: worksheet.name, date1904, rows: rows(worksheet) };
  }
}

async function* rows(worksheet: ExcelJS.Worksheet): AsyncGenerator<SheetRow> {
  const read: SheetRow[] = [];
  worksheet.eachRow((row) => {
    read.push(toRow(row));
  });
  yield* read;
}
