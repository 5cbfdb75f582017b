/** Assembly's dates and timestamps, as the contract wants them: ISO, or null. */

// Assembly fills end_date with 2079-06-06T23:59 for a pupil still on roll (the Java SDK's
// Student docs): the largest SQL Server smalldatetime, standing for "no end".
const NO_END_DATE = '2079-06-06';

/** The date part of an Assembly date or timestamp, as written, or null. */
export function dateOf(value: string | null | undefined): string | null {
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(value?.trim() ?? '');
  return match ? match[1]! : null;
}

/** An end date, or null for Assembly's placeholder that means the pupil has not left. */
export function endDateOf(value: string | null | undefined): string | null {
  const date = dateOf(value);
  return date === null || date >= NO_END_DATE ? null : date;
}

/** A timestamp (ISO or an HTTP date) as an ISO timestamp in UTC, or null. */
export function isoTime(value: string | null | undefined): string | null {
  const time = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
