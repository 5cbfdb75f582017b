import type { PullEvent, RecordProblem, SourcePupil } from '../contract.ts';
import type { ReadFile } from './headers.ts';
import type { Manifest } from './manifest.ts';
import { Table, type TableRow, type TableSettings } from './table.ts';
import { readDate, readSex } from './values.ts';

/**
 * The small files a pupil or a result is joined to, held as maps by sourcedId. They are a few
 * hundred rows at most, except demographics and roles, which hold a date of birth, a sex and a
 * role per pupil: the join the OneRoster layout forces.
 */
export interface Lookups {
  sessions: ReadonlyMap<string, string>;
  categories: ReadonlyMap<string, string>;
  lineItems: ReadonlyMap<string, LineItem>;
  assessmentLineItems: ReadonlyMap<string, LineItem>;
  scoreScales: ReadonlyMap<string, string>;
  /** Line item → score scale, from 1.2's lineItemScoreScales.csv. */
  lineItemScales: ReadonlyMap<string, string>;
  demographics: ReadonlyMap<string, Demographics>;
  /** 1.2 only: users.csv has no role there, roles.csv says who is a student. */
  roles: ReadonlyMap<string, UserRole>;
  /** False when a lookup file broke off: what it would have said is unknown. */
  complete: boolean;
}

export interface LineItem {
  title: string;
  categoryId: string;
  sessionId: string;
}

export interface Demographics {
  dateOfBirth: string | null;
  sex: SourcePupil['sex'];
}

export type UserRole =
  | { kind: 'student'; from: string | null; to: string | null }
  | { kind: 'staff' }
  /** Every role row for the user was unreadable: they are left out rather than guessed. */
  | { kind: 'unreadable' };

/** Role values per version (research A.4); `ext:` values are extensions, never students. */
const ROLES = {
  '1.1': [
    'administrator',
    'aide',
    'guardian',
    'parent',
    'proctor',
    'relative',
    'student',
    'teacher',
  ],
  '1.2': [
    'aide',
    'counselor',
    'districtAdministrator',
    'guardian',
    'parent',
    'principal',
    'proctor',
    'relative',
    'siteAdministrator',
    'student',
    'systemAdministrator',
    'teacher',
  ],
} as const;

export function isKnownRole(version: '1.1' | '1.2', role: string): boolean {
  if (/^ext:[a-zA-Z0-9.\-_]+$/.test(role)) return true;
  return (ROLES[version] as readonly string[]).includes(role);
}

export function unknownRole(table: Table, row: TableRow, column: string): void {
  const role = row.text(column);
  table.problem(
    row,
    column,
    'role_unknown',
    `The role "${role}" is not a OneRoster ${table.version} role, so this row was not read` +
      `${table.file === 'roles' ? ' (a user with no other role is left out)' : ''}. A pupil ` +
      'has the role "student"; correct the export so that every user has a role the ' +
      'specification lists.',
  );
}

export async function loadLookups(
  settings: TableSettings,
  manifest: Manifest,
  problems: RecordProblem[],
  events: PullEvent[],
): Promise<Lookups> {
  const tables: Table[] = [];
  const open = (file: ReadFile): Table | null => {
    const mode = manifest.modes.get(file);
    if (!mode) return null;
    const table = new Table(settings, file, mode, problems);
    tables.push(table);
    return table;
  };
  const lineItems = await readLineItems(open('lineItems'), 'categorySourcedId', events);
  const lookups: Lookups = {
    sessions: await readTitles(open('academicSessions')),
    categories: await readTitles(open('categories')),
    lineItems,
    assessmentLineItems: await readLineItems(open('assessmentLineItems'), null, events),
    scoreScales: await readTitles(open('scoreScales')),
    lineItemScales: await readLinks(open('lineItemScoreScales')),
    demographics: await readDemographics(open('demographics')),
    roles: await readRoles(open('roles')),
    complete: true,
  };
  lookups.complete = tables.every((table) => table.complete);
  return lookups;
}

