import type { ZodError } from 'zod';
import { isIsoDate } from '../../domain/iso-date.ts';
import type { RecordProblem, SourceDeletion, SourcePupil } from '../contract.ts';
import type { OneRosterConfig, PupilFields } from './config.ts';
import {
  demographicsRecord,
  firstIssue,
  isDeleted,
  modifiedAt,
  type StudentRecord,
  studentRecord,
} from './records.ts';

/**
 * A OneRoster student as a pupil. OneRoster has no English fields: UPN, former UPN, SEN status,
 * disadvantage and EAL are read from the places the source's `pupilFields` name (research A.4
 * and A.8: `userIds`, `identifier`, the `metadata` extension). Date of birth and sex come from
 * the student's `demographics` record, which shares the student's sourcedId.
 */

/** What a pupil page needs from a demographics record; kept by id for the whole listing. */
export interface Demographics {
  birthDate: unknown;
  sex: unknown;
  /** Values of the `demographics.metadata.*` field sources, by source. */
  extensions: Record<string, unknown>;
  modifiedAt: string | null;
}

export type StudentOutcome =
  | { kind: 'pupil'; pupil: SourcePupil; problems: RecordProblem[] }
  | { kind: 'deletion'; deletion: SourceDeletion }
  | { kind: 'skipped'; reason: 'other_school' | 'not_a_student' }
  | { kind: 'unreadable'; problem: RecordProblem };

const FIELD_NAMES: Record<keyof PupilFields, string> = {
  upn: 'UPN',
  formerUpn: 'former UPN',
  ncYear: 'year group',
  senStatus: 'SEN status',
  disadvantaged: 'disadvantaged',
  eal: 'EAL',
};

/** Reads one demographics record into what the pupils need, or a problem. */
export function readDemographics(
  value: unknown,
  config: OneRosterConfig,
  location: string,
): { id: string; demographics: Demographics } | { problem: RecordProblem } {
  const parsed = demographicsRecord.safeParse(value);
  if (!parsed.success) return { problem: unreadable(parsed.error, location, 'demographics') };
  const record = parsed.data;
  const extensions: Record<string, unknown> = {};
  for (const source of Object.values(config.pupilFields).flat()) {
    if (source.startsWith('demographics.metadata.')) {
      extensions[source] = pathValue(
        record.metadata,
        source.slice('demographics.metadata.'.length),
      );
    }
  }
  return {
    id: record.sourcedId,
    demographics: {
      birthDate: record.birthDate,
      sex: record.sex,
      extensions,
      modifiedAt: modifiedAt(record),
    },
  };
}

export function translateStudent(
  value: unknown,
  demographics: Demographics | undefined,
  config: OneRosterConfig,
  filterBySchool: boolean,
  location: string,
): StudentOutcome {
  const parsed = studentRecord.safeParse(value);
  if (!parsed.success) {
    return { kind: 'unreadable', problem: unreadable(parsed.error, location, 'student') };
  }
  const record = parsed.data;
  if (isDeleted(record)) {
    const deletion: SourceDeletion = {
      entity: 'pupil',
      externalId: record.sourcedId,
      at: modifiedAt(record),
    };
    return { kind: 'deletion', deletion };
  }
  const roles = studentRoles(record);
  if (roles.listed && roles.student.length === 0)
    return { kind: 'skipped', reason: 'not_a_student' };
  const atSchool = roleAtSchool(roles.student, config.schoolSourcedId);
  // Without roles or a primary org there is nothing to tell the school by, so the pupil stays.
  const placed = roles.listed || isObject(record.primaryOrg);
  if (filterBySchool && placed && !atSchool && !primaryOrgIs(record, config.schoolSourcedId)) {
    return { kind: 'skipped', reason: 'other_school' };
  }
  const role = atSchool ?? roles.student[0];

  const firstName = text(record.givenName);
  const lastName = text(record.familyName);
  if (!firstName || !lastName) {
    const field = firstName ? 'familyName' : 'givenName';
    const what = firstName ? 'family name' : 'given name';
    return {
      kind: 'unreadable',
      problem: {
        location,
        row: null,
        field,
        code: 'pupil_name_missing',
        message:
          `Student ${record.sourcedId} has no ${what}, so the pupil was not read. Add it in ` +
          "the school's system; it reaches Next Steps Sync at the next sync.",
      },
    };
  }

  const problems: RecordProblem[] = [];
  const facts = new FactReader(record, demographics, config.pupilFields, location, problems);
  const pupil: SourcePupil = {
    externalId: record.sourcedId,
    upn: facts.text('upn'),
    formerUpn: facts.text('formerUpn'),
    firstName,
    lastName,
    dateOfBirth: birthDate(record.sourcedId, demographics, location, problems),
    sex: sexOf(demographics?.sex),
    ncYear: ncYear(facts.text('ncYear'), config.gradeVocabulary),
    senStatus: facts.senStatus(),
    disadvantaged: facts.flag('disadvantaged'),
    eal: facts.eal(),
    onRollFrom: isoDateOrNull(role?.beginDate),
    onRollTo: isoDateOrNull(role?.endDate),
  };
  return { kind: 'pupil', pupil, problems };
}

