import { isIsoDate } from '../../domain/iso-date.ts';

/**
 * Arbor writes dates as `Y-m-d` and datetimes as `Y-m-d H:i:s` (research 2, "Filters"), in the
 * school's own time: a UK school's, so Europe/London. A value can be missing (null) or present
 * and unreadable, which a caller reports as a problem.
 */
export type Parsed = { ok: true; value: string | null } | { ok: false };

const DATE_PREFIX = /^(\d{4}-\d{2}-\d{2})(?:$|[ T])/;
const LOCAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?$/;
const ZONED = /(Z|[+-]\d{2}:?\d{2})$/;

export function arborDate(value: unknown): Parsed {
  if (value === null || value === undefined || value === '') return { ok: true, value: null };
  if (typeof value !== 'string') return { ok: false };
  const date = DATE_PREFIX.exec(value.trim())?.[1];
  return date && isIsoDate(date) ? { ok: true, value: date } : { ok: false };
}

/** A datetime as an ISO instant in UTC. */
export function arborDatetime(value: unknown): Parsed {
  if (value === null || value === undefined || value === '') return { ok: true, value: null };
  if (typeof value !== 'string') return { ok: false };
  const text = value.trim();
  if (ZONED.test(text)) {
    const time = Date.parse(text);
    return Number.isNaN(time) ? { ok: false } : { ok: true, value: new Date(time).toISOString() };
  }
  const match = LOCAL_DATETIME.exec(text);
  if (!match || !isIsoDate(`${match[1]}-${match[2]}-${match[3]}`)) return { ok: false };
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return { ok: true, value: londonToUtc(y!, mo!, d!, h!, mi!, s || 0) };
}

/** Today's date in the UK, the date a status (SEN, pupil premium) must be current on. */
export function ukToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(now);
}

// The wall time read as if it were UTC, less London's offset at that moment. The offset is
// looked up twice because the first guess can land on the other side of a clock change.
function londonToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number): string {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  let instant = wall - londonOffsetMs(wall);
  instant = wall - londonOffsetMs(instant);
  return new Date(instant).toISOString();
}

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
});

function londonOffsetMs(instant: number): number {
  const parts = LONDON.formatToParts(new Date(instant));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}
