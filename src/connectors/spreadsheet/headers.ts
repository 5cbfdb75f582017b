import { type Cell, cellText, type SheetRow } from './cells.ts';
import { fieldForHeader, type ReturnField, type SubjectSpec, subjectForHeader } from './fields.ts';

/** The header row is looked for in the rows Excel numbers 1 to 10, below any title rows. */
export const HEADER_SEARCH_ROWS = 10;

/** Two known headers tell a header row from a title ("Autumn return") or a pupil's row. */
const HEADER_MIN_KNOWN = 2;

export interface Column {
  /** 0 is column A. */
  index: number;
  /** As the file writes it, for messages. */
  header: string;
}

export interface SubjectColumn extends Column {
  subject: SubjectSpec;
}

export interface HeaderMap {
  row: number;
  fields: Partial<Record<ReturnField, Column>>;
  subjects: SubjectColumn[];
  /** Headers that name nothing the trust collects. */
  unknown: string[];
  /** A second column for a field or subject already found; the first one is read. */
  repeated: { column: Column; first: Column }[];
  /** Every non-blank header, in file order. */
  headers: string[];
}

/** Reads rows up to the header row; the iterator then stands at the first row under it. */
export async function findHeader(
  rows: AsyncIterator<SheetRow>,
  subjects: readonly SubjectSpec[],
): Promise<HeaderMap | null> {
  for (;;) {
    const next = await rows.next();
    if (next.done || next.value.number > HEADER_SEARCH_ROWS) return null;
    if (knownCount(next.value.cells, subjects) >= HEADER_MIN_KNOWN) {
      return mapHeaders(next.value, subjects);
    }
  }
}

function knownCount(cells: readonly Cell[], subjects: readonly SubjectSpec[]): number {
  return cells.map(cellText).filter((text) => isKnown(text, subjects)).length;
}

function isKnown(header: string, subjects: readonly SubjectSpec[]): boolean {
  return fieldForHeader(header) !== null || subjectForHeader(header, subjects) !== null;
}

export function mapHeaders(row: SheetRow, subjects: readonly SubjectSpec[]): HeaderMap {
  const map: HeaderMap = {
    row: row.number,
    fields: {},
    subjects: [],
    unknown: [],
    repeated: [],
    headers: [],
  };
  for (const [index, cell] of row.cells.entries()) {
    placeColumn(map, { index, header: cellText(cell) }, subjects);
  }
  return map;
}

function placeColumn(map: HeaderMap, column: Column, subjects: readonly SubjectSpec[]): void {
  if (column.header === '') return;
  map.headers.push(column.header);

  const field = fieldForHeader(column.header);
  const subject = subjectForHeader(column.header, subjects);
  if (field !== null) placeField(map, field, column);
  else if (subject !== null) placeSubject(map, { ...column, subject });
  else map.unknown.push(column.header);
}

function placeField(map: HeaderMap, field: ReturnField, column: Column): void {
  const first = map.fields[field];
  if (first) {
    map.repeated.push({ column, first });
    return;
  }
  map.fields[field] = column;
}

function placeSubject(map: HeaderMap, column: SubjectColumn): void {
  const first = map.subjects.find((known) => known.subject.code === column.subject.code);
  if (first) {
    map.repeated.push({ column, first });
    return;
  }
  map.subjects.push(column);
}

/** The letter Excel shows above a column: 0 is A, 26 is AA. */
export function columnLetter(index: number): string {
  const letter = String.fromCharCode(65 + (index % 26));
  return index < 26 ? letter : columnLetter(Math.floor(index / 26) - 1) + letter;
}