interface Role {
  role: string;
  org: string | null;
  beginDate: unknown;
  endDate: unknown;
}

/** The user's student roles; `listed` is false when the answer had no roles at all. */
function studentRoles(record: StudentRecord): { listed: boolean; student: Role[] } {
  if (!Array.isArray(record.roles)) return { listed: false, student: [] };
  const roles = record.roles.filter(isObject).map(
    (role): Role => ({
      role: String(role.role ?? ''),
      org: isObject(role.org) && typeof role.org.sourcedId === 'string' ? role.org.sourcedId : null,
      beginDate: role.beginDate,
      endDate: role.endDate,
    }),
  );
  return { listed: roles.length > 0, student: roles.filter((role) => role.role === 'student') };
}

function roleAtSchool(roles: Role[], schoolId: string): Role | undefined {
  return roles.find((role) => role.org === schoolId);
}

function primaryOrgIs(record: StudentRecord, schoolId: string): boolean {
  return isObject(record.primaryOrg) && record.primaryOrg.sourcedId === schoolId;
}

/** Reads the England-specific facts from the first field source that holds a value. */
class FactReader {
  constructor(
    private readonly record: StudentRecord,
    private readonly demographics: Demographics | undefined,
    private readonly fields: PupilFields,
    private readonly location: string,
    private readonly problems: RecordProblem[],
  ) {}

  text(field: keyof PupilFields): string | null {
    const found = this.find(field);
    if (found === null) return null;
    if (typeof found.value === 'string' || typeof found.value === 'number') {
      const value = String(found.value).trim();
      return value === '' ? null : value;
    }
    this.report(field, found.source, 'is not text');
    return null;
  }

  senStatus(): 'N' | 'K' | 'E' | null {
    const value = this.text('senStatus');
    if (value === null) return null;
    const code = value.toUpperCase();
    if (code === 'N' || code === 'K' || code === 'E') return code;
    this.report('senStatus', this.find('senStatus')!.source, `is "${value}", not N, K or E`);
    return null;
  }

  flag(field: 'disadvantaged' | 'eal'): boolean | null {
    const found = this.find(field);
    if (found === null) return null;
    const flag = booleanOf(found.value);
    if (flag !== undefined) return flag;
    this.report(field, found.source, `is "${String(found.value)}", not true or false`);
    return null;
  }

  /** EAL as a flag, or derived from a first-language code (research B.6). */
  eal(): boolean | null {
    const found = this.find('eal');
    if (found === null) return null;
    const flag = booleanOf(found.value);
    if (flag !== undefined) return flag;
    const language = typeof found.value === 'string' ? found.value.trim().toUpperCase() : '';
    if (/^[A-Z]{3,4}$/.test(language)) {
      // ENG and ENB are English; refused and not obtained say nothing either way.
      if (language === 'ENG' || language === 'ENB') return false;
      if (language === 'REF' || language === 'NOT') return null;
      return true;
    }
    this.report('eal', found.source, `is "${String(found.value)}", not a flag or language code`);
    return null;
  }

