import type { PulledPage, PullSummary, RawPayload, UploadedFile } from '../contract.ts';
import { DEFAULT_SUBJECTS, type SubjectSpec } from './fields.ts';
import type { LayoutSetting } from './layout.ts';
import { loadBytes, MAX_FILE_BYTES } from './load.ts';
import { type OpenedSheets, openFile } from './open.ts';
import { toPages } from './pages.ts';
import { fileProblem } from './problems.ts';
import { type ReadSettings, type ReturnReading, readReturn } from './reader.ts';

export const DEFAULT_PAGE_SIZE = 2000;

export interface ReadSpreadsheetOptions {
  /** 'auto' (the default) tells the layout from the headers. */
  layout?: LayoutSetting;
  /** For rows with no "Collection" or "Term" cell. */
  periodLabel?: string | null;
  /** The worksheet to read; by default the first with a header row. Ignored for CSV. */
  sheetName?: string | null;
  /** The subjects the trust collects; reading, writing and mathematics by default. */
  subjects?: readonly SubjectSpec[];
  /** Spreadsheet rows per page; each gives a pupils page and then a results page. */
  pageSize?: number;
  signal?: AbortSignal;
}

/**
 * Reads a termly return a school uploaded, as CSV (any delimiter or encoding Excel writes) or
 * XLSX. Problems never stop the read: each is reported with the page of its row, and only a
 * file that was read to its end, with pupils in it, returns `complete`.
 */
export async function* readSpreadsheet(
  file: UploadedFile,
  options: ReadSpreadsheetOptions = {},
): AsyncGenerator<PulledPage, PullSummary> {
  const pageSize = checkedPageSize(options.pageSize ?? DEFAULT_PAGE_SIZE);
  const bytes = await loadBytes(file, options.signal ?? null);
  const reading = bytes ? await readBytes(file.fileName, bytes, options) : tooLarge(file.fileName);

  yield* toPages(reading.readings, reading.problems, reading.raw, pageSize);
  return { complete: reading.complete, cursor: {} };
}

interface FileReading extends ReturnReading {
  raw: RawPayload | null;
}

async function readBytes(
  location: string,
  bytes: Buffer,
  options: ReadSpreadsheetOptions,
): Promise<FileReading> {
  const subjects = options.subjects ?? DEFAULT_SUBJECTS;
  const opened = openFile(location, bytes, subjects);
  const raw: RawPayload = { label: location, contentType: opened.contentType, body: bytes };
  if (!opened.ok) return { readings: [], problems: [opened.problem], complete: false, raw };

  const settings: ReadSettings = {
    layout: options.layout ?? 'auto',
    periodLabel: options.periodLabel ?? null,
    sheetName: opened.workbook ? (options.sheetName ?? null) : null,
    subjects,
    workbook: opened.workbook,
    signal: options.signal ?? null,
  };
  return { ...(await readOpened(location, opened, settings)), raw };
}

/** A workbook whose streamed read broke off is read once more, whole, before it is judged. */
async function readOpened(
  location: string,
  opened: OpenedSheets,
  settings: ReadSettings,
): Promise<ReturnReading> {
  const reading = await readReturn(location, opened.sheets, settings);
  const brokeOff = reading.problems.some((problem) => problem.code === 'xlsx_unreadable');
  if (!brokeOff || !opened.fallback) return reading;
  return readReturn(location, opened.fallback(), settings);
}

function tooLarge(location: string): FileReading {
  const limit = `${MAX_FILE_BYTES / 1024 / 1024} MB`;
  const problem = fileProblem(
    location,
    'file_too_large',
    `"${location}" is larger than ${limit}, far more than a school's return needs. Delete ` +
      'other worksheets and columns, or save it as CSV, and upload it again.',
  );
  return { readings: [], problems: [problem], complete: false, raw: null };
}

function checkedPageSize(pageSize: number): number {
  if (Number.isInteger(pageSize) && pageSize > 0) return pageSize;
  throw new RangeError(`pageSize must be a positive whole number, not ${pageSize}`);
}
