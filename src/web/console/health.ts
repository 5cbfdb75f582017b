import type { Health, HealthState } from '../views/status.ts';
import type { RunState } from './queries.ts';

/**
 * Sync health from a source's runs: failing when its last finished run failed, stale when its
 * last good sync is more than eight days old (or it never had one), warning when the last run
 * succeeded with warnings or problems, healthy otherwise.
 */

const STALE_AFTER_MS = 8 * 86_400_000;

const SEVERITY: Record<HealthState, number> = { healthy: 0, warning: 1, stale: 2, failing: 3 };

export function sourceHealth(state: RunState, paused: boolean, now: Date): Health {
  const lastGoodAt = state.lastGood?.finishedAt ?? null;
  const syncing = state.latest !== null && isActive(state.latest.status);
  const base = { lastGoodAt, syncing, paused };
  const last = state.lastFinished;
  if (last?.status === 'failed') {
    return { ...base, state: 'failing', reason: last.message };
  }
  if (!lastGoodAt || now.getTime() - lastGoodAt.getTime() > STALE_AFTER_MS) {
    return {
      ...base,
      state: 'stale',
      reason: lastGoodAt ? 'No good sync for more than 8 days.' : 'No good sync yet.',
    };
  }
  if (last?.status === 'succeeded_with_warnings' || (last?.problems ?? 0) > 0) {
    return { ...base, state: 'warning', reason: last?.message ?? 'The last run had problems.' };
  }
  return { ...base, state: 'healthy', reason: null };
}

/** A school is as healthy as its least healthy source; its last good sync is its newest one. */
export function schoolHealth(healths: readonly Health[]): Health {
  if (healths.length === 0) {
    return {
      state: 'stale',
      lastGoodAt: null,
      syncing: false,
      paused: false,
      reason: 'No sources yet.',
    };
  }
  const worst = [...healths].sort((a, b) => SEVERITY[b.state] - SEVERITY[a.state])[0]!;
  const goods = healths
    .map((health) => health.lastGoodAt)
    .filter((at): at is Date => at !== null)
    .sort((a, b) => b.getTime() - a.getTime());
  return {
    ...worst,
    lastGoodAt: goods[0] ?? null,
    syncing: healths.some((health) => health.syncing),
    paused: false,
  };
}

export function isActive(status: string): boolean {
  return status === 'queued' || status === 'running' || status === 'interrupted';
}
