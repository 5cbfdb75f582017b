import type { PulledPage, PullSummary } from '../contract.ts';
import { cursorAfterFull, type FullCheckpoint } from './checkpoint.ts';
import type { Query } from './client.ts';
import { changelogPages, firstPage, listingPages } from './paging.ts';
import { buildPupils } from './pupils.ts';
import { DELETIONS_NOTE } from './raw.ts';
import { buildResults } from './results.ts';
import { deletedIn, type PullRun, pulled } from './run.ts';

/**
 * A full pull: every student page by page, then every mark, then the changelogs of both from
 * the pull's floor revision. Page-number paging shifts when a record is deleted from a page
 * already read, so a later record is skipped; the changelog shows whether that can have
 * happened, and if it can the pull is not reported complete, so that no pupil it missed is
 * marked as left.
 */
export async function* pullEverything(
  run: PullRun,
  start: FullCheckpoint,
): AsyncGenerator<PulledPage, PullSummary> {
  let checkpoint = start;
  if (checkpoint.step === 'pupils') checkpoint = yield* pupilPages(run, checkpoint);
  if (checkpoint.step === 'results') checkpoint = yield* resultPages(run, checkpoint);
  if (checkpoint.step === 'pupil-deletions') checkpoint = yield* deletions(run, checkpoint);
  if (checkpoint.step === 'result-deletions') checkpoint = yield* deletions(run, checkpoint);
  return summarise(run, checkpoint);
}

async function* pupilPages(
  run: PullRun,
  start: FullCheckpoint,
): AsyncGenerator<PulledPage, FullCheckpoint> {
  let checkpoint = start;
  const path = run.config.resources.students;
  for await (const batch of listingPages(run, path, {}, start.page)) {
    const built = await buildPupils(run, batch.rows);
    checkpoint = withFloor(checkpoint, built.revision);
    checkpoint = { ...checkpoint, page: batch.page + 1 };
    if (nothingIn(run, built)) run.raw.drop();
    else yield pulled(run, { kind: 'pupils', pupils: built.records }, built.problems, checkpoint);
  }
  return { ...checkpoint, step: 'results', page: firstPage(run.config) };
}

async function* resultPages(
  run: PullRun,
  start: FullCheckpoint,
): AsyncGenerator<PulledPage, FullCheckpoint> {
  let checkpoint = start;
  const path = run.config.resources.marks;
  for await (const batch of listingPages(run, path, markFilters(run), start.page)) {
    const built = await buildResults(run, batch.rows);
    checkpoint = withFloor(checkpoint, built.revision);
    checkpoint = {
      ...checkpoint,
      page: batch.page + 1,
      notSubmitted: checkpoint.notSubmitted + built.notSubmitted,
    };
    if (nothingIn(run, built)) run.raw.drop();
    else yield pulled(run, { kind: 'results', results: built.records }, built.problems, checkpoint);
  }
  return { ...checkpoint, step: 'pupil-deletions', page: firstPage(run.config) };
}

function markFilters(run: PullRun): Query {
  const { resultsFrom, assessmentIds, join } = run.config;
  const assessments = assessmentIds?.map((id) => `/rest-v2/assessments/${id}`);
  return {
    'filters.assessmentDate.from': resultsFrom,
    'filters.assessment.in': assessments?.join(join.separator),
  };
}

async function* deletions(
  run: PullRun,
  start: FullCheckpoint,
): AsyncGenerator<PulledPage, FullCheckpoint> {
  const pupils = start.step === 'pupil-deletions';
  const { resources } = run.config;
  const path = pupils ? resources.students : resources.marks;
  let checkpoint = start;
  const pages = start.floor === null ? [] : changelogPages(run, path, start.floor, start.page);
  for await (const batch of pages) {
    const found = deletedIn(batch.rows, pupils ? 'pupil' : 'result');
    checkpoint = {
      ...checkpoint,
      page: batch.page + 1,
      pupilsRemoved: checkpoint.pupilsRemoved + (pupils ? found.length : 0),
      marksRemoved: checkpoint.marksRemoved + (pupils ? 0 : found.length),
    };
    if (found.length === 0) run.raw.drop();
    else {
      const raw = run.raw.take(DELETIONS_NOTE);
      yield pulled(run, { kind: 'deletions', deletions: found }, [], checkpoint, raw);
    }
  }
  if (!pupils) return checkpoint;
  return { ...checkpoint, step: 'result-deletions', page: firstPage(run.config) };
}

/**
 * A page that gave nothing is not passed on, unless it read more than its listing: a grade or
 * assessment it fetched is then held for the pages after it, and a replay needs its answer.
 */
function nothingIn(run: PullRun, built: { records: unknown[]; problems: unknown[] }): boolean {
  return built.records.length === 0 && built.problems.length === 0 && run.raw.size <= 1;
}

// The floor is taken from the first page read, and only from it: see FullCheckpoint.
function withFloor(checkpoint: FullCheckpoint, revision: number | null): FullCheckpoint {
  if (checkpoint.floor !== null || revision === null) return checkpoint;
  return { ...checkpoint, floor: revision };
}

/** What a full pull says at its end, from its checkpoint; a replay says it again. */
export function summarise(run: PullRun, checkpoint: FullCheckpoint): PullSummary {
  if (checkpoint.notSubmitted > 0) {
    run.log({
      level: 'info',
      code: 'marks_not_submitted',
      message:
        `Left out ${checkpoint.notSubmitted} Arbor marks that have no grade ` +
        '(not submitted, or left blank).',
    });
  }
  if (checkpoint.pupilsRemoved > 0) {
    run.log({
      level: 'warn',
      code: 'pupils_removed_during_pull',
      message:
        `${checkpoint.pupilsRemoved} pupils were removed in Arbor while this pull ran (or just ` +
        'before). That moves later pupils from page to page, so one may have been missed: ' +
        'this pull is not counted as complete and no pupil is marked as left. The next full ' +
        'pull puts it right.',
    });
  }
  if (checkpoint.marksRemoved > 0) {
    run.log({
      level: 'warn',
      code: 'marks_removed_during_pull',
      message:
        `${checkpoint.marksRemoved} marks were removed in Arbor while this pull ran (or just ` +
        'before), so a mark may have been missed; the next full pull reads it.',
    });
  }
  return {
    complete: checkpoint.pupilsRemoved === 0,
    cursor: cursorAfterFull(checkpoint.floor),
  };
}
