import type { Readable } from 'node:stream';
import { CsvError, type Parser, parse } from 'csv-parse';

/** One CSV record; `row` counts records as a spreadsheet numbers rows, the header being 1. */
export interface CsvRow {
  row: number;
  cells: string[];
  /** The record as written, line ending included, for the raw payload of its page. */
  raw: string;
}

/** A record longer than this is an unclosed quote swallowing the file, not a OneRoster row. */
const MAX_RECORD_BYTES = 1024 * 1024;

/** Why the rest of a file could not be read, after `lastRow`. */
export class CsvBreak extends Error {
  override readonly name = 'CsvBreak';

  constructor(
    readonly row: number,
    readonly detail: string,
    options: { cause: unknown },
  ) {
    super(detail, options);
  }
}

/**
 * Streams a CSV entry record by record (RFC 4180, UTF-8, a byte-order mark dropped: research
 * A.8). Zip errors pass through as they are; a CSV syntax error ends the file as a `CsvBreak`
 * naming the first row that could not be read.
 *
 * The parser is fed one chunk at a time and hands each record over as it is parsed, rather than
 * through its readable side, which drops the records it holds when a later row fails.
 */
export async function* csvRows(source: Readable): AsyncGenerator<CsvRow> {
  const parsed: { record: string[]; raw: string }[] = [];
  const parser = parse({
    bom: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_BYTES,
    on_record: (record: unknown) => {
      parsed.push(record as { record: string[]; raw: string });
      return null;
    },
  });
  let failure: unknown = null;
  parser.on('error', (error) => {
    failure ??= error;
  });

  let row = 0;
  const take = function* (): Generator<CsvRow> {
    for (const { record, raw } of parsed.splice(0)) {
      row += 1;
      // The parser keeps part of the line ending at most; each record gets a whole CRLF.
      yield { row, cells: record, raw: `${raw.replace(/[\r\n]+$/, '')}\r\n` };
    }
  };
  try {
    for await (const chunk of source) {
      await settled(parser, (done) => parser.write(chunk, done));
      yield* take();
      if (failure) break;
    }
    if (!failure) await settled(parser, (done) => parser.end(done));
    yield* take();
    if (failure instanceof CsvError)
      throw new CsvBreak(row + 1, csvDetail(failure), { cause: failure });
    if (failure) throw failure;
  } finally {
    parser.destroy();
    source.destroy();
  }
}

/** Waits for a write or the end to be taken in, or for the parser to fail. */
function settled(parser: Parser, act: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      parser.off('error', done);
      resolve();
    };
    parser.once('error', done);
    act(done);
  });
}

function csvDetail(error: CsvError): string {
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    return 'a quotation mark (") opened in this row is never closed';
  }
  if (
    error.code === 'CSV_INVALID_CLOSING_QUOTE' ||
    error.code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE'
  ) {
    return 'a quotation mark (") in this row opens or closes a value in the wrong place';
  }
  if (error.code === 'CSV_MAX_RECORD_SIZE') {
    return 'this row is longer than 1 MB, which usually means a quotation mark is not closed';
  }
  return 'this row is not valid CSV';
}
