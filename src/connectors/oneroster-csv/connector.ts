import type {
  CheckResult,
  ConnectorKind,
  PullContext,
  PullEvent,
  PulledPage,
  PullSummary,
  RecordProblem,
} from '../contract.ts';
import {
  type OneRosterCsvConfig,
  type OneRosterCsvSecrets,
  oneRosterCsvConfigSchema,
  oneRosterCsvSecretsSchema,
} from './config.ts';
import { OneRosterZipError } from './errors.ts';
import type { ReadFile } from './headers.ts';
import { type Lookups, loadLookups } from './lookups.ts';
import { type Manifest, readManifest } from './manifest.ts';
import {
  type Checkpoint,
  type FilePage,
  FilePager,
  type Outcome,
  type RecordKind,
} from './pages.ts';
import { readUser, type UserTally } from './pupils.ts';
import { type ResultTally, readResult } from './results.ts';
import { Table, type TableRow, type TableSettings } from './table.ts';
import { type OpenedZip, openZip } from './zip.ts';

type Context = PullContext<OneRosterCsvConfig, OneRosterCsvSecrets>;

/** The files that give pages, in the order they are read; the rest are looked up. */
const STREAMED = ['users', 'results', 'assessmentResults'] as const satisfies ReadFile[];
type Streamed = (typeof STREAMED)[number];

const KINDS: Record<Streamed, readonly RecordKind[]> = {
  users: ['pupils', 'deletions'],
  results: ['results', 'deletions'],
  assessmentResults: ['results', 'deletions'],
};

/** A OneRoster 1.1 or 1.2 CSV package, bulk or delta, as a school's system exports it. */
export const oneRosterCsvConnector: ConnectorKind<OneRosterCsvConfig, OneRosterCsvSecrets> = {
  kind: 'oneroster_csv',
  label: 'OneRoster CSV export (zip, 1.1 or 1.2)',
  transport: 'file',
  configSchema: oneRosterCsvConfigSchema,
  secretsSchema: oneRosterCsvSecretsSchema,
  check,
  pull,
};

async function check(): Promise<CheckResult> {
  return {
    ok: true,
    category: null,
    message:
      'A OneRoster export needs no connection: the school uploads the zip its system exports, ' +
      'and the zip is checked when it is read.',
    details: {},
  };
}

/**
 * Reads the zip as its manifest describes it: the small files first, into maps, then users.csv
 * and the results files a page at a time. A resumed pull reads the same upload again and
 * passes over what its checkpoint says was sent.
 */
async function* pull(ctx: Context): AsyncGenerator<PulledPage, PullSummary> {
  if (!ctx.file) throw noUpload();
  const zip = await openZip(ctx.file, ctx.config.limits, ctx.signal);
  try {
    const manifest = await readManifest(zip);
    const resume = resumePoint(ctx, zip);
    const settings: TableSettings = { zip, version: manifest.version, config: ctx.config };
    const leading: RecordProblem[] = [];
    const events: PullEvent[] = [];
    const lookups = await loadLookups(settings, manifest, leading, events);
    if (resume) leading.length = 0;
    else {
      leading.unshift(...zip.refused, ...manifest.problems);
      for (const event of [...manifest.events, ...events]) ctx.log(event);
    }

    const run: RunState = {
      ctx,
      zip,
      manifest,
      settings,
      lookups,
      leading,
      partial: resume?.partial === true || !isWhole(zip, manifest, lookups.complete),
    };
    const start = resume ? startIndex(resume) : 0;
    for (const file of STREAMED.slice(start)) yield* streamFile(run, file, resume);
    if (leading.length > 0) yield leftovers(run);
    return summary(run);
  } finally {
    zip.close();
  }
}

interface RunState {
  ctx: Context;
  zip: OpenedZip;
  manifest: Manifest;
  settings: TableSettings;
  lookups: Lookups;
  leading: RecordProblem[];
  partial: boolean;
}

async function* streamFile(
  run: RunState,
  file: Streamed,
  resume: Checkpoint | null,
): AsyncGenerator<PulledPage> {
  const mode = run.manifest.modes.get(file);
  if (!mode) return;
  const problems: RecordProblem[] = [];
  const table = new Table(run.settings, file, mode, problems);
  const pager = new FilePager({
    file,
    location: table.location,
    kinds: KINDS[file],
    pageSize: run.ctx.config.pageSize,
    resume,
    problems,
    leading: run.leading,
  });
  const read = reader(run, table);

  for await (const row of table.rows(pager.resumedAfter)) {
    pager.reached(row.row);
    const before = problems.length;
    const outcome = read.row(row);
    // A row left out for a problem is a pupil or result the engine must not take as gone.
    if (!outcome && problems.length > before) run.partial = true;
    if (!outcome) continue;
    const page = pager.add(outcome, row.row, row.raw, table.header);
    if (page) yield await send(run, page);
  }
  if (!table.complete || read.leftOut()) run.partial = true;
  for (const page of pager.finish()) yield await send(run, page);
  for (const event of read.events()) run.ctx.log(event);
}

interface RowReader {
  row(row: TableRow): Outcome | null;
  /** Whether a row was left out for a problem reported in another file (roles.csv). */
  leftOut(): boolean;
  events(): PullEvent[];
}

