import type { RecordProblem, SourcePupil } from '../contract.ts';
import type { Row } from './client.ts';
import { arborDate } from './dates.ts';
import { listAll, type RunIo } from './paging.ts';
import { firstText, hrefOf, idOf, isRow, maxRevision, type Resolver, text } from './records.ts';

/**
 * Pupils from a page of Arbor students. Arbor keeps a pupil's facts on separate records: the
 * names and date of birth on Person, the UPN on UkDfe_UpnAssignment, SEN on SenStatusAssignment
 * and pupil premium on UkDfe_PupilPremiumRecipient (research 2, "Student fields"). Each page of
 * students is joined to those with one `filters.student.in` query per resource and chunk, so a
 * join never holds more than the page's pupils.
 */

export interface BuildContext extends RunIo {
  resolver: Resolver;
  /** The UK date on which a status must be current. */
  today: string;
}

export interface Built<T> {
  records: T[];
  problems: RecordProblem[];
  /** The highest revision among the records read, for a pull's floor. */
  revision: number | null;
}

const PERSON_NEEDS = ['legalFirstName', 'legalLastName', 'dateOfBirth', 'gender'];
const LABEL_FIELDS = ['displayName', 'academicLevelName', 'name', 'shortName', 'code'];
const SEN_RANK = { N: 0, K: 1, E: 2 } as const;

type SenCode = keyof typeof SEN_RANK;

interface Joined {
  upns: Row[];
  sen: Row[];
  premium: Row[];
}

export async function buildPupils(
  bc: BuildContext,
  listed: readonly Row[],
): Promise<Built<SourcePupil>> {
  // A bare listing entry is fetched whole; one deleted since it was listed comes back null.
  const students = (await bc.resolver.resolveAll(listed, ['person'], false)).filter(isRow);
  const people = await bc.resolver.resolveAll(
    students.map((student) => student.person),
    PERSON_NEEDS,
    false,
  );
  const joins = await readJoins(bc, students);
  await prefetchCatalogues(bc, students, people, joins);

  const built: Built<SourcePupil> = {
    records: [],
    problems: [],
    revision: maxRevision(students),
  };
  for (const [index, student] of students.entries()) {
    const href = hrefOf(student) ?? '';
    const outcome = translate(bc, student, people[index] ?? null, {
      upns: joins.upns.get(href) ?? [],
      sen: joins.sen.get(href) ?? [],
      premium: joins.premium.get(href) ?? [],
    });
    built.problems.push(...outcome.problems);
    if (outcome.pupil) built.records.push(outcome.pupil);
  }
  return built;
}

async function readJoins(bc: BuildContext, students: readonly Row[]) {
  const hrefs = students.map(hrefOf).filter((href): href is string => href !== null);
  const { resources } = bc.config;
  const [upns, sen, premium] = await Promise.all([
    joinByStudent(bc, resources.upnAssignments, hrefs, ['student', 'upn']),
    joinByStudent(bc, resources.senAssignments, hrefs, ['student', 'senStatus']),
    joinByStudent(bc, resources.pupilPremium, hrefs, ['student', 'startDate']),
  ]);
  return { upns, sen, premium };
}

/** A resource's records for these students, by student href; bare entries are fetched. */
async function joinByStudent(
  bc: BuildContext,
  path: string,
  hrefs: readonly string[],
  needs: readonly string[],
): Promise<Map<string, Row[]>> {
  const byStudent = new Map<string, Row[]>();
  const { chunkSize, separator } = bc.config.join;
  for (let start = 0; start < hrefs.length; start += chunkSize) {
    const chunk = hrefs.slice(start, start + chunkSize).join(separator);
    const listed = await listAll(bc, path, { 'filters.student.in': chunk });
    for (const row of await bc.resolver.resolveAll(listed, needs, false)) {
      const owner = hrefOf(row?.student);
      if (!owner || !row) continue;
      const rows = byStudent.get(owner) ?? [];
      rows.push(row);
      byStudent.set(owner, rows);
    }
  }
  return byStudent;
}

async function prefetchCatalogues(
  bc: BuildContext,
  students: readonly Row[],
  people: readonly (Row | null)[],
  joins: Awaited<ReturnType<typeof readJoins>>,
): Promise<void> {
  const fields = bc.config.studentFields;
  const senRows = [...joins.sen.values()].flat();
  await Promise.all([
    bc.resolver.prefetch(
      people.map((person) => person?.gender),
      ['code'],
    ),
    bc.resolver.prefetch(
      students.map((student) => student[fields.yearGroup]),
      ['displayName'],
    ),
    bc.resolver.prefetch(
      students.map((student, index) => languageRef(student, people[index] ?? null, fields)),
      ['code'],
    ),
    bc.resolver.prefetch(
      senRows.map((row) => row.senStatus),
      ['d00229'],
    ),
  ]);
}

interface Outcome {
  pupil: SourcePupil | null;
  problems: RecordProblem[];
}

