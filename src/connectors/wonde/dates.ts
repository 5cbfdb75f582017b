import { isIsoDate } from '../../domain/iso-date.ts';

/**
 * Wonde writes times as PHP DateTime objects, `{date: "2025-01-14 02:05:11.000000",
 * timezone_type: 3, timezone: "UTC"}`, and dates of birth sometimes that way and sometimes as
 * plain "YYYY-MM-DD" strings (research 1.4). These read both.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

interface DateTimeObject {
  date: string;
  timezone_type?: unknown;
  timezone?: unknown;
}

const WALL_TIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/;
const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;
// timezone_type 2 gives an abbreviation; these are the ones a school in England produces.
const ABBREVIATIONS: Record<string, number> = { UTC: 0, GMT: 0, Z: 0, BST: 60 };

/** A calendar date, from a string or the date part of a DateTime object, as written. */
export function readDate(value: unknown): Parsed<string | null> {
  if (value === null || value === undefined || value === '') return { ok: true, value: null };
  const text = isDateTimeObject(value) ? value.date : value;
  if (typeof text !== 'string') return { ok: false, reason: 'is not a date' };

  // The date part is the school's calendar date: converting midnight in Europe/London to UTC
  // would move a summer birthday to the day before.
  const date = WALL_TIME.exec(text.trim())?.[1];
  if (!date || !isIsoDate(date)) return { ok: false, reason: `"${text}" is not a date` };
  return { ok: true, value: date };
}

/** An instant, as an ISO timestamp in UTC. */
export function readTimestamp(value: unknown): Parsed<string | null> {
  if (value === null || value === undefined || value === '') return { ok: true, value: null };
  if (isDateTimeObject(value)) return fromWallTime(value.date, zoneOf(value));
  if (typeof value !== 'string') return { ok: false, reason: 'is not a time' };

  // A string with its own offset ("…Z", "…+01:00") says which instant it is.
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(value.trim()) && value.includes('T')) {
    const time = Date.parse(value);
    if (Number.isNaN(time)) return { ok: false, reason: `"${value}" is not a time` };
    return { ok: true, value: new Date(time).toISOString() };
  }
  return fromWallTime(value, 'UTC');
}

/** Writes an instant the way `updated_after` is shown in Wonde's own client: "Y-m-d H:i:s". */
export function formatWallTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  const date = `${part('year')}-${part('month')}-${part('day')}`;
  return `${date} ${part('hour')}:${part('minute')}:${part('second')}`;
}

/** True for a zone name Intl knows, such as "UTC" or "Europe/London". */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function isDateTimeObject(value: unknown): value is DateTimeObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as DateTimeObject).date === 'string'
  );
}

function zoneOf(value: DateTimeObject): string {
  return typeof value.timezone === 'string' && value.timezone !== '' ? value.timezone : 'UTC';
}

function fromWallTime(text: string, zone: string): Parsed<string> {
  const match = WALL_TIME.exec(text.trim());
  if (!match || !isIsoDate(match[1]!)) return { ok: false, reason: `"${text}" is not a time` };

  const [, date, hour = '00', minute = '00', second = '00', fraction = '0'] = match;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    return { ok: false, reason: `"${text}" is not a time` };
  }
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const wallIso = `${date}T${hour}:${minute}:${second}.${millis}Z`;
  // Most of a school's times are written in UTC: they are already the instant.
  if (fixedOffset(zone) === 0) return { ok: true, value: wallIso };
  const wall = Date.parse(wallIso);
  const offset = offsetMinutes(zone, wall);
  if (offset === undefined) return { ok: false, reason: `the time zone "${zone}" is not known` };
  return { ok: true, value: new Date(wall - offset * 60_000).toISOString() };
}

// The zone's offset at a wall-clock time: measured once at the guess and again at the
// corrected instant, which settles the hour either side of a clock change.
function offsetMinutes(zone: string, wall: number): number | undefined {
  const fixed = fixedOffset(zone);
  if (fixed !== undefined) return fixed;
  if (!isTimeZone(zone)) return undefined;

  const first = zoneOffsetAt(zone, wall);
  return zoneOffsetAt(zone, wall - first * 60_000);
}

function fixedOffset(zone: string): number | undefined {
  const known = ABBREVIATIONS[zone.toUpperCase()];
  if (known !== undefined) return known;
  const match = OFFSET.exec(zone);
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

function zoneOffsetAt(zone: string, instant: number): number {
  const shown = formatWallTime(new Date(instant).toISOString(), zone);
  return Math.round((Date.parse(`${shown.replace(' ', 'T')}Z`) - instant) / 60_000);
}
