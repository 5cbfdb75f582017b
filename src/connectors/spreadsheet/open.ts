import type { RecordProblem } from '../contract.ts';
import { csvSheet, type Delimiter, sniffDelimiter } from './csv.ts';
import { decodeText } from './decode.ts';
import type { SubjectSpec } from './fields.ts';
import { fileProblem } from './problems.ts';
import type { Sheet } from './sheets.ts';
import { isWholeZip, xlsxSheets } from './xlsx.ts';
import { wholeXlsxSheets } from './xlsx-whole.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** Old .xls files and password-protected workbooks are both OLE compound files. */
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

const EMPTY = "is empty. Fill in the trust's template and upload it again.";
const LEGACY =
  'is an old-style Excel file (.xls) or a password-protected workbook, which cannot be read. ' +
  'Save it in Excel as "Excel Workbook (.xlsx)" without a password, and upload it again.';
const TRUNCATED =
  'is not a complete Excel workbook: it may have been cut short while uploading. ' +
  'Upload it again; if that does not help, open it in Excel and save it again first.';

export type OpenedFile = OpenedSheets | { ok: false; contentType: string; problem: RecordProblem };

export interface OpenedSheets {
  ok: true;
  contentType: string;
  workbook: boolean;
  sheets: AsyncGenerator<Sheet>;
  /** A second way to read the file, should the first break off. */
  fallback: (() => AsyncGenerator<Sheet>) | null;
}

/** Tells a workbook from text by its first bytes, since names and extensions are often wrong. */
export function openFile(
  location: string,
  bytes: Buffer,
  subjects: readonly SubjectSpec[],
): OpenedFile {
  if (bytes.length === 0) return refuse(location, 'application/octet-stream', 'file_empty', EMPTY);
  if (bytes.subarray(0, 8).equals(OLE_MAGIC)) {
    return refuse(location, 'application/vnd.ms-excel', 'file_unsupported', LEGACY);
  }
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) return openWorkbook(location, bytes);
  return openText(location, bytes, subjects);
}

function openWorkbook(location: string, bytes: Buffer): OpenedFile {
  if (!isWholeZip(bytes)) return refuse(location, XLSX_TYPE, 'xlsx_truncated', TRUNCATED);
  return {
    ok: true,
    contentType: XLSX_TYPE,
    workbook: true,
    sheets: xlsxSheets(bytes),
    fallback: () => wholeXlsxSheets(bytes),
  };
}

function openText(location: string, bytes: Buffer, subjects: readonly SubjectSpec[]): OpenedFile {
  const { text, encoding } = decodeText(bytes);
  const contentType = `text/csv; charset=${encoding}`;
  if (text.trim() === '') return refuse(location, contentType, 'file_empty', EMPTY);

  const delimiter: Delimiter = sniffDelimiter(text, subjects);
  return {
    ok: true,
    contentType,
    workbook: false,
    sheets: single(csvSheet(location, text, delimiter)),
    fallback: null,
  };
}

async function* single(sheet: Sheet): AsyncGenerator<Sheet> {
  yield sheet;
}

function refuse(
  location: string,
  contentType: string,
  code: 'file_empty' | 'file_unsupported' | 'xlsx_truncated',
  detail: string,
): OpenedFile {
  return {
    ok: false,
    contentType,
    problem: fileProblem(location, code, `"${location}" ${detail}`),
  };
}