function translate(bc: BuildContext, student: Row, person: Row | null, joined: Joined): Outcome {
  const location = hrefOf(student) ?? bc.config.resources.students;
  const problems: RecordProblem[] = [];
  const report = (field: string, code: string, message: string): void => {
    problems.push({ location, row: null, field, code, message });
  };

  const externalId = idOf(student);
  if (!externalId) {
    report('href', 'pupil_id_missing', 'This Arbor student has no id; it was left out.');
    return { pupil: null, problems };
  }
  const who = `Arbor student ${externalId}`;
  // Without permission Arbor may answer with the ref alone rather than refuse (research 2, A3).
  if (!person || !PERSON_NEEDS.some((name) => person[name] !== undefined)) {
    report(
      'person',
      'person_unreadable',
      `${who} has no readable Person record, so their name is unknown and they were left ` +
        'out. Ask the school to let the Next Steps Sync application read Person in Arbor.',
    );
    return { pupil: null, problems };
  }

  const firstName = firstText(person, ['legalFirstName', 'preferredFirstName']);
  const lastName = firstText(person, ['legalLastName', 'preferredLastName']);
  if (!firstName || !lastName) {
    const field = firstName ? 'person.legalLastName' : 'person.legalFirstName';
    report(
      field,
      'name_missing',
      `${who} has no ${firstName ? 'last' : 'first'} name in Arbor, so they were left out. ` +
        'Add it to their Arbor record and run the sync again.',
    );
    return { pupil: null, problems };
  }

  const dateOf = (row: Row, field: string, label: string): string | null => {
    const parsed = arborDate(row[field.split('.').at(-1)!]);
    if (parsed.ok) return parsed.value;
    report(field, 'date_unreadable', `${who} has a ${label} that is not a date (YYYY-MM-DD).`);
    return null;
  };

  const fields = bc.config.studentFields;
  const upns = chooseUpns(joined.upns, bc.today);
  const sen = senStatusOf(bc, joined.sen);
  if (sen === undefined) {
    report(
      'senStatus',
      'sen_status_unknown',
      `${who} has a current SEN status that is not N, K or E; it was left blank.`,
    );
  }

  const pupil: SourcePupil = {
    externalId,
    upn: upns.current,
    formerUpn: upns.former,
    firstName,
    lastName,
    dateOfBirth: dateOf(person, 'person.dateOfBirth', 'date of birth'),
    sex: sexOf(bc.resolver.lookup(person.gender, ['code'])),
    ncYear: yearGroupOf(bc, student[fields.yearGroup]),
    senStatus: sen ?? null,
    disadvantaged: joined.premium.some((row) => isCurrent(row.startDate, row.endDate, bc.today)),
    eal: ealOf(bc, languageRef(student, person, fields)),
    onRollFrom: dateOf(student, fields.entryDate, 'date of entry'),
    onRollTo: dateOf(student, fields.leavingDate, 'leaving date'),
  };
  return { pupil, problems };
}

/** The UPN now in force and the one before it (a temporary UPN, or one since corrected). */
function chooseUpns(rows: readonly Row[], today: string) {
  const assignments = rows
    .map((row) => ({
      upn: text(row.upn),
      start: dateText(row.startDatetime),
      end: dateText(row.endDatetime),
      temporary: row.isTemporary === true,
    }))
    .filter((row) => row.upn !== null);
  const current = assignments
    .filter((row) => isCurrent(row.start, row.end, today))
    .sort((a, b) => Number(a.temporary) - Number(b.temporary) || later(a.start, b.start))[0];
  const former = assignments
    .filter((row) => row !== current && row.upn !== current?.upn)
    .sort((a, b) => later(a.end, b.end))[0];
  return { current: current?.upn ?? null, former: former?.upn ?? null };
}

// No current assignment means no SEN; undefined means one we cannot read.
function senStatusOf(bc: BuildContext, rows: readonly Row[]): SenCode | null | undefined {
  let strongest: SenCode = 'N';
  for (const row of rows) {
    if (!isCurrent(row.startDate, row.endDate, bc.today)) continue;
    const code = senCode(bc.resolver.lookup(row.senStatus, ['d00229']));
    if (code === null) return undefined;
    if (SEN_RANK[code] > SEN_RANK[strongest]) strongest = code;
  }
  return strongest;
}

/** DfE item D00229 (SEN provision) when Arbor gives it, else the status's name. */
function senCode(status: Row | null): SenCode | null {
  const code = firstText(status, ['d00229', 'code'])?.toUpperCase();
  if (code === 'N' || code === 'K' || code === 'E') return code;
  const name = firstText(status, ['senStatusName', 'displayName', 'name'])?.toLowerCase() ?? '';
  if (/education,? health|\behc|statement/.test(name)) return 'E';
  if (/sen support|school action/.test(name)) return 'K';
  if (/^no\b|no special/.test(name)) return 'N';
  return null;
}

function sexOf(gender: Row | null): 'M' | 'F' | null {
  const value = firstText(gender, ['code', 'genderName', 'displayName', 'name'])?.toUpperCase();
  if (value === 'M' || value === 'MALE') return 'M';
  if (value === 'F' || value === 'FEMALE') return 'F';
  return null;
}

function yearGroupOf(bc: BuildContext, value: unknown): string | null {
  if (!isRow(value)) return text(value);
  return firstText(bc.resolver.lookup(value, ['displayName']), LABEL_FIELDS);
}

function languageRef(student: Row, person: Row | null, fields: { firstLanguage: string }) {
  return student[fields.firstLanguage] ?? person?.[fields.firstLanguage];
}

function ealOf(bc: BuildContext, language: unknown): boolean | null {
  const code = isRow(language)
    ? firstText(bc.resolver.lookup(language, ['code']), ['code', 'shortName'])
    : text(language);
  if (!code) return null;
  return !bc.config.englishLanguageCodes.some(
    (english) => english.toUpperCase() === code.toUpperCase(),
  );
}

/** Whether a dated record is in force on `today`; open ends count as open. */
export function isCurrent(start: unknown, end: unknown, today: string): boolean {
  const from = dateText(start);
  const to = dateText(end);
  return (from === null || from <= today) && (to === null || to >= today);
}

function dateText(value: unknown): string | null {
  const parsed = arborDate(value);
  return parsed.ok ? parsed.value : null;
}

function later(a: string | null, b: string | null): number {
  return (b ?? '').localeCompare(a ?? '');
}
