import type { RecordProblem, SourceDeletion } from '../contract.ts';
import { readDate, readTimestamp } from './dates.ts';
import { describeStudent } from './pupils.ts';
import { included, isRecord, textOf } from './schemas.ts';

/** What the deletions phase has seen so far in this run. */
export interface DeletionTally {
  /** `upi`s already reported, so that a leaver logged twice is reported once. */
  reported: Set<string>;
  /** Entries of the deletion log that name no pupil we have read. */
  unmatched: number;
  /** Entries deleted while this run was reading, which may have moved a page. */
  duringRun: number;
}

export interface DeletionPage {
  deletions: SourceDeletion[];
  problems: RecordProblem[];
}

export function newTally(): DeletionTally {
  return { reported: new Set(), unmatched: 0, duringRun: 0 };
}

/**
 * Leavers, from `students-leaver`: Wonde moves a pupil there when the MIS records them leaving,
 * with the same `upi`. The time is the leaving date where the MIS gives one.
 */
export function translateLeavers(
  records: readonly unknown[],
  location: string,
  pupils: Map<string, string>,
  tally: DeletionTally,
): DeletionPage {
  const page: DeletionPage = { deletions: [], problems: [] };
  for (const record of records) {
    if (!isRecord(record)) continue;
    const upi = textOf(record.upi);
    if (!upi) {
      const who = describeStudent(record);
      page.problems.push({
        location,
        row: null,
        field: 'upi',
        code: 'wonde_student_no_upi',
        message: `${who} has left but has no upi, so cannot be matched to a pupil.`,
      });
      continue;
    }
    // The deletion log names students by Wonde id only; this lets it find leavers too.
    const wondeId = textOf(record.id);
    if (wondeId) pupils.set(wondeId, upi);
    if (tally.reported.has(upi)) continue;

    tally.reported.add(upi);
    page.deletions.push({ entity: 'pupil', externalId: upi, at: leftAt(record) });
  }
  return page;
}

/**
 * Entries of `deletions`: `{type, id, mis_id, deleted_at, restored_at}`. A restored entry is
 * a record that came back with the same MIS id, so it is not a deletion (research 1.8).
 */
export function translateDeletionLog(
  records: readonly unknown[],
  pupils: Map<string, string>,
  tally: DeletionTally,
  runStartedAt: string,
): DeletionPage {
  const page: DeletionPage = { deletions: [], problems: [] };
  for (const record of records) {
    if (!isRecord(record)) continue;
    const deletedAt = timestamp(record.deleted_at);
    const restoredAt = timestamp(record.restored_at);
    if (restoredAt && (!deletedAt || restoredAt >= deletedAt)) continue;
    if (deletedAt && deletedAt >= runStartedAt) tally.duringRun += 1;

    const wondeId = textOf(record.id);
    const upi = wondeId ? pupils.get(wondeId) : undefined;
    // A student deleted outright is gone from every list, so an incremental pull cannot learn
    // their upi: the entry is counted as unmatched, and the next complete full pull, which no
    // longer lists them, marks them as left.
    if (!upi) {
      tally.unmatched += 1;
      continue;
    }
    if (tally.reported.has(upi)) continue;
    tally.reported.add(upi);
    page.deletions.push({ entity: 'pupil', externalId: upi, at: deletedAt });
  }
  return page;
}

function leftAt(record: Record<string, unknown>): string | null {
  const leaving = readDate(included(record.education_details)?.leaving_date);
  if (leaving.ok && leaving.value) return `${leaving.value}T00:00:00.000Z`;
  return timestamp(record.updated_at);
}

function timestamp(value: unknown): string | null {
  const parsed = readTimestamp(value);
  return parsed.ok ? parsed.value : null;
}
