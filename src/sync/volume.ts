import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import type { Tx } from '../db/index.ts';
import { syncRuns } from '../db/schema.ts';
import type { SyncRun } from './runs.ts';

/**
 * False success is the failure users of sync tools fear most: a pull that "succeeds" with nothing
 * in it because a permission was withdrawn. A full pull that brings far fewer pupils or results
 * than the source's recent full pulls ends as a warning that names the drop, and is not believed
 * about what is missing: nothing it left out is withdrawn or marked as left on its word.
 */

const COMPARED_RUNS = 5;
/** Below this share of the recent median, the drop is named. */
const DROP_SHARE = 0.5;
/** Sources this small swing too much to judge. */
const MIN_MEDIAN = 20;

export interface VolumeCheck {
  warnings: string[];
  resultsDropped: boolean;
  pupilsDropped: boolean;
}

export async function checkVolume(tx: Tx, run: SyncRun): Promise<VolumeCheck> {
  const check: VolumeCheck = { warnings: [], resultsDropped: false, pupilsDropped: false };
  if (run.mode !== 'full') return check;
  const previous = await tx
    .select({ pupils: syncRuns.pupilsSeen, results: syncRuns.resultsSeen })
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.sourceId, run.sourceId),
        eq(syncRuns.mode, 'full'),
        ne(syncRuns.id, run.id),
        inArray(syncRuns.status, ['succeeded', 'succeeded_with_warnings']),
      ),
    )
    .orderBy(desc(syncRuns.finishedAt))
    .limit(COMPARED_RUNS);
  if (previous.length === 0) return check;

  const results = median(previous.map((p) => p.results));
  if (dropped(run.resultsSeen, results)) {
    check.resultsDropped = true;
    check.warnings.push(
      `This full pull brought ${run.resultsSeen} results where the last ${previous.length} ` +
        `brought about ${results}. Check that the school's system still shares assessment ` +
        'data with the trust (a permission or an assessment may have been removed). Results ' +
        'it did not bring keep their points.',
    );
  }
  const pupils = median(previous.map((p) => p.pupils));
  if (dropped(run.pupilsSeen, pupils)) {
    check.pupilsDropped = true;
    check.warnings.push(
      `This full pull brought ${run.pupilsSeen} pupils where the last ${previous.length} ` +
        `brought about ${pupils}. Check the school's roll in its own system before trusting ` +
        'the figures. Pupils it did not bring were not marked as left.',
    );
  }
  return check;
}

function dropped(now: number, usual: number) {
  return usual >= MIN_MEDIAN && now < usual * DROP_SHARE;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}
