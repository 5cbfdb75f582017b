import { z } from 'zod';
import type { Checkpoint } from '../contract.ts';
import type { Position } from './paging.ts';

/**
 * Where a pull stands, and what the next incremental pull starts from. A pull reads pupils,
 * then results, then assessment results; within a phase the position is the listing's offset.
 * `startedAt` is the server's clock when the pull first began, kept across resumes: it becomes
 * the cursor, so nothing changed while the pull ran is missed by the next one.
 */

export const PHASES = ['pupils', 'results', 'assessmentResults', 'done'] as const;

export type Phase = (typeof PHASES)[number];

/** `delta` asks the server for changes only; `all` lists everything (changes found here). */
export type ListingKind = 'all' | 'delta';

export type PullCheckpoint = Position & {
  version: 1;
  mode: 'full' | 'incremental';
  startedAt: string | null;
  /** Lower bound of an incremental pull's changes; null for a full read. */
  since: string | null;
  phase: Phase;
  /** The query a started phase uses; a resumed phase must send the same one. */
  listing: ListingKind | null;
};

export type PullCursor = {
  version: 1;
  startedAt: string;
};

const checkpointSchema = z.object({
  version: z.literal(1),
  mode: z.enum(['full', 'incremental']),
  startedAt: z.iso.datetime().nullable(),
  since: z.iso.datetime().nullable(),
  phase: z.enum(PHASES),
  listing: z.enum(['all', 'delta']).nullable(),
  offset: z.number().int().min(0),
  total: z.number().int().min(0).nullable(),
  recentIds: z.array(z.string()).max(20_000),
});

const cursorSchema = z.object({ version: z.literal(1), startedAt: z.iso.datetime() });

export function readCheckpoint(value: Checkpoint | null): PullCheckpoint | null {
  if (value === null) return null;
  const parsed = checkpointSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function readCursor(value: Checkpoint | null): PullCursor | null {
  if (value === null) return null;
  const parsed = cursorSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function nextPhase(phase: Phase, assessments: boolean): Phase {
  if (phase === 'pupils') return 'results';
  if (phase === 'results') return assessments ? 'assessmentResults' : 'done';
  return 'done';
}
