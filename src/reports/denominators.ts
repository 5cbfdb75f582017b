import type { LeftOutCount, LeftOutReason, LeftOutRow } from './queries.ts';

/**
 * Who a figure leaves out, and why: nothing is excluded silently. A pupil on roll with no point
 * in a subject is left out of that subject's figures; a pupil not on roll on the collection's
 * day (left before it, or joined after it) is left out of every figure, even where a point
 * landed for them, and the list says so.
 */

export const LEFT_OUT_TEXT: Record<LeftOutReason, string> = {
  no_point: 'No landed point for this subject.',
  left: 'Left the school before the collection date.',
  joined_after: 'Joined the school after the collection date.',
};

export interface LeftOutTally {
  noPoint: number;
  left: number;
  joinedAfter: number;
  total: number;
}

/** Per subject, for one collection, over the schools in the counts. */
export function leftOutTallies(
  counts: readonly LeftOutCount[],
  collectionId: number,
  subjectIds: readonly number[],
  schoolId: string | null = null,
): Map<number, LeftOutTally> {
  const mine = counts.filter(
    (count) =>
      count.collection_id === collectionId && (schoolId === null || count.school_id === schoolId),
  );
  const notOnRoll = (reason: LeftOutReason) =>
    mine
      .filter((count) => count.subject_id === null && count.reason === reason)
      .reduce((sum, count) => sum + count.pupils, 0);
  const left = notOnRoll('left');
  const joinedAfter = notOnRoll('joined_after');
  return new Map(
    subjectIds.map((subjectId) => {
      const noPoint = mine
        .filter((count) => count.subject_id === subjectId)
        .reduce((sum, count) => sum + count.pupils, 0);
      return [subjectId, { noPoint, left, joinedAfter, total: noPoint + left + joinedAfter }];
    }),
  );
}

export interface LeftOutPupil {
  pupilId: string;
  name: string;
  upn: string | null;
  year: string;
  reason: LeftOutReason;
  /** The subjects with no point; empty for a pupil not on roll (left out of all). */
  subjectIds: number[];
  /** Not on roll on the day, with a point landed that is not counted. */
  hadPoint: boolean;
  /** When they left or joined. */
  on: string | null;
  /** Why no point landed, by subject, from reconciliation: a value no rule maps, say. */
  details: Record<number, string>;
}

/** The rows of one collection as one line per pupil and reason. */
export function leftOutList(rows: readonly LeftOutRow[], collectionId: number): LeftOutPupil[] {
  const byPupil = new Map<string, LeftOutPupil>();
  for (const row of rows) {
    if (row.collection_id !== collectionId) continue;
    const key = `${row.pupil_id}|${row.reason}`;
    const entry = byPupil.get(key) ?? {
      pupilId: row.pupil_id,
      name: `${row.first_name} ${row.last_name}`,
      upn: row.upn,
      year: row.year,
      reason: row.reason,
      subjectIds: [],
      hadPoint: row.had_point,
      on: row.on,
      details: {},
    };
    if (row.subject_id !== null) entry.subjectIds.push(row.subject_id);
    byPupil.set(key, entry);
  }
  return [...byPupil.values()];
}
