import type { Executor } from '../db/index.ts';
import { currentCollection, reportCollections } from './collections.ts';
import { Report } from './report.ts';

/**
 * Counts a school's kept report figures for the collection the console opens on, after a sync
 * has changed them, so that the trust's dashboard is ready when the run ends. Counts that are
 * still current are left as they are.
 */
export async function warmReports(executor: Executor, schoolId: string, today: string) {
  const collection = currentCollection(await reportCollections(executor), today);
  if (!collection) return;
  const report = await Report.open(executor, {
    schoolIds: [schoolId],
    collectionId: collection.id,
    today,
    // Thresholds and suppression are applied as a report is read, never kept.
    suppressionThreshold: 0,
    point: null,
  });
  await report.warm();
}
