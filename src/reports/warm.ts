import type { Executor } from '../db/index.ts';
import { currentCollection, reportCollections } from './collections.ts';
import { Report } from './report.ts';

/**
 * Counts the schools' kept report figures for the collection the console opens on, after syncs
 * have changed them, so that the trust's dashboard is ready when the runs end. Counts that are
 * still current are left as they are; the rest are counted together, a query for all the schools.
 */
export async function warmReports(executor: Executor, schoolIds: readonly string[], today: string) {
  if (schoolIds.length === 0) return;
  const collection = currentCollection(await reportCollections(executor), today);
  if (!collection) return;
  const report = await Report.open(executor, {
    schoolIds,
    collectionId: collection.id,
    today,
    // Thresholds and suppression are applied as a report is read, never kept.
    suppressionThreshold: 0,
    point: null,
  });
  await report.warm();
}
