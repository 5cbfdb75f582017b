import { type Cell, isBlank } from './cells.ts';

export type DateFault = 'format' | 'unreal' | 'monthFirst' | 'range';

export type DateReading = { ok: true; iso: string } | { ok: false; fault: DateFault };

const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/;
const YEAR_FIRST = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/;
const MONTH_NAMED = /^(\d{1,2})(?:st|nd|rd|th)?[ /-]([a-z]{3,9})\.?[ /,-]*(\d{2}|\d{4})$/i;
/** A serial typed or exported as text; five digits keeps a bare year ("2016") out. */
const SERIAL_TEXT = /^\d{5}(?:\.\d+)?$/;

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

const EARLIEST_YEAR = 1900;
const LATEST_YEAR = 2099;
const DAY_MS = 86_400_000;

/** Reads a date the UK way round: "03/04/2015" is 3 April, never 4 March. Blank gives null. */
export function readDate(cell: Cell, date1904: boolean): DateReading | null {
  if (isBlank(cell)) return null;
  if (cell instanceof Date) return fromUtcDate(cell);
  if (typeof cell === 'number') return fromSerial(cell, date1904);
  if (typeof cell === 'string') return fromText(cell.trim(), date1904);
  return { ok: false, fault: 'format' };
}

function fromText(text: string, date1904: boolean): DateReading {
  const dayFirst = DAY_FIRST.exec(text);
  if (dayFirst) return fromDayFirst(dayFirst[1]!, dayFirst[2]!, dayFirst[3]!);

  const yearFirst = YEAR_FIRST.exec(text);
  if (yearFirst) return fromParts(Number(yearFirst[1]), Number(yearFirst[2]), Number(yearFirst[3]));

  const named = MONTH_NAMED.exec(text);
  if (named) return fromNamedMonth(named[1]!, named[2]!, named[3]!);

  if (SERIAL_TEXT.test(text)) return fromSerial(Number(text), date1904);
  return { ok: false, fault: 'format' };
}

/** A "month" over 12 with a "day" that could be a month is most likely US order: say so. */
function fromDayFirst(day: string, month: string, year: string): DateReading {
  if (Number(month) > 12 && Number(day) <= 12) return { ok: false, fault: 'monthFirst' };
  return fromParts(fullYear(year), Number(month), Number(day));
}

function fromNamedMonth(day: string, monthName: string, year: string): DateReading {
  const name = monthName.toLowerCase();
  const month = MONTHS.findIndex((full) => full.startsWith(name) && name.length >= 3) + 1;
  if (month === 0) return { ok: false, fault: 'format' };
  return fromParts(fullYear(year), month, Number(day));
}

/** Excel's own rule for two-digit years: 00-29 are 2000s, 30-99 are 1900s. */
function fullYear(year: string): number {
  const value = Number(year);
  if (year.length === 4) return value;
  return value < 30 ? 2000 + value : 1900 + value;
}

function fromParts(year: number, month: number, day: number): DateReading {
  if (month < 1 || month > 12 || day < 1) return { ok: false, fault: 'unreal' };

  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCDate() !== day) return { ok: false, fault: 'unreal' };
  return fromUtcDate(date);
}

function fromUtcDate(date: Date): DateReading {
  if (Number.isNaN(date.getTime())) return { ok: false, fault: 'format' };
  const year = date.getUTCFullYear();
  if (year < EARLIEST_YEAR || year > LATEST_YEAR) return { ok: false, fault: 'range' };
  return { ok: true, iso: date.toISOString().slice(0, 10) };
}

/**
 * Excel counts days from 1 January 1900 as day 1 and, copying Lotus 1-2-3, also counts a
 * 29 February 1900 that never was (day 60); the 1904 system, from old Mac Excel, counts from
 * 1 January 1904 as day 0.
 */
function fromSerial(serial: number, date1904: boolean): DateReading {
  if (!Number.isFinite(serial) || serial < 0) return { ok: false, fault: 'format' };
  const whole = Math.floor(serial);
  if (date1904) return fromUtcDate(new Date(Date.UTC(1904, 0, 1) + whole * DAY_MS));
  if (whole === 0 || whole === 60) return { ok: false, fault: 'unreal' };

  const epoch = whole < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  return fromUtcDate(new Date(epoch + whole * DAY_MS));
}
