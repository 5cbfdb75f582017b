import type { RecordProblem } from '../contract.ts';
import { dropDuplicates } from './duplicates.ts';
import type { SubjectSpec } from './fields.ts';
import { findHeader } from './headers.ts';
import { checkHeaders, chooseLayout, type LayoutSetting } from './layout.ts';
import { breakProblem, noHeader, noPupils, noSheet } from './reader-problems.ts';
import { type RowReading, readRow } from './rows.ts';
import type { FileContext } from './scope.ts';
import { drain, type Sheet, SheetReadError } from './sheets.ts';

export interface ReadSettings {
  layout: LayoutSetting;
  periodLabel: string | null;
  /** Only ever set for a workbook. */
  sheetName: string | null;
  subjects: readonly SubjectSpec[];
  /** XLSX rather than CSV, which has one sheet. */
  workbook: boolean;
  signal: AbortSignal | null;
}

export interface ReturnReading {
  readings: RowReading[];
  problems: RecordProblem[];
  /** Read to its end, with a header and at least one pupil: safe to treat as the whole roll. */
  complete: boolean;
}

/** What reading the sheets has found so far; kept when the file breaks off part way. */
interface Progress {
  file: FileContext | null;
  readings: RowReading[];
  problems: RecordProblem[];
  sheetNames: string[];
  headerFound: boolean;
  reachedEnd: boolean;
}

/** Reads the return from the first worksheet that has a header row (or the one named). */
export async function readReturn(
  location: string,
  sheets: AsyncGenerator<Sheet>,
  settings: ReadSettings,
): Promise<ReturnReading> {
  const progress: Progress = {
    file: null,
    readings: [],
    problems: [],
    sheetNames: [],
    headerFound: false,
    reachedEnd: false,
  };
  try {
    await readSheets(location, sheets, settings, progress);
    progress.reachedEnd = true;
  } catch (error) {
    if (!(error instanceof SheetReadError)) throw error;
    progress.problems.push(breakProblem(location, error));
  }
  return finish(location, settings, progress);
}

/** Every sheet is read to its end, even once the return is found, so the reader cleans up. */
async function readSheets(
  location: string,
  sheets: AsyncGenerator<Sheet>,
  settings: ReadSettings,
  progress: Progress,
): Promise<void> {
  for await (const sheet of sheets) {
    progress.sheetNames.push(sheet.name);
    const wanted = !progress.headerFound && isWanted(sheet.name, settings.sheetName);
    if (wanted) await readSheet(location, sheet, settings, progress);
    await drain(sheet.rows);
  }
}

function isWanted(name: string, sheetName: string | null): boolean {
  if (sheetName === null) return true;
  return name.trim().toLowerCase() === sheetName.trim().toLowerCase();
}

async function readSheet(
  location: string,
  sheet: Sheet,
  settings: ReadSettings,
  progress: Progress,
): Promise<void> {
  const header = await findHeader(sheet.rows, settings.subjects);
  if (!header) return;
  progress.headerFound = true;

  const layout = chooseLayout(header, settings.layout);
  const check = checkHeaders(location, header, layout, settings.subjects);
  progress.problems.push(...check.problems);
  if (check.fatal) return;

  const { periodLabel, subjects } = settings;
  const { date1904 } = sheet;
  const file: FileContext = { location, header, layout, periodLabel, subjects, date1904 };
  progress.file = file;
  for await (const row of sheet.rows) {
    settings.signal?.throwIfAborted();
    const reading = readRow(file, row, progress.problems);
    if (reading) progress.readings.push(reading);
  }
}

function finish(location: string, settings: ReadSettings, progress: Progress): ReturnReading {
  const { file, reachedEnd } = progress;
  if (!progress.headerFound) return failed(progress, missingHeader(location, settings, progress));
  if (!file) return failed(progress, null);

  const { readings, problems } = dropDuplicates(file, progress.readings);
  const all = [...progress.problems, ...problems];
  if (readings.length === 0 && reachedEnd) all.push(noPupils(location, file.header.row));
  return { readings, problems: all, complete: reachedEnd && readings.length > 0 };
}

function failed(progress: Progress, problem: RecordProblem | null): ReturnReading {
  const problems = problem ? [...progress.problems, problem] : progress.problems;
  return { readings: [], problems, complete: false };
}

/** Nothing more to say when the file broke off before a header was found: that is reported. */
function missingHeader(
  location: string,
  settings: ReadSettings,
  progress: Progress,
): RecordProblem | null {
  const { sheetName } = settings;
  if (!progress.reachedEnd) return null;
  if (sheetName !== null && !progress.sheetNames.some((name) => isWanted(name, sheetName))) {
    return noSheet(location, sheetName, progress.sheetNames);
  }
  return noHeader(location, settings.workbook, sheetName);
}
