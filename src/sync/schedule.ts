import { Cron } from 'croner';

/**
 * A source's schedule: an interval ("every 24h", "every 30m") or a five-field cron expression
 * ("0 2 * * *": 02:00 every night, in the trust's time zone). Nightly with a weekly full pull is
 * the default, as Wonde advises.
 */

export const DEFAULT_SCHEDULE = '0 2 * * *';
export const DEFAULT_FULL_SCHEDULE = '0 3 * * 6';
export const TRUST_TIME_ZONE = 'Europe/London';

const INTERVAL = /^every\s+(\d+)\s*(m|min|minutes?|h|hours?|d|days?)$/i;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export type ScheduleCheck = { ok: true } | { ok: false; reason: string };

export function checkSchedule(text: string): ScheduleCheck {
  if (INTERVAL.test(text.trim())) return { ok: true };
  try {
    new Cron(text.trim(), { timezone: TRUST_TIME_ZONE, paused: true });
    return { ok: true };
  } catch {
    return {
      ok: false,
      reason:
        `"${text}" is not a schedule. Write an interval such as "every 6h" or "every 30m", or ` +
        'a cron expression such as "0 2 * * *" for 02:00 every night.',
    };
  }
}

/** The next time a schedule is due after `from`. */
export function nextDue(text: string, from: Date): Date {
  const interval = INTERVAL.exec(text.trim());
  if (interval) {
    const unit = interval[2]!.charAt(0).toLowerCase();
    return new Date(from.getTime() + Number(interval[1]) * UNIT_MS[unit]!);
  }
  const next = new Cron(text.trim(), { timezone: TRUST_TIME_ZONE, paused: true }).nextRun(from);
  if (!next) throw new Error(`schedule ${text} has no next run`);
  return next;
}
