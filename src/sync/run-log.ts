import type { Executor } from '../db/index.ts';
import { syncRunEvents } from '../db/schema.ts';

/** A line in a run's own log: what a data lead reads in the console about this run. */
export interface RunEvent {
  level: 'info' | 'warn' | 'error';
  code: string;
  message: string;
}

export async function logRunEvent(executor: Executor, runId: string, event: RunEvent) {
  await executor.insert(syncRunEvents).values({ runId, ...event });
}
