import type { Readable } from 'node:stream';
import type { z } from 'zod';

/**
 * What every connector kind declares, and what the sync engine calls. A connector streams what a
 * school's system holds; it knows nothing of storage, runs or pages of the console.
 */

export type FailureCategory = 'auth' | 'config' | 'rate_limited' | 'transient' | 'bad_data';

/** A pupil as the source describes them, already translated out of its own field names. */
export interface SourcePupil {
  /** The source's stable id for the pupil (Wonde `upi`, Arbor id, OneRoster sourcedId...). */
  externalId: string;
  upn: string | null;
  formerUpn: string | null;
  firstName: string;
  lastName: string;
  /** ISO date. */
  dateOfBirth: string | null;
  sex: 'M' | 'F' | null;
  /** The year group as the source wrote it ("Year 4", "R", "X"); the engine parses it. */
  ncYear: string | null;
  senStatus: 'N' | 'K' | 'E' | null;
  disadvantaged: boolean | null;
  eal: boolean | null;
  onRollFrom: string | null;
  onRollTo: string | null;
}

export interface SourceAspect {
  /** The source's own id for the aspect, assessment or column. */
  key: string;
  name: string;
  /** The grade set or mark scheme the values come from, where the source names one. */
  gradeSet: string | null;
}

/** One assessment result, the local value exactly as the school wrote it. */
export interface SourceResult {
  /** Stable per source: a re-pull of the same result gives the same id. */
  externalId: string;
  pupilExternalId: string;
  aspect: SourceAspect;
  value: string;
  /** ISO date the assessment was made, where the source says. */
  assessedOn: string | null;
  /** The source's result-set, period or term label ("Y3 Spring", "Autumn 2025"). */
  periodLabel: string | null;
  /** ISO timestamp of the source's last change to this result. */
  modifiedAt: string | null;
}

export interface SourceDeletion {
  entity: 'pupil' | 'result';
  externalId: string;
  /** ISO timestamp, where the source reports one. */
  at: string | null;
}

/** A record the connector could not read: it names where it is and what to fix. */
export interface RecordProblem {
  /** File name, URL path or endpoint the record came from. */
  location: string;
  /** Spreadsheet or CSV row (1-based, as Excel numbers it), where there is one. */
  row: number | null;
  field: string | null;
  code: string;
  message: string;
}

/** The bytes a page was built from, kept so that a run can be replayed after a fix. */
export interface RawPayload {
  label: string;
  contentType: string;
  body: Buffer;
}

/** Where a pull has got to: opaque to the engine, stored after every page. */
export type Checkpoint = Record<string, unknown>;

export type PullPage =
  | { kind: 'pupils'; pupils: SourcePupil[] }
  | { kind: 'results'; results: SourceResult[] }
  | { kind: 'deletions'; deletions: SourceDeletion[] };

export interface PulledPage {
  page: PullPage;
  problems: RecordProblem[];
  raw: RawPayload | null;
  /** Resume point after this page; a resumed pull starts from here. */
  checkpoint: Checkpoint;
}

export interface PullSummary {
  /** A full pull that reached the end: only then may the engine mark missing pupils as left. */
  complete: boolean;
  /** Saved for the next incremental pull (delta cursors, ETags, last-modified times). */
  cursor: Checkpoint;
}

export interface PullEvent {
  level: 'info' | 'warn';
  code: string;
  message: string;
}

export interface UploadedFile {
  fileName: string;
  byteSize: number;
  open(): Readable;
}

export interface PullContext<Config, Secrets> {
  config: Config;
  secrets: Secrets;
  mode: 'full' | 'incremental';
  /** Where a failed run of this pull stopped, or null for a fresh start. */
  resumeFrom: Checkpoint | null;
  /** What the last successful pull left for the next incremental one. */
  cursor: Checkpoint | null;
  /** The uploaded file, for the file connectors. */
  file: UploadedFile | null;
  signal: AbortSignal;
  /** Writes to the run's own log, which users read in the console. */
  log(event: PullEvent): void;
}

/**
 * What a replay works from: the pages an earlier run of this source kept, read again after a fix
 * (a confirmed rule, a subject mapping) without asking the school's system.
 */
export interface ReplayContext<Config> {
  config: Config;
  /** The mode of the run being replayed. */
  mode: 'full' | 'incremental';
  /** The kept pages, in the order that run read them. */
  raw: AsyncIterable<RawPayload> | Iterable<RawPayload>;
  /** That run's last checkpoint: where its pull stood after its last page (its delta start). */
  checkpoint: Checkpoint | null;
  /** When that run began, for rules that depend on the day ("the SEN status current then"). */
  pulledAt: Date;
  signal: AbortSignal;
  log(event: PullEvent): void;
}

export interface CheckResult {
  ok: boolean;
  category: FailureCategory | null;
  /** What the user sees after pressing "check connection". */
  message: string;
  /** What the check could read, for example the school's name in the source. */
  details: Record<string, string>;
}

export interface CheckContext<Config, Secrets> {
  config: Config;
  secrets: Secrets;
  signal: AbortSignal;
}

export interface ConnectorKind<Config = unknown, Secrets = unknown> {
  kind: string;
  label: string;
  /** Pulled from an API on a schedule, or read from a file a person uploads. */
  transport: 'api' | 'file';
  configSchema: z.ZodType<Config>;
  /** Secret fields: encrypted at rest, write-only in forms, never logged. */
  secretsSchema: z.ZodType<Secrets>;
  check(ctx: CheckContext<Config, Secrets>): Promise<CheckResult>;
  /** Streams pages; its return value says whether the pull was complete. */
  pull(ctx: PullContext<Config, Secrets>): AsyncGenerator<PulledPage, PullSummary>;
  /**
   * Turns the kept pages of an earlier pull back into the pages that pull gave, through the same
   * translation, without a request to the school's system. The same pages give the same pages
   * in the same order, so a replay that stops part-way can skip those already staged. Its
   * summary says what the pages alone show; the engine also requires the replayed run to have
   * been complete before it marks anyone as left. API connectors only: a file connector reads
   * its kept file through `pull`.
   */
  replay?(ctx: ReplayContext<Config>): AsyncGenerator<PulledPage, PullSummary>;
}
