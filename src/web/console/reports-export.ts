import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import type { Cell, ReportTable } from '../../reports/tables.ts';
import { csvCell } from './missing.ts';

/**
 * A report's tables as CSV and XLSX. A text cell that starts with = + - @ (or a tab or carriage
 * return) would be a formula to a spreadsheet, so it gets a leading ' in both formats, as the
 * missing-pupils export does; numbers are written as numbers, so a gap of -12 stays a number.
 */

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvOf(table: ReportTable): string {
  const lines = [table.columns.map(csvCell), ...table.rows.map((row) => row.map(csvValue))];
  return `\uFEFF${lines.map((line) => line.join(',')).join('\r\n')}\r\n`;
}

function csvValue(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  return csvCell(cell);
}

/** One workbook, a sheet per table, with its title above the header row. */
export async function xlsxOf(tables: readonly ReportTable[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Next Steps Sync';
  const used = new Set<string>();
  for (const table of tables) {
    const sheet = workbook.addWorksheet(sheetName(table.key, used));
    sheet.addRow([neutralised(table.title)]).font = { bold: true, size: 13 };
    const header = sheet.addRow(table.columns.map(neutralised));
    header.font = { bold: true };
    for (const row of table.rows) {
      sheet.addRow(row.map((cell) => (typeof cell === 'string' ? neutralised(cell) : cell)));
    }
    sheet.views = [{ state: 'frozen', ySplit: 2 }];
    sheet.columns.forEach((column, index) => {
      const widest = Math.max(
        String(table.columns[index] ?? '').length,
        ...table.rows.map((row) => String(row[index] ?? '').length),
      );
      column.width = Math.min(Math.max(widest + 2, 8), 48);
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export function neutralised(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function sheetName(key: string, used: Set<string>): string {
  let name = key.slice(0, 31);
  for (let n = 2; used.has(name); n += 1) name = `${key.slice(0, 27)} ${n}`;
  used.add(name);
  return name;
}

export function sendCsv(reply: FastifyReply, fileName: string, csv: string) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('Content-Disposition', `attachment; filename="${fileName}.csv"`)
    .send(csv);
}

export function sendXlsx(reply: FastifyReply, fileName: string, bytes: Buffer) {
  return reply
    .type(XLSX)
    .header('Cache-Control', 'no-store')
    .header('Content-Disposition', `attachment; filename="${fileName}.xlsx"`)
    .send(bytes);
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
