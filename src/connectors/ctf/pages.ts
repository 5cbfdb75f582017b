import { z } from 'zod';
import type { PulledPage, RecordProblem, SourcePupil, SourceResult } from '../contract.ts';
import type { PupilReading } from './pupil.ts';

/**
 * Cuts the pupils, as they are read, into pages: a pupils page, then the results of those
 * pupils, never more than `pageSize` records a page. Only one batch is held at a time.
 *
 * The checkpoint counts pupils in file order, unreadable ones included. A resumed pull skips the
 * pupils already read whole; of the batch that was under way, it skips the records and the
 * number of results already sent, so that nothing is sent twice and nothing is missed.
 */

export const ctfCheckpointSchema = z.object({
  /** Pupils whose record, problems and results were all sent. */
  pupilsRead: z.number().int().min(0),
  /** Of the pupils after those, how many had their record and problems sent... */
  pupilsSent: z.number().int().min(0),
  /** ...and how many of those pupils' results, in file order, were sent. */
  resultsSent: z.number().int().min(0),
  /** Problems with the file as a whole (a DTD, a cut-off end) that were sent. */
  fileProblemsSent: z.number().int().min(0),
  /** The file's size, so that a checkpoint is never applied to a different upload. */
  fileBytes: z.number().int().min(0),
});

export type CtfCheckpoint = z.infer<typeof ctfCheckpointSchema>;

export class Pager {
  readonly #pageSize: number;
  readonly #fileBytes: number;
  readonly #skip: CtfCheckpoint;
  #resultsToSkip: number;
  // The batch under way: pupils from `#start`, of which `#sent` have had their record sent.
  #start: number;
  #count = 0;
  #sent = 0;
  #resultsSent = 0;
  #pupils: SourcePupil[] = [];
  #problems: RecordProblem[] = [];
  #results: SourceResult[] = [];
  #fileProblemsSeen = 0;
  #fileProblemsQueued = 0;
  #fileProblemsSent: number;

  constructor(pageSize: number, fileBytes: number, resume: CtfCheckpoint | null) {
    this.#pageSize = pageSize;
    this.#fileBytes = fileBytes;
    this.#skip = resume ?? {
      pupilsRead: 0,
      pupilsSent: 0,
      resultsSent: 0,
      fileProblemsSent: 0,
      fileBytes,
    };
    this.#resultsToSkip = this.#skip.resultsSent;
    this.#start = this.#skip.pupilsRead;
    this.#fileProblemsSent = this.#skip.fileProblemsSent;
  }

  /** Pupils sent in an earlier attempt of this pull. */
  get resumedAfter(): number {
    return this.#skip.pupilsRead + this.#skip.pupilsSent;
  }

  *add(reading: PupilReading): Generator<PulledPage> {
    if (reading.index < this.#skip.pupilsRead) return;
    this.#count += 1;
    if (reading.index < this.resumedAfter) {
      this.#addSent(reading);
    } else {
      if (reading.pupil) this.#pupils.push(reading.pupil);
      this.#problems.push(...reading.problems);
      this.#results.push(...reading.results);
    }
    if (this.#isFull()) yield* this.#flush();
  }

  /** A problem with the file itself; it goes out with the next pupils page. */
  fileProblem(problem: RecordProblem): void {
    this.#fileProblemsSeen += 1;
    if (this.#fileProblemsSeen <= this.#skip.fileProblemsSent) return;
    this.#problems.push(problem);
    this.#fileProblemsQueued += 1;
  }

  *finish(): Generator<PulledPage> {
    yield* this.#flush();
  }

  // The record and problems went out before the pull stopped; some results may have, too.
  #addSent(reading: PupilReading): void {
    this.#sent += 1;
    const skipped = Math.min(this.#resultsToSkip, reading.results.length);
    this.#resultsToSkip -= skipped;
    this.#resultsSent += skipped;
    this.#results.push(...reading.results.slice(skipped));
  }

  #isFull(): boolean {
    return this.#count >= this.#pageSize || this.#results.length >= this.#pageSize;
  }

  *#flush(): Generator<PulledPage> {
    if (this.#pupils.length > 0 || this.#problems.length > 0) {
      const page = { kind: 'pupils' as const, pupils: this.#pupils };
      const problems = this.#problems;
      this.#pupils = [];
      this.#problems = [];
      this.#sent = this.#count;
      this.#fileProblemsSent += this.#fileProblemsQueued;
      this.#fileProblemsQueued = 0;
      if (this.#results.length === 0) this.#closeBatch();
      yield { page, problems, raw: null, checkpoint: this.#checkpoint() };
    }
    while (this.#results.length > 0) {
      const results = this.#results.splice(0, this.#pageSize);
      this.#resultsSent += results.length;
      if (this.#results.length === 0) this.#closeBatch();
      yield {
        page: { kind: 'results', results },
        problems: [],
        raw: null,
        checkpoint: this.#checkpoint(),
      };
    }
    this.#closeBatch();
  }

  #closeBatch(): void {
    this.#start += this.#count;
    this.#count = 0;
    this.#sent = 0;
    this.#resultsSent = 0;
  }

  #checkpoint(): CtfCheckpoint {
    return {
      pupilsRead: this.#start,
      pupilsSent: this.#sent,
      resultsSent: this.#resultsSent,
      fileProblemsSent: this.#fileProblemsSent,
      fileBytes: this.#fileBytes,
    };
  }
}
