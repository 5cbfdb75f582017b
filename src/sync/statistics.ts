import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { rows } from '../db/rows.ts';

/**
 * The planner's picture of the tables a sync writes, kept true for each school as it arrives.
 * A school's first sync takes its rows from none to thousands; planned on statistics that have
 * never seen that school, its pages and its landing nest loops over thousands of rows and take
 * seconds. So after a run that writes many rows, each table whose statistics do not yet know the
 * school (it is not among the table's most common schools or sources) is analysed at once, on
 * the columns its queries filter and join on, rather than when autovacuum next looks. A school
 * the statistics already know is left to autovacuum: its next run costs nothing here.
 */

/** Rows a run may write before the statistics are looked at. */
export const ANALYZE_AFTER_ROWS = 1000;

interface Watched {
  /** The column that says whose a row is, and so which value the statistics must know. */
  key: 'school_id' | 'source_id';
  columns: string[];
}

const STAGING: Record<string, Watched> = {
  pupils: { key: 'school_id', columns: ['school_id', 'nc_year', 'left_at', 'date_of_birth'] },
  source_pupils: { key: 'source_id', columns: ['source_id', 'pupil_id', 'removed_at'] },
  staged_results: {
    key: 'school_id',
    columns: ['school_id', 'source_id', 'collection_id', 'aspect_id', 'pending', 'retracted_at'],
  },
};

const LANDED: Record<string, Watched> = {
  assessments: {
    key: 'school_id',
    columns: ['school_id', 'collection_id', 'subject_id', 'pupil_id', 'source_id'],
  },
};

export interface WrittenCounts {
  schoolId: string;
  sourceId: string;
  pupilsNew: number;
  pupilsChanged: number;
  resultsNew: number;
  resultsChanged: number;
  resultsRetracted: number;
  resultsLanded: number;
}

export type StatisticsStage = 'staged' | 'landed';

/**
 * Before landing (`staged`: pupils, links and staged results, which landing reads) or after it
 * (`landed`: the points the reports read). Returns the tables analysed.
 */
export async function refreshStatistics(
  db: Db,
  counts: WrittenCounts,
  stage: StatisticsStage,
): Promise<string[]> {
  const written =
    counts.pupilsNew +
    counts.pupilsChanged +
    counts.resultsNew +
    counts.resultsChanged +
    counts.resultsRetracted +
    counts.resultsLanded;
  if (written < ANALYZE_AFTER_ROWS) return [];
  const analysed: string[] = [];
  for (const [table, watched] of Object.entries(stage === 'staged' ? STAGING : LANDED)) {
    const value = watched.key === 'school_id' ? counts.schoolId : counts.sourceId;
    if (await statisticsKnow(db, table, watched.key, value)) continue;
    const columns = sql.join(
      watched.columns.map((column) => sql.identifier(column)),
      sql`, `,
    );
    await db.execute(sql`analyze ${sql.identifier(table)} (${columns})`);
    analysed.push(table);
  }
  return analysed;
}

async function statisticsKnow(db: Db, table: string, column: string, value: string) {
  const [known] = await rows<{ known: boolean }>(
    db,
    sql`
    select coalesce(bool_or(${value} = any(most_common_vals::text::text[])), false) as known
    from pg_stats
    where schemaname = current_schema() and tablename = ${table} and attname = ${column}`,
  );
  return known?.known ?? false;
}