async function* liveRows(table: Table | null): AsyncGenerator<TableRow> {
  if (!table) return;
  for await (const row of table.rows()) {
    if (table.status(row) === 'active') yield row;
  }
}

async function readTitles(table: Table | null): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  for await (const row of liveRows(table)) {
    const id = row.text('sourcedId');
    if (id !== '') titles.set(id, row.text('title') || id);
  }
  return titles;
}

/**
 * Line items by id. 1.1 names the term `gradingPeriodSourcedId`, 1.2 `academicSessionSourcedId`
 * (research A.7). A line item deleted by a delta leaves its results in place until results.csv
 * deletes them too, which the log says.
 */
async function readLineItems(
  table: Table | null,
  categoryColumn: string | null,
  events: PullEvent[],
): Promise<Map<string, LineItem>> {
  const items = new Map<string, LineItem>();
  if (!table) return items;
  let deleted = 0;
  for await (const row of table.rows()) {
    const status = table.status(row);
    if (status === 'deleted') deleted += 1;
    const id = row.text('sourcedId');
    if (status !== 'active' || id === '') continue;
    items.set(id, {
      title: row.text('title') || id,
      categoryId: categoryColumn ? row.text(categoryColumn) : '',
      sessionId: row.text('academicSessionSourcedId') || row.text('gradingPeriodSourcedId') || '',
    });
  }
  if (deleted > 0) {
    events.push({
      level: 'warn',
      code: 'line_items_deleted',
      message:
        `${table.location} deletes ${deleted} line items. Their results are kept until ` +
        'results.csv deletes them as well.',
    });
  }
  return items;
}

async function readLinks(table: Table | null): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  for await (const row of liveRows(table)) {
    const lineItem = row.text('lineItemSourcedId');
    const scale = row.text('scoreScaleSourcedId');
    if (lineItem !== '' && scale !== '' && !links.has(lineItem)) links.set(lineItem, scale);
  }
  return links;
}

/** Only the date of birth and sex are read; the US race and residence columns are not. */
async function readDemographics(table: Table | null): Promise<Map<string, Demographics>> {
  const people = new Map<string, Demographics>();
  if (!table) return people;
  for await (const row of liveRows(table)) {
    const id = row.text('sourcedId');
    if (id === '') continue;
    people.set(id, { dateOfBirth: table.date(row, 'birthDate', readDate), sex: sexOf(table, row) });
  }
  return people;
}

function sexOf(table: Table, row: TableRow): SourcePupil['sex'] {
  const sex = readSex(row.text('sex'));
  if (sex !== undefined) return sex;
  table.problem(
    row,
    'sex',
    'sex_unknown',
    `"${row.text('sex')}" is not a OneRoster sex (male, female, other or unspecified), so it ` +
      'was left blank.',
  );
  return null;
}

/** A user is a student if any readable role row says so; the primary row gives the dates. */
async function readRoles(table: Table | null): Promise<Map<string, UserRole>> {
  const roles = new Map<string, UserRole>();
  if (!table) return roles;
  for await (const row of liveRows(table)) {
    const user = row.text('userSourcedId');
    if (user === '') continue;
    const role = row.text('role');
    const before = roles.get(user);
    if (!isKnownRole('1.2', role)) {
      unknownRole(table, row, 'role');
      if (!before) roles.set(user, { kind: 'unreadable' });
      continue;
    }
    if (role !== 'student') {
      if (!before || before.kind === 'unreadable') roles.set(user, { kind: 'staff' });
      continue;
    }
    if (before?.kind === 'student' && row.text('roleType') !== 'primary') continue;
    const from = table.date(row, 'beginDate', readDate);
    roles.set(user, { kind: 'student', from, to: table.date(row, 'endDate', readDate) });
  }
  return roles;
}
