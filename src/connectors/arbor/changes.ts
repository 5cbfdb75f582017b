import type { PulledPage, PullPage, PullSummary, RecordProblem } from '../contract.ts';
import { CHANGE_STEPS, type ChangeStep, type ChangesCheckpoint } from './checkpoint.ts';
import type { Row } from './client.ts';
import { changelogPages, firstPage, listAll } from './paging.ts';
import { buildPupils } from './pupils.ts';
import { DELETIONS_NOTE } from './raw.ts';
import { hrefOf, isRow } from './records.ts';
import { buildResults } from './results.ts';
import { changeKind, deletedIn, type PullRun, pulled } from './run.ts';

/**
 * An incremental pull: each resource's changelog from the cursor's revision (research 2,
 * "Incremental sync"). A pupil's facts live on five resources, so a change to any of them
 * (the student, their person, a UPN, SEN or pupil premium record) re-reads that pupil whole;
 * changed marks are read as the changelog gives them, and deleted students and marks are
 * reported as deletions.
 */
export async function* pullChanges(
  run: PullRun,
  start: ChangesCheckpoint,
): AsyncGenerator<PulledPage, PullSummary> {
  let checkpoint = start;
  for (const step of CHANGE_STEPS.slice(CHANGE_STEPS.indexOf(start.step))) {
    if (step !== checkpoint.step) {
      checkpoint = { ...checkpoint, step, page: firstPage(run.config), part: 'deletions' };
    }
    checkpoint = yield* changesOf(run, checkpoint);
  }
  report(run, checkpoint);
  return { complete: false, cursor: { v: 1, revisions: checkpoint.revisions } };
}

interface Split {
  /** Records created or changed, newest state wanted. */
  changed: Row[];
  deleted: Row[];
  highest: number | null;
}

async function* changesOf(
  run: PullRun,
  start: ChangesCheckpoint,
): AsyncGenerator<PulledPage, ChangesCheckpoint> {
  const step = start.step;
  const path = run.config.resources[step];
  let checkpoint = start;
  for await (const batch of changelogPages(run, path, start.from[step], start.page)) {
    const removed = removedIn(step, batch.rows);
    if (checkpoint.part === 'deletions' && removed.length > 0) {
      checkpoint = { ...checkpoint, part: 'records' };
      // The records page after it is built from the same changelog page: it keeps it too.
      const raw = run.raw.share(DELETIONS_NOTE);
      yield pulled(run, { kind: 'deletions', deletions: removed }, [], checkpoint, raw);
    }

    const built = await changesIn(run, step, batch.rows);
    checkpoint = {
      ...checkpoint,
      page: batch.page + 1,
      part: 'deletions',
      revisions: {
        ...checkpoint.revisions,
        [step]: Math.max(checkpoint.revisions[step], built.highest ?? 0),
      },
      notSubmitted: checkpoint.notSubmitted + built.notSubmitted,
      untraced: checkpoint.untraced + built.untraced,
    };
    if (built.page === null) run.raw.drop();
    else yield pulled(run, built.page, built.problems, checkpoint);
  }
  return checkpoint;
}

export interface ChangedPage {
  page: PullPage | null;
  problems: RecordProblem[];
  notSubmitted: number;
  untraced: number;
  /** The highest revision of the changelog page. */
  highest: number | null;
}

/** The pupils or marks removed in a page of a changelog, for the students and the marks. */
export function removedIn(step: ChangeStep, rows: readonly Row[]) {
  if (step === 'students') return deletedIn(rows, 'pupil');
  if (step === 'marks') return deletedIn(rows, 'result');
  return [];
}

/** The records a page of a changelog changed, as a page for the engine; a replay shares it. */
export async function changesIn(
  run: PullRun,
  step: ChangeStep,
  rows: readonly Row[],
): Promise<ChangedPage> {
  const split = splitChanges(rows);
  const built =
    step === 'marks' ? await changedMarks(run, split) : await changedPupils(run, step, split);
  return { ...built, highest: split.highest };
}

