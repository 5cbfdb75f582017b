import { z } from 'zod';
import type { Checkpoint } from '../contract.ts';

/**
 * Where an Assembly pull stands, saved after every page. A pull reads the pupils, then the
 * leavers, then the results, walking the students again for their ids because Assembly lists
 * results only for named students (`GET /results?students=...`).
 */
const checkpointSchema = z.object({
  v: z.literal(1),
  mode: z.enum(['full', 'incremental']),
  /** ISO time this run's deltas ask from (If-Modified-Since); null asks for everything. */
  since: z.string().nullable(),
  /** Assembly's clock (its Date header) when the run began: the next cursor is built on it. */
  startedAt: z.string().nullable(),
  phase: z.enum(['pupils', 'leavers', 'results', 'done']),
  /** The next page of the pupils or leavers list. */
  page: z.int().min(1),
  /** The page of student ids whose results are being read, and its ids once in hand. */
  studentPage: z.int().min(1),
  students: z.array(z.string()).nullable(),
  /** The next page of results for those students. */
  resultsPage: z.int().min(1),
  /** Totals Assembly gave on the first page of each walk, to notice a list that moved. */
  rosterTotal: z.int().nullable(),
  idTotal: z.int().nullable(),
  /** The roster changed while it was read: pupils may have been missed, so not complete. */
  rosterChanged: z.boolean(),
  leftEtag: z.string().nullable(),
});

export type AssemblyCheckpoint = z.infer<typeof checkpointSchema>;

const cursorSchema = z.object({
  v: z.literal(1),
  since: z.string(),
  leftEtag: z.string().nullable(),
});

/** What a successful pull leaves for the next incremental one. */
export type AssemblyCursor = z.infer<typeof cursorSchema>;

export function freshCheckpoint(
  mode: 'full' | 'incremental',
  cursor: AssemblyCursor | null,
): AssemblyCheckpoint {
  return {
    v: 1,
    mode,
    since: mode === 'incremental' ? (cursor?.since ?? null) : null,
    startedAt: null,
    phase: 'pupils',
    page: 1,
    studentPage: 1,
    students: null,
    resultsPage: 1,
    rosterTotal: null,
    idTotal: null,
    rosterChanged: false,
    leftEtag: mode === 'incremental' ? (cursor?.leftEtag ?? null) : null,
  };
}

export function readCheckpoint(saved: Checkpoint | null): AssemblyCheckpoint | null {
  if (!saved) return null;
  const parsed = checkpointSchema.safeParse(saved);
  return parsed.success ? parsed.data : null;
}

export function readCursor(saved: Checkpoint | null): AssemblyCursor | null {
  if (!saved) return null;
  const parsed = cursorSchema.safeParse(saved);
  return parsed.success ? parsed.data : null;
}

/** The cursor after a run: its start, less an overlap for clocks that disagree. */
export function cursorAfter(
  checkpoint: AssemblyCheckpoint,
  overlapSeconds: number,
  fallbackStart: string,
): AssemblyCursor {
  const started = Date.parse(checkpoint.startedAt ?? fallbackStart);
  return {
    v: 1,
    since: new Date(started - overlapSeconds * 1000).toISOString(),
    leftEtag: checkpoint.leftEtag,
  };
}
