import type { SourceDeletion, SourcePupil } from '../contract.ts';
import type { PupilFields } from './config.ts';
import { isKnownRole, type Lookups, type UserRole, unknownRole } from './lookups.ts';
import type { OneRosterProblemCode } from './problems.ts';
import type { Table, TableRow } from './table.ts';
import { type Read, readFlag, readList, readSen, readUserIds } from './values.ts';

export type UserOutcome =
  | { kind: 'pupils'; record: SourcePupil }
  | { kind: 'deletions'; record: SourceDeletion };

/** Users passed over, by why, for the run log. */
export interface UserTally {
  staff: number;
  /** 1.2 users with no row in roles.csv, taken as pupils because they carry a UPN. */
  byUpn: number;
  noRole: number;
  /** 1.2 users whose every roles.csv row was unreadable (reported there). */
  unreadableRole: number;
  /** Changed pupils in a delta with no demographics row: their birth date and sex go blank. */
  noDemographics: number;
}

export interface UserScope {
  table: Table;
  lookups: Lookups;
  fields: PupilFields;
  tally: UserTally;
}

/**
 * A users.csv row as a pupil, a pupil's deletion, or nothing (a teacher, a parent, or a row
 * that could not be read, which is reported). Only the fields policy 8.1 lists are read: never
 * email, phone, sms, username or password, and no agent (parent) links.
 */
export function readUser(scope: UserScope, row: TableRow): UserOutcome | null {
  const { table } = scope;
  const id = table.needed(row, 'sourcedId', 'the id that the other files use for this user');
  const status = id === null ? null : table.status(row);
  if (id === null || status === null) return null;

  if (status === 'deleted') return deletionOf(scope, row, id);
  const role = roleOf(scope, row, id);
  if (role === 'unreadable' && table.version === '1.2') scope.tally.unreadableRole += 1;
  if (role === 'staff' || role === 'unreadable') return null;
  if (role === 'none') {
    if (upnOf(scope.fields, row) === null) {
      scope.tally.noRole += 1;
      return null;
    }
    scope.tally.byUpn += 1;
  }

  const pupil = pupilOf(scope, row, id, role);
  table.modified(row);
  return pupil ? { kind: 'pupils', record: pupil } : null;
}

/** A deleted row may carry nothing but its id: only a user known not to be a pupil is passed by. */
function deletionOf(scope: UserScope, row: TableRow, id: string): UserOutcome | null {
  if (isKnownNonPupil(scope, row, id)) return null;
  const at = scope.table.modified(row);
  return { kind: 'deletions', record: { entity: 'pupil', externalId: id, at } };
}

function isKnownNonPupil(scope: UserScope, row: TableRow, id: string): boolean {
  if (scope.table.version === '1.2') return scope.lookups.roles.get(id)?.kind === 'staff';
  const role = row.text('role');
  return role !== 'student' && isKnownRole('1.1', role);
}

type RoleReading = Extract<UserRole, { kind: 'student' }> | 'staff' | 'unreadable' | 'none';

/** 1.1 has the role on the user row; 1.2 moved it to roles.csv (research A.7 point 2). */
function roleOf(scope: UserScope, row: TableRow, id: string): RoleReading {
  const { table } = scope;
  if (table.version === '1.1') {
    const role = row.text('role');
    if (!isKnownRole('1.1', role)) {
      unknownRole(table, row, 'role');
      return 'unreadable';
    }
    if (role === 'student') return { kind: 'student', from: null, to: null };
    scope.tally.staff += 1;
    return 'staff';
  }
  const role = scope.lookups.roles.get(id);
  if (!role) return 'none';
  if (role.kind === 'staff') scope.tally.staff += 1;
  return role.kind === 'student' ? role : role.kind;
}

function pupilOf(
  scope: UserScope,
  row: TableRow,
  id: string,
  role: RoleReading,
): SourcePupil | null {
  const { table, fields } = scope;
  const firstName = table.needed(row, 'givenName', "the pupil's first name");
  const lastName = table.needed(row, 'familyName', "the pupil's last name");
  if (firstName === null || lastName === null) return null;

  const demographics = scope.lookups.demographics.get(id);
  if (!demographics && table.mode === 'delta') scope.tally.noDemographics += 1;
  const dates = typeof role === 'object' ? role : { from: null, to: null };
  return {
    externalId: id,
    upn: upnOf(fields, row),
    formerUpn: readUserIds(row.text('userIds')).get(fields.formerUpnType.toLowerCase()) || null,
    firstName,
    lastName,
    dateOfBirth: demographics?.dateOfBirth ?? null,
    sex: demographics?.sex ?? null,
    // The first of the user's grades: OneRoster has no English NC year vocabulary (A.4), so it
    // goes as written and the engine reads "04", "Y4" or "Year 4".
    ncYear: readList(row.text('grades'))[0] ?? null,
    senStatus: extension(table, row, fields.senStatusColumn, readSen, 'sen_unknown', SEN_HELP),
    disadvantaged: extension(table, row, fields.disadvantagedColumn, readFlag, 'flag_unknown', YN),
    eal: extension(table, row, fields.ealColumn, readFlag, 'flag_unknown', YN),
    onRollFrom: dates.from,
    onRollTo: dates.to,
  };
}

/**
 * The UPN from the userIds list or the identifier column, as the source settings say; "UPN"
 * can also mean a Microsoft user principal name, which the engine's UPN check then rejects.
 */
function upnOf(fields: PupilFields, row: TableRow): string | null {
  if (fields.upnFrom === 'identifier') return row.text('identifier') || null;
  return readUserIds(row.text('userIds')).get(fields.upnType.toLowerCase()) || null;
}

const SEN_HELP = 'write N (no SEN), K (SEN support) or E (EHC plan)';
const YN = 'write true or false';

function extension<T>(
  table: Table,
  row: TableRow,
  column: string | null,
  read: (text: string) => Read<T>,
  code: OneRosterProblemCode,
  help: string,
): T | null {
  if (column === null || !row.has(column)) return null;
  const value = read(row.text(column));
  if (value !== undefined) return value;
  table.problem(
    row,
    column,
    code,
    `"${row.text(column)}" cannot be read, so it was left blank: ${help}.`,
  );
  return null;
}
