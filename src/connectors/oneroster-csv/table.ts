import type { RecordProblem } from '../contract.ts';
import type { OneRosterCsvConfig } from './config.ts';
import { CsvBreak, csvRows } from './csv.ts';
import { checkHeader, type OneRosterVersion, type ReadFile } from './headers.ts';
import type { FileMode } from './manifest.ts';
import { locate, type OneRosterProblemCode, rowProblem } from './problems.ts';
import { type Read, readDateTime, readStatus, type Status } from './values.ts';
import type { OpenedZip } from './zip.ts';

/** One data row of a OneRoster file, its cells found by column name. */
export interface TableRow {
  row: number;
  raw: string;
  /** The trimmed cell, or '' where the column or the cell is missing. */
  text(column: string): string;
  has(column: string): boolean;
}

export interface TableSettings {
  zip: OpenedZip;
  version: OneRosterVersion;
  config: OneRosterCsvConfig;
}

/**
 * A file of the package, read row by row after its header is checked. Problems with the file
 * or a row go to `problems`; `complete` is true once every row was read.
 */
export class Table {
  readonly file: ReadFile;
  readonly mode: FileMode;
  readonly location: string;
  readonly version: OneRosterVersion;
  /** The header row as written, for the raw payload of each page. */
  header = '';
  complete = false;
  readonly #settings: TableSettings;
  readonly #problems: RecordProblem[];
  #badEncoding = false;

  constructor(settings: TableSettings, file: ReadFile, mode: FileMode, problems: RecordProblem[]) {
    this.#settings = settings;
    this.file = file;
    this.mode = mode;
    this.version = settings.version;
    this.location = locate(settings.zip.name, `${file}.csv`);
    this.#problems = problems;
  }

  /** Rows after `after` (a row number); earlier rows are passed over unread. */
  async *rows(after = 0): AsyncGenerator<TableRow> {
    const { zip, version, config } = this.#settings;
    let columns: ReadonlyMap<string, number> | null = null;
    try {
      for await (const { row, cells, raw } of csvRows(await zip.read(`${this.file}.csv`))) {
        if (row === 1) {
          const check = checkHeader(this.location, version, this.file, cells, config.headerOrder);
          if (!check.ok) {
            this.#problems.push(check.problem);
            return;
          }
          columns = check.columns;
          this.header = raw;
          continue;
        }
        if (row <= after || isBlank(cells)) continue;
        this.#checkEncoding(row, raw);
        if (columns && this.#fits(row, cells, columns.size))
          yield tableRow(row, raw, cells, columns);
      }
      this.complete = columns !== null;
    } catch (error) {
      if (!(error instanceof CsvBreak)) throw error;
      this.#problems.push(
        rowProblem(
          this.location,
          error.row,
          null,
          'csv_unreadable',
          `${error.detail}, so this row and the rows after it could not be read. Export the ` +
            'file again; if it was edited by hand, save it as CSV UTF-8.',
        ),
      );
    }
  }

  problem(row: TableRow, column: string, code: OneRosterProblemCode, message: string): void {
    this.#problems.push(rowProblem(this.location, row.row, column, code, message));
  }

  /**
   * The row's status. A delta row must say it (research A.8); one that does not is read as a
   * change, never as a deletion. Null when the status cannot be read and the row is skipped.
   */
  status(row: TableRow): Status | null {
    const status = readStatus(row.text('status'));
    if (status === undefined) {
      this.problem(
        row,
        'status',
        'status_unknown',
        `The status "${row.text('status')}" is not "active" or "tobedeleted", so this row was ` +
          'not read.',
      );
      return null;
    }
    if (status === null && this.mode === 'delta') {
      this.problem(
        row,
        'status',
        'value_missing',
        'This delta row has no status; it was read as "active". A delta file gives every row ' +
          'a status and a dateLastModified.',
      );
    }
    return status ?? 'active';
  }

  /** The row's dateLastModified as an ISO timestamp, which a delta row must carry. */
  modified(row: TableRow): string | null {
    const text = row.text('dateLastModified');
    const moment = readDateTime(text);
    if (moment === undefined) {
      this.problem(
        row,
        'dateLastModified',
        'datetime_invalid',
        `"${text}" is not a date and time (write it as 2025-03-14T09:30:00.000Z); the change ` +
          'was read without it.',
      );
      return null;
    }
    if (moment === null && this.mode === 'delta') {
      this.problem(
        row,
        'dateLastModified',
        'value_missing',
        'This delta row has no dateLastModified; the change was read without it.',
      );
    }
    return moment;
  }

  /** A column the row cannot do without; reports it and gives null when it is blank. */
  needed(row: TableRow, column: string, what: string): string | null {
    const value = row.text(column);
    if (value !== '') return value;
    this.problem(
      row,
      column,
      'value_missing',
      `${column} is blank, so this row was not read: it needs ${what}.`,
    );
    return null;
  }

  /** A date column, blank allowed; an unreadable date is reported and left out. */
  date(row: TableRow, column: string, read: (text: string) => Read<string>): string | null {
    const text = row.text(column);
    const date = read(text);
    if (date !== undefined) return date;
    this.problem(
      row,
      column,
      'date_invalid',
      `"${text}" is not a date written as YYYY-MM-DD (for example 2015-09-01), so it was left ` +
        'blank. Correct it in the school system and export again.',
    );
    return null;
  }

  /** Text that is not UTF-8 (a file saved as "CSV" by Excel) decodes to U+FFFD; said once. */
  #checkEncoding(row: number, raw: string): void {
    if (this.#badEncoding || !raw.includes('\uFFFD')) return;
    this.#badEncoding = true;
    this.#problems.push(
      rowProblem(
        this.location,
        row,
        null,
        'encoding_invalid',
        'This row, and perhaps others after it, is not UTF-8 text, so accented letters in ' +
          'names may be garbled. Export the file again as UTF-8.',
      ),
    );
  }

  #fits(row: number, cells: string[], width: number): boolean {
    const extra = cells.slice(width).some((cell) => cell.trim() !== '');
    if (!extra) return true;
    this.#problems.push(
      rowProblem(
        this.location,
        row,
        null,
        'csv_unreadable',
        `This row has ${cells.length} cells where the header has ${width}, so it was not read: ` +
          'a comma inside a value must be in double quotes. Export the file again.',
      ),
    );
    return false;
  }
}

function tableRow(
  row: number,
  raw: string,
  cells: readonly string[],
  columns: ReadonlyMap<string, number>,
): TableRow {
  const at = (column: string) => columns.get(column);
  return {
    row,
    raw,
    text: (column) => {
      const index = at(column);
      return index === undefined ? '' : (cells[index] ?? '').trim();
    },
    has: (column) => at(column) !== undefined,
  };
}

function isBlank(cells: readonly string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}
