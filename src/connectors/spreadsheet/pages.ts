import type {
  Checkpoint,
  PulledPage,
  RawPayload,
  RecordProblem,
  SourcePupil,
} from '../contract.ts';
import type { RowReading } from './rows.ts';

/**
 * Cuts the rows into pages of at most `pageSize` spreadsheet rows: a pupils page, then a
 * results page, for each. The raw payload rides on the first page, and each row's problems on
 * the pupils page of its rows; problems with the whole file come first.
 */
export function* toPages(
  readings: RowReading[],
  problems: RecordProblem[],
  raw: RawPayload | null,
  pageSize: number,
): Generator<PulledPage> {
  const queue = [...problems].sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  if (readings.length === 0) {
    yield { page: { kind: 'pupils', pupils: [] }, problems: queue, raw, checkpoint: { row: null } };
    return;
  }

  const pupils = new PupilPager(readings);
  for (let start = 0; start < readings.length; start += pageSize) {
    const rows = readings.slice(start, start + pageSize);
    const isLast = start + pageSize >= readings.length;
    const checkpoint: Checkpoint = { row: rows.at(-1)!.row };
    const rowProblems = takeUntil(queue, isLast ? Number.POSITIVE_INFINITY : rows.at(-1)!.row);

    yield {
      page: pupils.page(rows),
      problems: rowProblems,
      raw: start === 0 ? raw : null,
      checkpoint,
    };
    const results = rows.flatMap((reading) => reading.results);
    yield { page: { kind: 'results', results }, problems: [], raw: null, checkpoint };
  }
}

function takeUntil(queue: RecordProblem[], lastRow: number): RecordProblem[] {
  const count = queue.findIndex((problem) => (problem.row ?? 0) > lastRow);
  return queue.splice(0, count === -1 ? queue.length : count);
}

/**
 * A pupil on several rows (one per subject, in the long layout) is sent once, on the page of
 * their first row, with what their last row says.
 */
class PupilPager {
  readonly #latest = new Map<string, SourcePupil>();
  readonly #sent = new Set<string>();

  constructor(readings: RowReading[]) {
    for (const { pupil } of readings) this.#latest.set(pupil.externalId, pupil);
  }

  page(rows: RowReading[]): PulledPage['page'] {
    const pupils: SourcePupil[] = [];
    for (const { pupil } of rows) {
      if (this.#sent.has(pupil.externalId)) continue;
      this.#sent.add(pupil.externalId);
      pupils.push(this.#latest.get(pupil.externalId)!);
    }
    return { kind: 'pupils', pupils };
  }
}
