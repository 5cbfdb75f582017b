import { type CsvError, parse } from 'csv-parse';
import type { SheetRow } from './cells.ts';
import { fieldForHeader, type SubjectSpec, subjectForHeader } from './fields.ts';
import { HEADER_SEARCH_ROWS } from './headers.ts';
import { type Sheet, SheetReadError } from './sheets.ts';

export type Delimiter = ',' | ';' | '\t';

/** Comma in the UK; semicolon where Excel's locale uses a decimal comma; tab in "Unicode text". */
const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

/** The delimiter that splits the likeliest header line into the most known column names. */
export function sniffDelimiter(text: string, subjects: readonly SubjectSpec[]): Delimiter {
  const lines = text.split(/\r\n|\n|\r/, HEADER_SEARCH_ROWS);
  const scored = DELIMITERS.map((delimiter) => ({
    delimiter,
    known: Math.max(0, ...lines.map((line) => knownCount(line, delimiter, subjects))),
    fields: Math.max(0, ...lines.map((line) => line.split(delimiter).length)),
  }));
  scored.sort((a, b) => b.known - a.known || b.fields - a.fields);
  return scored[0]!.delimiter;
}

function knownCount(line: string, delimiter: Delimiter, subjects: readonly SubjectSpec[]): number {
  return line
    .split(delimiter)
    .map((cell) => cell.trim().replace(/^"|"$/g, ''))
    .filter((cell) => fieldForHeader(cell) !== null || subjectForHeader(cell, subjects) !== null)
    .length;
}

export function csvSheet(name: string, text: string, delimiter: Delimiter): Sheet {
  return { name, date1904: false, rows: csvRows(text, delimiter) };
}

/**
 * Rows are numbered as Excel numbers them when it opens the file: blank lines count, and a
 * quoted cell with line breaks inside stays one row.
 */
async function* csvRows(text: string, delimiter: Delimiter): AsyncGenerator<SheetRow> {
  const { records, failure } = await parseRecords(text, delimiter);
  const cut = failure ? null : cutShort(text, records);
  const whole = cut ? records.slice(0, -1) : records;
  for (const [index, cells] of whole.entries()) yield { number: index + 1, cells };
  if (failure ?? cut) throw failure ?? cut;
}

/**
 * A last row with fewer cells than the rows above it and no line break after it is where an
 * upload was cut off: reading it as it stands would stage the pupil without their results.
 */
function cutShort(text: string, records: string[][]): SheetReadError | null {
  const last = records.at(-1);
  if (!last || records.length < 2 || /[\r\n]$/.test(text)) return null;
  const widest = Math.max(...records.slice(0, -1).map((cells) => cells.length));
  if (last.length >= widest) return null;
  return new SheetReadError(
    'csv_truncated',
    records.length,
    'the file stops part-way through this row, which has fewer cells than the rows above it ' +
      'and no line break at its end, so it was not read. The file may have been cut short ' +
      'while uploading: upload the whole file again.',
  );
}

interface Parsed {
  records: string[][];
  failure: SheetReadError | null;
}

/** Collects records as they come, because an async iterator drops them all on a late error. */
function parseRecords(text: string, delimiter: Delimiter): Promise<Parsed> {
  return new Promise((resolve) => {
    const records: string[][] = [];
    const parser = parse({
      delimiter,
      bom: false,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    });
    parser.on('data', (record: string[]) => records.push(record));
    parser.on('error', (error: CsvError) =>
      resolve({ records, failure: csvFailure(error, records) }),
    );
    parser.on('end', () => resolve({ records, failure: null }));
    parser.end(text);
  });
}

function csvFailure(error: CsvError, records: string[][]): SheetReadError {
  const row = records.length + 1;
  const detail =
    error.code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'a quotation mark (") opened in this row is never closed'
      : 'this row is not valid CSV';
  return new SheetReadError(
    'csv_unreadable',
    row,
    `${detail}, so this row and the rows after it could not be read. ` +
      'Correct the row, save the file as CSV again and upload it again.',
    { cause: error },
  );
}
