import { z } from 'zod';
import type { Checkpoint } from '../contract.ts';

/**
 * Where a pull has got to. Pupils, results and leavers are lists read page by page; `next` is
 * the path and query of the page still to read (null: the phase starts at its first page).
 * The aspect and result-set catalogues are small and are read again whenever results resume.
 */
export const positionSchema = z.object({
  version: z.literal(1),
  schoolId: z.string(),
  mode: z.enum(['full', 'incremental']),
  /** The Wonde server's clock when the run began: the next run's delta starts there. */
  runStartedAt: z.iso.datetime(),
  /** The start of this run's delta (`updated_after`), or null to read everything. */
  since: z.iso.datetime().nullable(),
  phase: z.enum(['pupils', 'results', 'leavers', 'deletions', 'done']),
  next: z.string().nullable(),
  /** Which of the configured deletion types the deletions phase is on. */
  deletionType: z.int().min(0),
  /** Pupils yielded so far, over every attempt of this run. */
  pupilsSeen: z.int().min(0),
});

export type Position = z.infer<typeof positionSchema>;
export type Phase = Position['phase'];

/** What the next incremental pull starts from: the server's time when this one began. */
export const cursorSchema = z.object({
  version: z.literal(1),
  schoolId: z.string(),
  since: z.iso.datetime(),
});

export type WondeCursor = z.infer<typeof cursorSchema>;

export function readPosition(value: Checkpoint | null): Position | null {
  if (!value) return null;
  const parsed = positionSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function readCursor(value: Checkpoint | null): WondeCursor | null {
  if (!value) return null;
  const parsed = cursorSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
