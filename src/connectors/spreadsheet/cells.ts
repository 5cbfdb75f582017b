/** A cell as either reader hands it on: CSV gives text only, XLSX also numbers, dates and flags. */
export type Cell = string | number | boolean | Date | CellIssue | null;

/** An XLSX cell that holds no usable value: an error (#N/A) or a formula Excel never ran. */
export interface CellIssue {
  issue: 'error' | 'uncachedFormula';
  text: string;
}

export interface SheetRow {
  /** The row number as Excel shows it (CSV: the record number, blank lines counted). */
  number: number;
  /** Index 0 is column A. */
  cells: Cell[];
}

export function isCellIssue(cell: Cell): cell is CellIssue {
  return typeof cell === 'object' && cell !== null && !(cell instanceof Date);
}

export function isBlank(cell: Cell | undefined): boolean {
  if (cell === null || cell === undefined) return true;
  return typeof cell === 'string' && cell.trim() === '';
}

export function isBlankRow(row: SheetRow): boolean {
  return row.cells.every(isBlank);
}

/** The cell as a person reads it, trimmed; never evaluated, so "=SUM(A1)" stays text. */
export function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell.normalize('NFC').trim();
  if (typeof cell === 'number') return numberText(cell);
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  if (cell instanceof Date) return dayText(cell);
  return cell.text;
}

/** Excel shows 15 significant digits, so binary noise such as 0.30000000000000004 is dropped. */
function numberText(value: number): string {
  return String(Number(value.toPrecision(15)));
}

/** dd/mm/yyyy of a date Excel stored, whose day is in UTC. */
export function dayText(date: Date): string {
  const day = String(date.getUTCDate()).padStart(2, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `${day}/${month}/${date.getUTCFullYear()}`;
}
