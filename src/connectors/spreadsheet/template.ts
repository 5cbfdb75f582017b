import ExcelJS from 'exceljs';
import { FIELD_LABELS, PUPIL_FIELDS, type ReturnField } from './fields.ts';
import type { Layout } from './layout.ts';
import { templateNotes } from './template-notes.ts';

export interface BuildTemplateOptions {
  format: 'xlsx' | 'csv';
  layout: Layout;
  subjects: readonly { code: string; name: string }[];
  /** The line above the headers in the XLSX. */
  title?: string;
}

const DEFAULT_TITLE = 'Nexus MAT termly Next Steps return';
const TITLE_ROW = 1;
const HEADER_ROW = 2;
/** Rows with drop-down lists: enough for a large primary school, one row per pupil or result. */
const LIST_ROWS: Record<Layout, number> = { wide: 1_000, long: 3_000 };
const HEADER_FILL = 'FF1F4E79';

/** Text, so that Excel leaves a grade such as "3/4" or a year such as "R" as it is typed. */
const TEXT_FIELDS: readonly ReturnField[] = ['upn', 'yearGroup', 'subject', 'value'];
const DATE_FIELDS: readonly ReturnField[] = ['dateOfBirth', 'assessmentDate'];
const LISTS: Partial<Record<ReturnField, string>> = {
  sex: 'M,F',
  senStatus: 'N,K,E',
  disadvantaged: 'Y,N',
  eal: 'Y,N',
};

interface TemplateColumn {
  header: string;
  field: ReturnField | null;
}

/** The blank return a school fills in: CSV (a header line) or XLSX (title, headers, notes). */
export async function buildTemplate(options: BuildTemplateOptions): Promise<Buffer> {
  const columns = templateColumns(options);
  if (options.format === 'csv') return csvTemplate(columns);
  return xlsxTemplate(columns, options);
}

function templateColumns({ layout, subjects }: BuildTemplateOptions): TemplateColumn[] {
  const fields: ReturnField[] =
    layout === 'wide'
      ? [...PUPIL_FIELDS, 'assessmentDate']
      : [...PUPIL_FIELDS, 'subject', 'value', 'assessmentDate'];
  const columns = fields.map((field) => ({ header: FIELD_LABELS[field], field }));
  if (layout === 'long') return columns;
  return [...columns, ...subjects.map((subject) => ({ header: subject.name, field: null }))];
}

/** With a byte-order mark and CRLF, which is how Excel itself opens a UTF-8 CSV correctly. */
function csvTemplate(columns: TemplateColumn[]): Buffer {
  const line = columns.map((column) => csvField(column.header)).join(',');
  return Buffer.from(`\uFEFF${line}\r\n`, 'utf8');
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function xlsxTemplate(
  columns: TemplateColumn[],
  options: BuildTemplateOptions,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Next Steps Sync';
  const sheet = workbook.addWorksheet('Return', {
    views: [{ state: 'frozen', ySplit: HEADER_ROW }],
  });
  writeTitle(sheet, options.title ?? DEFAULT_TITLE, columns.length);
  writeHeaders(sheet, columns);
  formatColumns(sheet, columns, options.layout);
  if (options.layout === 'long') addList(sheet, columnNumber(columns, 'subject'), options);
  writeNotes(workbook.addWorksheet('Notes'), columns, options);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function writeTitle(sheet: ExcelJS.Worksheet, title: string, width: number): void {
  const cell = sheet.getCell(TITLE_ROW, 1);
  cell.value = title;
  cell.font = { bold: true, size: 14 };
  sheet.mergeCells(TITLE_ROW, 1, TITLE_ROW, width);
}

function writeHeaders(sheet: ExcelJS.Worksheet, columns: TemplateColumn[]): void {
  const row = sheet.getRow(HEADER_ROW);
  columns.forEach((column, index) => {
    const cell = row.getCell(index + 1);
    cell.value = column.header;
    cell.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } };
    cell.alignment = { vertical: 'middle', wrapText: true };
    cell.border = { bottom: { style: 'thin' } };
  });
}

function formatColumns(sheet: ExcelJS.Worksheet, columns: TemplateColumn[], layout: Layout): void {
  columns.forEach((column, index) => {
    const sheetColumn = sheet.getColumn(index + 1);
    sheetColumn.width = Math.max(12, column.header.length + 4);
    const { field } = column;
    if (field === null || TEXT_FIELDS.includes(field)) sheetColumn.numFmt = '@';
    if (field !== null && DATE_FIELDS.includes(field)) sheetColumn.numFmt = 'dd/mm/yyyy';
    const list = field === null ? undefined : LISTS[field];
    if (list) addValidation(sheet, index + 1, list, layout);
  });
}

function addList(sheet: ExcelJS.Worksheet, column: number, options: BuildTemplateOptions): void {
  const names = options.subjects.map((subject) => subject.name).join(',');
  addValidation(sheet, column, names, options.layout);
}

/** A drop-down list; a value not in it is still allowed, with a warning, as schools vary. */
function addValidation(
  sheet: ExcelJS.Worksheet,
  column: number,
  list: string,
  layout: Layout,
): void {
  for (let row = HEADER_ROW + 1; row <= HEADER_ROW + LIST_ROWS[layout]; row++) {
    sheet.getCell(row, column).dataValidation = {
      type: 'list',
      allowBlank: true,
      formulae: [`"${list}"`],
      showErrorMessage: true,
      errorStyle: 'warning',
    };
  }
}

function columnNumber(columns: TemplateColumn[], field: ReturnField): number {
  return columns.findIndex((column) => column.field === field) + 1;
}

function writeNotes(
  sheet: ExcelJS.Worksheet,
  columns: TemplateColumn[],
  options: BuildTemplateOptions,
): void {
  sheet.columns = [
    { header: 'Column', width: 18 },
    { header: 'What to write', width: 90 },
    { header: 'Example', width: 16 },
  ];
  sheet.getRow(1).font = { bold: true };
  for (const note of templateNotes(columns, options.layout, options.subjects)) sheet.addRow(note);
}
