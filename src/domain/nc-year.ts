/**
 * National Curriculum year groups as the DfE codes them in a CTF: N1 and N2 (nursery), R, Y1 to
 * Y14 (special schools and sixth forms go past Y13) and X for a pupil not following an NC year,
 * which is common in special schools (3.2.3).
 */

export type NcYear =
  | 'N1'
  | 'N2'
  | 'R'
  | 'Y1'
  | 'Y2'
  | 'Y3'
  | 'Y4'
  | 'Y5'
  | 'Y6'
  | 'Y7'
  | 'Y8'
  | 'Y9'
  | 'Y10'
  | 'Y11'
  | 'Y12'
  | 'Y13'
  | 'Y14'
  | 'X';

export const NC_YEARS: readonly NcYear[] = [
  'N1',
  'N2',
  'R',
  'Y1',
  'Y2',
  'Y3',
  'Y4',
  'Y5',
  'Y6',
  'Y7',
  'Y8',
  'Y9',
  'Y10',
  'Y11',
  'Y12',
  'Y13',
  'Y14',
  'X',
];

export type NcYearParse = { ok: true; year: NcYear } | { ok: false; reason: string };

const LAST_NC_YEAR = 14;

// Spellings of the early years and of "not following an NC year" that MISs and trackers use,
// after lower-casing and turning dots, hyphens and underscores into spaces. FS1 and FS2 are the
// Foundation Stage names for the nursery year before Reception and for Reception itself.
const NAMED_YEARS: ReadonlyMap<string, NcYear> = new Map<string, NcYear>([
  ['n1', 'N1'],
  ['nursery 1', 'N1'],
  ['n2', 'N2'],
  ['nursery 2', 'N2'],
  ['f1', 'N2'],
  ['fs1', 'N2'],
  ['r', 'R'],
  ['rec', 'R'],
  ['reception', 'R'],
  ['yr', 'R'],
  ['year r', 'R'],
  ['f2', 'R'],
  ['fs2', 'R'],
  ['x', 'X'],
  ['nc x', 'X'],
  ['ncx', 'X'],
  ['year x', 'X'],
  ['non nc', 'X'],
  ['not nc', 'X'],
]);

const NOT_FOLLOWING_NC = /^not following (?:an? |the )?(?:nc|national curriculum)(?: year)?$/;
const NUMBERED_YEAR = /^(?:y|yr|year|ncy|nc year)? ?(\d{1,2})$/;

const ACCEPTED_FORMS =
  'Write it as Y1 to Y14 (or Year 4, Yr4, 4), R or Reception, N1 or N2 (Nursery 1, Nursery 2), ' +
  'or X for a pupil not following a National Curriculum year.';

/** Position in school: Reception is 0, nursery years count down from it. X has none. */
export function ncYearOrdinal(year: NcYear): number | null {
  if (year === 'X') return null;
  if (year === 'N1') return -2;
  if (year === 'N2') return -1;
  if (year === 'R') return 0;
  return Number(year.slice(1));
}

export function ncYearLabel(year: NcYear): string {
  if (year === 'X') return 'Not following an NC year';
  if (year === 'N1') return 'Nursery 1';
  if (year === 'N2') return 'Nursery 2';
  if (year === 'R') return 'Reception';
  return `Year ${year.slice(1)}`;
}

/** Reads a year group as MISs and spreadsheets write it: 'Y4', 'Year 4', 'Yr4', '04', 'Rec'. */
export function parseNcYear(input: string): NcYearParse {
  const text = input
    .toLowerCase()
    .replace(/[._-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return { ok: false, reason: `The year group is blank. ${ACCEPTED_FORMS}` };

  const named = NAMED_YEARS.get(text);
  if (named) return { ok: true, year: named };
  if (NOT_FOLLOWING_NC.test(text)) return { ok: true, year: 'X' };

  const number = Number(NUMBERED_YEAR.exec(text)?.[1]);
  if (number >= 1 && number <= LAST_NC_YEAR) return { ok: true, year: `Y${number}` as NcYear };
  return { ok: false, reason: `Year group "${input}" is not one we can read. ${ACCEPTED_FORMS}` };
}