function reader(run: RunState, table: Table): RowReader {
  const { lookups } = run;
  if (table.file === 'users') {
    const tally: UserTally = {
      staff: 0,
      byUpn: 0,
      noRole: 0,
      unreadableRole: 0,
      noDemographics: 0,
    };
    const scope = { table, lookups, fields: run.ctx.config.pupilFields, tally };
    return {
      row: (row) => readUser(scope, row),
      leftOut: () => tally.unreadableRole > 0,
      events: () => userEvents(table, tally),
    };
  }
  const tally: ResultTally = { unscored: 0, unplacedLineItems: new Set() };
  const scope = { table, lookups, aspectFrom: run.ctx.config.aspectFrom, tally };
  return {
    row: (row) => readResult(scope, row),
    leftOut: () => false,
    events: () => resultEvents(table, tally),
  };
}

/** Stops between pages when the run is asked to; the page itself is whole. */
async function send(run: RunState, page: FilePage): Promise<PulledPage> {
  if (run.ctx.signal.aborted) {
    throw new OneRosterZipError(
      'aborted',
      run.zip.name,
      `Reading "${run.zip.name}" was stopped before it ended; it resumes from its last page.`,
    );
  }
  const { position, ...pulled } = page;
  return { ...pulled, checkpoint: checkpointOf(run, position) };
}

function checkpointOf(run: RunState, position: FilePage['position']): Checkpoint {
  return { zip: run.zip.sha256, partial: run.partial, ...position };
}

/** Problems with the package itself, when no file gave a page to carry them. */
function leftovers(run: RunState): PulledPage {
  return {
    page: { kind: 'pupils', pupils: [] },
    problems: run.leading.splice(0),
    raw: null,
    checkpoint: checkpointOf(run, { file: 'end', rows: {} }),
  };
}

/** Complete only for a bulk package that was read whole (the contract's full pull). */
function summary(run: RunState): PullSummary {
  const bulkUsers = run.manifest.modes.get('users') === 'bulk';
  return {
    complete: run.ctx.mode === 'full' && bulkUsers && !run.partial,
    cursor: {
      zip: run.zip.sha256,
      version: run.manifest.version,
      modes: Object.fromEntries(run.manifest.modes),
    },
  };
}

function isWhole(zip: OpenedZip, manifest: Manifest, lookupsComplete: boolean): boolean {
  const anyDelta = [...manifest.modes.values()].includes('delta');
  return zip.refused.length === 0 && manifest.missing.length === 0 && lookupsComplete && !anyDelta;
}

function startIndex(resume: Checkpoint): number {
  if (resume.file === 'end') return STREAMED.length;
  return STREAMED.indexOf(resume.file as Streamed) + (resume.done === true ? 1 : 0);
}

/** The checkpoint to resume from, if it is for this very upload. */
function resumePoint(ctx: Context, zip: OpenedZip): Checkpoint | null {
  const from = ctx.resumeFrom;
  if (!from) return null;
  const known =
    typeof from.file === 'string' && (STREAMED as readonly string[]).includes(from.file);
  if (from.zip === zip.sha256 && (known || from.file === 'end'))
    return from as unknown as Checkpoint;
  ctx.log({
    level: 'warn',
    code: 'resume_ignored',
    message:
      `The saved place to resume from is not for "${zip.name}", so the whole zip is read ` +
      'again from the start.',
  });
  return null;
}

function userEvents(table: Table, tally: UserTally): PullEvent[] {
  const where = table.location;
  const events: PullEvent[] = [];
  if (tally.staff > 0) {
    const message =
      `${where}: ${tally.staff} users are not pupils (teachers, parents and other ` +
      'roles) and were passed over.';
    events.push({ level: 'info', code: 'users_not_pupils', message });
  }
  if (tally.byUpn > 0) {
    const message =
      `${where}: ${tally.byUpn} users have no row in roles.csv; they carry a UPN, so ` +
      'they were read as pupils.';
    events.push({ level: 'info', code: 'pupils_by_upn', message });
  }
  if (tally.noRole > 0) {
    const message =
      `${where}: ${tally.noRole} users have no role in roles.csv and no UPN, so they ` +
      'were passed over. If they are pupils, export roles.csv with the users.';
    events.push({ level: 'warn', code: 'users_without_role', message });
  }
  if (tally.noDemographics > 0) {
    const message =
      `${where}: ${tally.noDemographics} changed pupils have no row in this delta's ` +
      'demographics.csv, so their date of birth and sex were sent blank. Export demographics ' +
      'with the users they change.';
    events.push({ level: 'warn', code: 'delta_without_demographics', message });
  }
  return events;
}

function resultEvents(table: Table, tally: ResultTally): PullEvent[] {
  const where = table.location;
  const events: PullEvent[] = [];
  if (tally.unscored > 0) {
    const message = `${where}: ${tally.unscored} results have no score yet and were passed over.`;
    events.push({ level: 'info', code: 'results_unscored', message });
  }
  if (tally.unplacedLineItems.size > 0) {
    const message =
      `${where}: ${tally.unplacedLineItems.size} line items name an academic session ` +
      'that is not in academicSessions.csv, so their results carry no term and are placed ' +
      'by their score date.';
    events.push({ level: 'warn', code: 'sessions_unknown', message });
  }
  return events;
}

function noUpload(): OneRosterZipError {
  return new OneRosterZipError(
    'upload_missing',
    'upload',
    'No OneRoster zip has been uploaded for this run (it may have passed its retention ' +
      "period). Upload the school's export again.",
  );
}
