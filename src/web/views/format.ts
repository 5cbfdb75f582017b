/**
 * How the console writes dates, durations, ages and counts: British English, in the trust's time
 * zone, so that "02:00" on a run means 02:00 at the school.
 */

const TIME_ZONE = 'Europe/London';

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

const SHORT_DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

const DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

const LONG_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

const SHORT_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  day: 'numeric',
  month: 'short',
});

const NUMBER = new Intl.NumberFormat('en-GB');

type Moment = Date | string | null | undefined;

function toDate(moment: Moment): Date | null {
  if (moment === null || moment === undefined || moment === '') return null;
  const date = moment instanceof Date ? moment : new Date(moment);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "3 Dec 2026, 14:05", or a dash. */
export function dateTime(moment: Moment): string {
  const date = toDate(moment);
  return date ? DATE_TIME.format(date) : '–';
}

/** "3 Dec, 14:05": for tables where the year is plain. */
export function shortDateTime(moment: Moment): string {
  const date = toDate(moment);
  return date ? SHORT_DATE_TIME.format(date) : '–';
}

/** A calendar date ("2026-12-18") as "18 Dec 2026". */
export function calendarDate(isoDate: string | null | undefined): string {
  if (!isoDate) return '–';
  const date = toDate(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return date ? DATE.format(date) : isoDate;
}

/** A calendar date ("2026-11-02") as "2 November 2026", for a sentence. */
export function longDate(isoDate: string | null | undefined): string {
  if (!isoDate) return '–';
  const date = toDate(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return date ? LONG_DATE.format(date) : isoDate;
}

export function shortDate(moment: Moment): string {
  const date = toDate(moment);
  return date ? SHORT_DATE.format(date) : '–';
}

/** "1 min 04 s", "12 s", "2 h 05 min". */
export function duration(ms: number | null): string {
  if (ms === null || ms < 0) return '–';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** "just now", "5 minutes ago", "3 days ago". */
export function age(moment: Moment, now: Date): string {
  const date = toDate(moment);
  if (!date) return 'never';
  const minutes = Math.floor((now.getTime() - date.getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${plural(minutes, 'minute')} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${plural(hours, 'hour')} ago`;
  return `${plural(Math.floor(hours / 24), 'day')} ago`;
}

export function count(value: number): string {
  // Whole numbers are grouped by hand, as en-GB groups them: a page of thousands of counts
  // spends a microsecond on each through Intl.
  if (Number.isSafeInteger(value)) {
    const digits = String(Math.abs(value)).replace(/\B(?=(\d{3})+$)/g, ',');
    return value < 0 ? `-${digits}` : digits;
  }
  return NUMBER.format(value);
}

/** "1 pupil", "3 pupils". */
export function plural(value: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count(value)} ${value === 1 ? noun : pluralNoun}`;
}

/** Whole percent, rounded down so that nearly complete never reads as 100%. */
export function percent(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.floor((part * 100) / whole);
}

/** "41 of 212, 19%". */
export function share(part: number, whole: number): string {
  return `${count(part)} of ${count(whole)}, ${percent(part, whole)}%`;
}

/** "needs mapping" as "Needs mapping". */
export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A schedule as people say it: "0 2 * * *" is "02:00 every day"; others are shown as written. */
export function schedule(text: string | null): string {
  if (!text) return '–';
  const cron = /^(\d{1,2}) (\d{1,2}) \* \* (\*|[0-6])$/.exec(text.trim());
  if (!cron) return text;
  const time = `${cron[2]!.padStart(2, '0')}:${cron[1]!.padStart(2, '0')}`;
  const when = cron[3] === '*' ? 'every day' : `every ${WEEKDAYS[Number(cron[3])]}`;
  return `${time} ${when} (${text})`;
}
