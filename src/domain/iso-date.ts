/**
 * Calendar dates as ISO strings ('YYYY-MM-DD'). School dates have no time of day and no time zone,
 * so the arithmetic counts whole days since 1970-01-01 in UTC and never uses local time.
 */

const MS_PER_DAY = 86_400_000;

export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const MONDAY: IsoWeekday = 1;
export const FRIDAY: IsoWeekday = 5;

/** True for a real calendar date written exactly as 'YYYY-MM-DD'. */
export function isIsoDate(value: string): boolean {
  // Read character by character: every result of every sync passes through here.
  if (value.length !== 10 || value[4] !== '-' || value[7] !== '-') return false;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 7);
  const day = digitsAt(value, 8, 10);
  // Years before 100 are not school dates (and Date.UTC would read them as 19xx).
  return year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The number the ASCII digits from `start` to `end` write, or -1 where one is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let number = 0;
  for (let index = start; index < end; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1]!;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return leap ? 29 : 28;
}

export function isoDate(year: number, month: number, day: number): string {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  assertIsoDate(date);
  return date;
}

export function addDays(date: string, days: number): string {
  return isoFromDayNumber(dayNumber(date) + days);
}

/** ISO weekday: Monday is 1, Sunday is 7. */
export function weekdayOf(date: string): IsoWeekday {
  // 1970-01-01, day number 0, was a Thursday.
  const fromMonday = (((dayNumber(date) + 3) % 7) + 7) % 7;
  return (fromMonday + 1) as IsoWeekday;
}

/** The first date on or after `date` that falls on `weekday`. */
export function nextWeekdayOnOrAfter(date: string, weekday: IsoWeekday): string {
  const gap = (weekday - weekdayOf(date) + 7) % 7;
  return addDays(date, gap);
}

export function assertIsoDate(date: string): void {
  if (!isIsoDate(date)) throw new RangeError(`"${date}" is not a date written as YYYY-MM-DD`);
}

function dayNumber(date: string): number {
  assertIsoDate(date);
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return dayNumberOf(year, month, day);
}

function dayNumberOf(year: number, month: number, day: number): number {
  // Date.UTC reads years 0-99 as 19xx; school dates are never that early.
  return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

function isoFromDayNumber(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}
