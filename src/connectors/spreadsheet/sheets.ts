import type { SheetRow } from './cells.ts';
import type { ProblemCode } from './problems.ts';

/** One worksheet of a workbook, or the single sheet a CSV file is. */
export interface Sheet {
  name: string;
  /** Old Mac workbooks count dates from 1904 (see dates.ts). */
  date1904: boolean;
  rows: AsyncGenerator<SheetRow>;
}

/**
 * A file that stops making sense part way: the rows before `row` were read. `detail` finishes
 * a sentence that starts with the row, or with the file's name where there is no row.
 */
export class SheetReadError extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly row: number | null,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
    this.name = 'SheetReadError';
  }
}

/** Reads a sheet's remaining rows without using them, so that its temporary files are freed. */
export async function drain(rows: AsyncIterator<SheetRow>): Promise<void> {
  for (let next = await rows.next(); !next.done; next = await rows.next()) {
    // Nothing to do with a row of a sheet that is not the return.
  }
}
