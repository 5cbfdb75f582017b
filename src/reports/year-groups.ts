import { NC_YEARS, type NcYear, ncYearLabel } from '../domain/nc-year.ts';

/**
 * Year groups as reports show them. A pupil's year group is the one they were in at the
 * collection (their year group now, moved back by the school years since), so last summer's Y1
 * reads as Y1 there and as Y2 this autumn. X is a pupil not following an NC year (3.2.3); a
 * pupil whose year group the school's system does not hold is "not recorded", and still counted.
 */

export const YEAR_NOT_RECORDED = '?';

const ORDER: readonly string[] = [...NC_YEARS, YEAR_NOT_RECORDED];

export function compareYearGroups(a: string, b: string): number {
  return rank(a) - rank(b);
}

function rank(key: string): number {
  const index = ORDER.indexOf(key);
  return index === -1 ? ORDER.length : index;
}

/** "Year 2", "Reception", "Not following an NC year", "Year group not recorded". */
export function yearGroupLabel(key: string): string {
  if (key === YEAR_NOT_RECORDED) return 'Year group not recorded';
  if ((NC_YEARS as readonly string[]).includes(key)) return ncYearLabel(key as NcYear);
  return key;
}

/** "Y2", "R", "X", "Not recorded": for a table's narrow first column. */
export function shortYearGroup(key: string): string {
  return key === YEAR_NOT_RECORDED ? 'Not recorded' : key;
}
