import { z } from 'zod';

/**
 * Where a pull is, as the engine stores it after every page, and what a successful pull leaves
 * for the next incremental one. Both are plain JSON with a version, so that a checkpoint from an
 * older release is recognised and set aside rather than misread.
 */

/** The resources whose changelogs an incremental pull reads, in this order. */
export const CHANGE_STEPS = [
  'students',
  'people',
  'upnAssignments',
  'senAssignments',
  'pupilPremium',
  'marks',
] as const;

export type ChangeStep = (typeof CHANGE_STEPS)[number];

const revision = z.int().min(0);
const revisions = z.partialRecord(z.enum(CHANGE_STEPS), revision);

export const fullCheckpointSchema = z.object({
  v: z.literal(1),
  mode: z.literal('full'),
  /** Students, then marks, then the deletions Arbor logged while the pull ran. */
  step: z.enum(['pupils', 'results', 'pupil-deletions', 'result-deletions']),
  /** The next page to read in this step. */
  page: z.int().min(0),
  /**
   * The highest revision on the first page read: every change made after that page was read
   * has a higher revision, so a changelog read from here misses nothing.
   */
  floor: revision.nullable(),
  notSubmitted: z.int().min(0),
  pupilsRemoved: z.int().min(0),
  marksRemoved: z.int().min(0),
});

export const changesCheckpointSchema = z.object({
  v: z.literal(1),
  mode: z.literal('incremental'),
  step: z.enum(CHANGE_STEPS),
  page: z.int().min(0),
  /** A page's deletions and its records are yielded apart; this says which is next. */
  part: z.enum(['deletions', 'records']),
  /** The revision each changelog is read from, fixed for the run so its pages stay put. */
  from: z.record(z.enum(CHANGE_STEPS), revision),
  /** The highest revision read so far in each changelog: the next cursor. */
  revisions: z.record(z.enum(CHANGE_STEPS), revision),
  notSubmitted: z.int().min(0),
  untraced: z.int().min(0),
});

export const cursorSchema = z.object({ v: z.literal(1), revisions });

export type FullCheckpoint = z.infer<typeof fullCheckpointSchema>;
export type ChangesCheckpoint = z.infer<typeof changesCheckpointSchema>;
export type Cursor = z.infer<typeof cursorSchema>;

const checkpointSchema = z.discriminatedUnion('mode', [
  fullCheckpointSchema,
  changesCheckpointSchema,
]);

export function readCheckpoint(value: unknown): FullCheckpoint | ChangesCheckpoint | null {
  const parsed = checkpointSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function freshFull(firstPage: number): FullCheckpoint {
  return {
    v: 1,
    mode: 'full',
    step: 'pupils',
    page: firstPage,
    floor: null,
    notSubmitted: 0,
    pupilsRemoved: 0,
    marksRemoved: 0,
  };
}

/**
 * Where an incremental pull starts from a cursor, or null when the cursor gives no revision.
 * A resource missing from an older cursor starts at the lowest revision it does give, which
 * re-reads some changes rather than miss any.
 */
export function changesFrom(cursor: unknown, firstPage: number): ChangesCheckpoint | null {
  const parsed = cursorSchema.safeParse(cursor);
  if (!parsed.success) return null;
  const known = Object.values(parsed.data.revisions).filter((r) => r !== undefined);
  if (known.length === 0) return null;
  const lowest = Math.min(...known);
  const from = Object.fromEntries(
    CHANGE_STEPS.map((step) => [step, parsed.data.revisions[step] ?? lowest]),
  ) as Record<ChangeStep, number>;
  return {
    v: 1,
    mode: 'incremental',
    step: CHANGE_STEPS[0],
    page: firstPage,
    part: 'deletions',
    from,
    revisions: { ...from },
    notSubmitted: 0,
    untraced: 0,
  };
}

/** The cursor a full pull leaves: every changelog to be read from its floor. */
export function cursorAfterFull(floor: number | null): Cursor {
  if (floor === null) return { v: 1, revisions: {} };
  return { v: 1, revisions: Object.fromEntries(CHANGE_STEPS.map((step) => [step, floor])) };
}
