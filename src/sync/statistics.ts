import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';

/**
 * After a run writes many rows, the planner's picture of the tables is refreshed at once rather
 * than when autovacuum next looks: a school's first sync can take its tables from empty to
 * thousands of rows, and a page planned on "empty" statistics nests loops that take seconds.
 */

const WRITTEN_TABLES = ['pupils', 'source_pupils', 'staged_results', 'assessments'] as const;

/** Rows a run may write before the statistics are refreshed. */
export const ANALYZE_AFTER_ROWS = 1000;

export interface WrittenCounts {
  pupilsNew: number;
  pupilsChanged: number;
  resultsNew: number;
  resultsChanged: number;
  resultsRetracted: number;
  resultsLanded: number;
}

export async function refreshStatistics(db: Db, counts: WrittenCounts): Promise<boolean> {
  const written =
    counts.pupilsNew +
    counts.pupilsChanged +
    counts.resultsNew +
    counts.resultsChanged +
    counts.resultsRetracted +
    counts.resultsLanded;
  if (written < ANALYZE_AFTER_ROWS) return false;
  for (const table of WRITTEN_TABLES) await db.execute(sql`analyze ${sql.identifier(table)}`);
  return true;
}