type Changed = Omit<ChangedPage, 'highest'>;

async function changedPupils(run: PullRun, step: ChangeStep, split: Split): Promise<Changed> {
  const { students, untraced } = await studentsBehind(run, step, split);
  if (students.length === 0) return { page: null, problems: [], notSubmitted: 0, untraced };
  const built = await buildPupils(run, students);
  return {
    page: { kind: 'pupils', pupils: built.records },
    problems: built.problems,
    notSubmitted: 0,
    untraced,
  };
}

// A changed record arrives as it was at that revision; a later change to it is further on in
// the changelog and is read in its turn, so the newest state wins. Only a bare one is fetched.
async function changedMarks(run: PullRun, split: Split): Promise<Changed> {
  if (split.changed.length === 0) return { page: null, problems: [], notSubmitted: 0, untraced: 0 };
  const built = await buildResults(run, split.changed);
  return {
    page: { kind: 'results', results: built.records },
    problems: built.problems,
    notSubmitted: built.notSubmitted,
    untraced: 0,
  };
}

/** The students whose facts these changes touched. */
async function studentsBehind(run: PullRun, step: ChangeStep, split: Split) {
  if (step === 'students') return { students: split.changed, untraced: 0 };
  if (step === 'people') {
    return { students: await studentsOfPeople(run, split.changed), untraced: 0 };
  }

  // A UPN, SEN or pupil premium record names its student; a bare one is fetched to find out,
  // and a deleted bare one cannot be traced at all. The student is read as it is now.
  const records = [...split.changed, ...split.deleted];
  const whole = await run.resolver.resolveAll(records, ['student'], false);
  const owners = whole.map((record) => hrefOf(record?.student));
  const untraced = owners.filter((owner) => owner === null).length;
  return { students: await run.resolver.fetchAll(distinct(owners)), untraced };
}

async function studentsOfPeople(run: PullRun, people: readonly Row[]): Promise<Row[]> {
  const hrefs = distinct(people.map(hrefOf));
  const { chunkSize, separator } = run.config.join;
  const students: Row[] = [];
  for (let start = 0; start < hrefs.length; start += chunkSize) {
    const chunk = hrefs.slice(start, start + chunkSize).join(separator);
    students.push(
      ...(await listAll(run, run.config.resources.students, { 'filters.person.in': chunk })),
    );
  }
  return students;
}

function splitChanges(rows: readonly Row[]): Split {
  const changed = new Map<string, Row>();
  const deleted: Row[] = [];
  let highest: number | null = null;
  for (const row of rows) {
    const revision = Number(row.toRevision);
    if (Number.isFinite(revision) && (highest === null || revision > highest)) highest = revision;
    const record = row.changedObject;
    const kind = changeKind(row.changeType);
    if (!isRow(record) || kind === null) continue;
    const href = hrefOf(record) ?? '';
    if (kind === 'delete') {
      changed.delete(href);
      deleted.push(record);
    } else {
      changed.set(href, record);
    }
  }
  return { changed: [...changed.values()], deleted, highest };
}

function distinct(hrefs: readonly (string | null)[]): string[] {
  return [...new Set(hrefs.filter((href): href is string => href !== null))];
}

/** What an incremental pull says at its end; a replay says it again. */
export function report(
  run: PullRun,
  checkpoint: Pick<ChangesCheckpoint, 'notSubmitted' | 'untraced'>,
): void {
  if (checkpoint.notSubmitted > 0) {
    run.log({
      level: 'info',
      code: 'marks_not_submitted',
      message: `Left out ${checkpoint.notSubmitted} changed Arbor marks that have no grade.`,
    });
  }
  if (checkpoint.untraced > 0) {
    run.log({
      level: 'warn',
      code: 'changes_untraced',
      message:
        `${checkpoint.untraced} removed UPN, SEN or pupil premium records could not be traced ` +
        'to a pupil, because Arbor no longer has them. The next full pull corrects those pupils.',
    });
  }
}
