import type { RecordProblem } from '../connectors/contract.ts';
import type { AcademicYearDates, CollectionResolution, TermKind } from '../domain/school-year.ts';

/** What staging needs to know about the run it is staging for. */
export interface StagingScope {
  runId: string;
  sourceId: string;
  schoolId: string;
  mode: 'full' | 'incremental';
  years: readonly AcademicYearDates[];
  /** Termly collection ids by `${startYear}:${term}`. */
  collections: ReadonlyMap<string, number>;
  /** Every result of the run lands here when set (a baseline upload, for example). */
  collectionOverride: number | null;
  /** The uploaded file a file source's run reads, which every problem of its pages is in. */
  fileName: string | null;
  /** The run's day (ISO): a date of birth after it is refused. */
  today: string;
  /**
   * The source's aspects as this run has written or read them, by key: a page whose aspects are
   * all here, unchanged, does not ask for them again. Emptied when a page fails, as what that
   * page wrote is gone.
   */
  aspects: Map<string, KnownAspect>;
  /** Whether the run's last results page changed under half its rows: see `stagePage`. */
  mostlyUnchanged: boolean;
  /**
   * The pages of the source's last full pull, by digest, while staging is still as that pull
   * left it (`keptPagesOf`): a page with one of these digests is as it was, and is not compared
   * row by row. Null once the run changes a staged result, and for a run that may not use them.
   */
  keptPages: KeptPages | null;
  /** Pages of results the run staged, and of those, how many were as the last full pull's. */
  resultPages: number;
  pagesAsBefore: number;
  /**
   * Where each period label and date of the run placed its results, by label and date: a
   * source gives the same few to thousands of results.
   */
  placements: Map<string, CollectionResolution>;
}

export interface KeptPages {
  runId: string;
  digests: ReadonlySet<string>;
}

export interface KnownAspect {
  id: number;
  name: string;
  gradeSet: string | null;
}

/** Counts a page adds to its run. */
export interface PageCounts {
  pupilsSeen: number;
  pupilsNew: number;
  pupilsChanged: number;
  resultsSeen: number;
  resultsNew: number;
  resultsChanged: number;
  resultsUnchanged: number;
  resultsRetracted: number;
  problems: RecordProblem[];
}

export function emptyCounts(): PageCounts {
  return {
    pupilsSeen: 0,
    pupilsNew: 0,
    pupilsChanged: 0,
    resultsSeen: 0,
    resultsNew: 0,
    resultsChanged: 0,
    resultsUnchanged: 0,
    resultsRetracted: 0,
    problems: [],
  };
}

export function collectionKey(startYear: number, term: TermKind): string {
  return `${startYear}:${term}`;
}