  private find(field: keyof PupilFields): { source: string; value: unknown } | null {
    for (const source of this.fields[field]) {
      const value = this.read(source);
      if (value !== undefined && value !== null && value !== '') return { source, value };
    }
    return null;
  }

  private read(source: string): unknown {
    const record = this.record;
    if (source.startsWith('userIds:')) return userId(record.userIds, source.slice(8));
    if (source === 'identifier') return record.identifier;
    if (source === 'grades') return Array.isArray(record.grades) ? record.grades[0] : undefined;
    if (source.startsWith('metadata.')) return pathValue(record.metadata, source.slice(9));
    return this.demographics?.extensions[source];
  }

  private report(field: keyof PupilFields, source: string, what: string): void {
    this.problems.push({
      location: this.location,
      row: null,
      field: source,
      code: 'pupil_field_unreadable',
      message:
        `The ${FIELD_NAMES[field]} of student ${this.record.sourcedId} (from ${source}) ${what}, ` +
        "so it was left blank. Correct it in the school's system, or change the source's " +
        'pupil field settings if it is read from the wrong place.',
    });
  }
}

function userId(userIds: unknown, type: string): unknown {
  if (!Array.isArray(userIds)) return undefined;
  const wanted = type.toLowerCase();
  const entry = userIds.find(
    (id) => isObject(id) && typeof id.type === 'string' && id.type.toLowerCase() === wanted,
  );
  return isObject(entry) ? entry.identifier : undefined;
}

function pathValue(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const key of path.split('.')) {
    if (!isObject(value)) return undefined;
    value = value[key];
  }
  return value;
}

function birthDate(
  id: string,
  demographics: Demographics | undefined,
  location: string,
  problems: RecordProblem[],
): string | null {
  const value = demographics?.birthDate;
  if (value === undefined || value === null || value === '') return null;
  const date = isoDateOrNull(value);
  if (date) return date;
  problems.push({
    location,
    row: null,
    field: 'birthDate',
    code: 'pupil_birth_date_unreadable',
    message:
      `The date of birth of student ${id} in demographics is "${String(value)}", not a date ` +
      "(YYYY-MM-DD), so it was left blank. Correct it in the school's system.",
  });
  return null;
}

// OneRoster's `sex` is male, female, other or unspecified; only the first two map to CTF sex.
function sexOf(value: unknown): 'M' | 'F' | null {
  const sex = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (sex === 'male' || sex === 'm') return 'M';
  if (sex === 'female' || sex === 'f') return 'F';
  return null;
}

// CEDS US grades (research A.4): kindergarten is Year 1 in England and pre-kindergarten is
// Reception, so grade N is Year N+1.
function ncYear(value: string | null, vocabulary: OneRosterConfig['gradeVocabulary']) {
  if (value === null || vocabulary === 'as-written') return value;
  const grade = value.toUpperCase();
  if (grade === 'PK' || grade === 'TK') return 'R';
  if (grade === 'KG') return 'Y1';
  const number = Number(grade);
  return Number.isInteger(number) && number >= 1 && number <= 13 ? `Y${number + 1}` : value;
}

function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (['true', 'yes', 'y', '1'].includes(text)) return true;
  if (['false', 'no', 'n', '0'].includes(text)) return false;
  return undefined;
}

/** A date (or the date part of a date-time) as YYYY-MM-DD, or null. */
export function isoDateOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const date = value.trim().slice(0, 10);
  return isIsoDate(date) ? date : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unreadable(error: ZodError, location: string, what: string): RecordProblem {
  const issue = firstIssue(error);
  return {
    location,
    row: null,
    field: issue.field,
    code: `${what}_unreadable`,
    message:
      `A ${what} record could not be read (${issue.field ?? 'the record'}: ${issue.message}), ` +
      'so it was skipped. Report this to the Next Steps team with the page it came from.',
  };
}
