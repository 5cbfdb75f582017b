import type {
  PulledPage,
  PullPage,
  RecordProblem,
  SourceDeletion,
  SourcePupil,
  SourceResult,
} from '../contract.ts';

export type RecordKind = PullPage['kind'];

/** One record read from a row, tagged with the kind of page it goes on. */
export type Outcome =
  | { kind: 'pupils'; record: SourcePupil }
  | { kind: 'results'; record: SourceResult }
  | { kind: 'deletions'; record: SourceDeletion };

type AnyRecord = Outcome['record'];

/** The file just being read, and how far each kind of record from it has been sent. */
export type Position = {
  file: string;
  /**
   * Per kind: every record of that kind up to and including this row has been sent. The kinds
   * are apart because a file's pupils and deletions fill their pages at different rates.
   */
  rows: Partial<Record<RecordKind, number>>;
  /** The file was read to its end and everything from it sent, problems too. */
  done?: boolean;
};

export type Checkpoint = Position & {
  /** The sha256 of the zip, so that a resume is only ever of the same upload. */
  zip: string;
  /** Something already read in this pull (a file, a row range) was incomplete. */
  partial: boolean;
};

/** A page before the connector adds the zip's part of the checkpoint. */
export type FilePage = Omit<PulledPage, 'checkpoint'> & { position: Position };

interface Pending {
  records: AnyRecord[];
  raws: string[];
  firstRow: number;
  lastRow: number;
}

/**
 * Cuts one file's records into pages of at most `pageSize`, one kind per page, and says after
 * each page where a resumed pull must pick up: a record of a kind is sent again only if it was
 * not sent before, and a row's problems travel with the first page after every record up to
 * that row was sent, so that neither is lost or repeated when a pull resumes.
 */
export class FilePager {
  readonly #file: string;
  readonly #location: string;
  readonly #kinds: readonly RecordKind[];
  readonly #pageSize: number;
  readonly #sent: Partial<Record<RecordKind, number>>;
  /** Rows at or before this were wholly sent before the resume, problems and all. */
  readonly #resumedAfter: number;
  readonly #buffers = new Map<RecordKind, Pending>();
  readonly #problems: RecordProblem[];
  readonly #leading: RecordProblem[];
  #row = 0;

  constructor(settings: {
    file: string;
    /** Where the file is, for the raw payload's label. */
    location: string;
    kinds: readonly RecordKind[];
    pageSize: number;
    resume: Position | null;
    /** Where the file's readers put their problems. */
    problems: RecordProblem[];
    /** Problems from before this file (the manifest, the lookups), sent with the first page. */
    leading: RecordProblem[];
  }) {
    this.#file = settings.file;
    this.#location = settings.location;
    this.#kinds = settings.kinds;
    this.#pageSize = settings.pageSize;
    const resume = settings.resume?.file === settings.file ? settings.resume : null;
    this.#sent = { ...resume?.rows };
    this.#resumedAfter = resume
      ? Math.min(...settings.kinds.map((kind) => resume.rows[kind] ?? 0))
      : 0;
    this.#problems = settings.problems;
    this.#leading = settings.leading;
  }

  /** Rows up to here need not be read again at all. */
  get resumedAfter(): number {
    return this.#resumedAfter;
  }

  /** Marks a row as read, whatever it gave. Rows must come in order. */
  reached(row: number): void {
    this.#row = row;
  }

  /** Adds a row's record; gives the page to send when that kind's page is full. */
  add(outcome: Outcome, row: number, raw: string, header: string): FilePage | null {
    const { kind, record } = outcome;
    if (row <= (this.#sent[kind] ?? 0)) return null;
    const pending = this.#buffers.get(kind) ?? {
      records: [],
      raws: [header],
      firstRow: row,
      lastRow: row,
    };
    pending.records.push(record);
    pending.raws.push(raw);
    pending.lastRow = row;
    this.#buffers.set(kind, pending);
    return pending.records.length >= this.#pageSize ? this.#flush(kind) : null;
  }

  /**
   * The file's remaining pages. The last carries every problem still held (a row that broke
   * the file off is past the last row read) and marks the file done; a page is made for the
   * problems if no record is left to carry them.
   */
  finish(): FilePage[] {
    const kinds = this.#kinds.filter((kind) => this.#buffers.has(kind));
    const pages = kinds.map((kind) => this.#flush(kind));
    const rest = this.#dueProblems(this.position(), Number.POSITIVE_INFINITY);
    let last = pages.at(-1);
    if (!last && rest.length === 0) return pages;
    if (!last) {
      last = {
        page: emptyPage(this.#kinds[0]!),
        problems: [],
        raw: null,
        position: this.position(),
      };
      pages.push(last);
    }
    last.problems.push(...rest);
    last.position = { ...last.position, done: true };
    return pages;
  }

  position(): Position {
    const rows: Partial<Record<RecordKind, number>> = {};
    for (const kind of this.#kinds) {
      const buffer = this.#buffers.get(kind);
      rows[kind] = buffer ? buffer.firstRow - 1 : Math.max(this.#row, this.#sent[kind] ?? 0);
    }
    return { file: this.#file, rows };
  }

  #flush(kind: RecordKind): FilePage {
    const pending = this.#buffers.get(kind)!;
    this.#buffers.delete(kind);
    this.#sent[kind] = pending.lastRow;
    const position = this.position();
    return {
      page: pageOf(kind, pending.records),
      problems: this.#dueProblems(position),
      raw: {
        label: `${this.#location} rows ${pending.firstRow}-${pending.lastRow}`,
        contentType: 'text/csv; charset=utf-8',
        body: Buffer.from(pending.raws.join(''), 'utf8'),
      },
      position,
    };
  }

  /** Problems of rows whose records have all been sent, and the leading ones, once each. */
  #dueProblems(position: Position, upTo?: number): RecordProblem[] {
    const done = upTo ?? Math.min(...this.#kinds.map((kind) => position.rows[kind] ?? 0));
    const due = this.#leading.splice(0);
    const kept: RecordProblem[] = [];
    // Rows up to the resume point are not read again, so their problems are not found twice.
    for (const problem of this.#problems.splice(0)) {
      ((problem.row ?? 0) <= done ? due : kept).push(problem);
    }
    this.#problems.push(...kept);
    return due;
  }
}

function pageOf(kind: RecordKind, records: AnyRecord[]): PullPage {
  if (kind === 'pupils') return { kind, pupils: records as SourcePupil[] };
  if (kind === 'results') return { kind, results: records as SourceResult[] };
  return { kind, deletions: records as SourceDeletion[] };
}

function emptyPage(kind: RecordKind): PullPage {
  return pageOf(kind, []);
}
