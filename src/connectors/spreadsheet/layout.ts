import type { RecordProblem } from '../contract.ts';
import type { SubjectSpec } from './fields.ts';
import { type Column, columnLetter, type HeaderMap } from './headers.ts';
import { fileProblem, quotedList } from './problems.ts';

/** Wide: one row per pupil, a column per subject. Long: one row per pupil and subject. */
export type Layout = 'wide' | 'long';
export type LayoutSetting = 'auto' | Layout;

export interface HeaderCheck {
  problems: RecordProblem[];
  /** The file cannot be read without the missing columns. */
  fatal: boolean;
}

/** A file with both "Subject" and "Value" columns is long; anything else is wide. */
export function chooseLayout(map: HeaderMap, setting: LayoutSetting): Layout {
  if (setting !== 'auto') return setting;
  return map.fields.subject && map.fields.value ? 'long' : 'wide';
}

export function checkHeaders(
  location: string,
  map: HeaderMap,
  layout: Layout,
  subjects: readonly SubjectSpec[],
): HeaderCheck {
  const missing = missingColumns(map, layout, subjects);
  if (missing.length > 0) {
    return { problems: [missingProblem(location, map, missing)], fatal: true };
  }

  const problems = [
    ...upnProblems(location, map),
    ...map.repeated.map(({ column, first }) => repeatedProblem(location, column, first)),
    ...ignoredProblems(location, ignoredHeaders(map, layout)),
  ];
  return { problems, fatal: false };
}

function missingColumns(
  map: HeaderMap,
  layout: Layout,
  subjects: readonly SubjectSpec[],
): string[] {
  const { fields } = map;
  const missing: string[] = [];
  if (!fields.upn && !(fields.surname && fields.forename)) {
    missing.push('a "UPN" column (or "Surname" and "Forename" columns) to say whose row it is');
  }
  if (layout === 'wide' && map.subjects.length === 0) {
    missing.push(`a column for each subject, headed ${quotedList(subjects.map((s) => s.name))}`);
  }
  if (layout === 'long' && !fields.subject) missing.push('a "Subject" column');
  if (layout === 'long' && !fields.value) missing.push('a "Value" column');
  return missing;
}

function missingProblem(location: string, map: HeaderMap, missing: string[]): RecordProblem {
  const found = map.headers.length > 0 ? quotedList(map.headers) : 'no headers';
  const columns = missing.length > 1 ? 'columns' : 'column';
  return fileProblem(
    location,
    'column_missing',
    `"${location}" cannot be read: it needs ${missing.join(' and ')}. ` +
      `Its header row (row ${map.row}) has ${found}. ` +
      `Add the missing ${columns} and upload the file again.`,
  );
}

function upnProblems(location: string, map: HeaderMap): RecordProblem[] {
  if (map.fields.upn) return [];
  return [
    fileProblem(
      location,
      'upn_column_missing',
      `"${location}" has no UPN column, so pupils are matched by surname, forename and date of ` +
        'birth. Add a "UPN" column so that every pupil is matched for certain.',
    ),
  ];
}

function repeatedProblem(location: string, column: Column, first: Column): RecordProblem {
  const [repeat, kept] = [columnLetter(column.index), columnLetter(first.index)];
  return fileProblem(
    location,
    'column_repeated',
    `"${location}": column ${repeat} ("${column.header}") repeats column ${kept} ` +
      `("${first.header}"), so only column ${kept} was read. ` +
      'Delete or rename the repeated column.',
  );
}

/** Columns read in neither layout, and those the chosen layout has no use for. */
function ignoredHeaders(map: HeaderMap, layout: Layout): string[] {
  const unused =
    layout === 'long'
      ? map.subjects
      : [map.fields.subject, map.fields.value].filter((column) => column !== undefined);
  return [...map.unknown, ...unused.map((column) => column.header)];
}

function ignoredProblems(location: string, headers: string[]): RecordProblem[] {
  if (headers.length === 0) return [];
  const these = headers.length > 1 ? 'these columns were' : 'this column was';
  return [
    fileProblem(
      location,
      'columns_ignored',
      `"${location}": the trust does not collect ${quotedList(headers)}, ` +
        `so ${these} not read.`,
    ),
  ];
}
