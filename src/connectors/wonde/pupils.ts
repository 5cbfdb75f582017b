import type { RecordProblem, SourcePupil } from '../contract.ts';
import type { WondeConfig } from './config.ts';
import { readDate } from './dates.ts';
import { combineDisadvantaged, readFlag } from './flags.ts';
import type { WondePermission } from './permissions.ts';
import { firstField, included, isRecord, textOf as text } from './schemas.ts';

// Only what the trust needs (policy 8.1): never contacts, addresses, photos, medical or
// behaviour includes. `year` is asked for as a fallback when the NC year is missing.
export const STUDENT_INCLUDES = ['education_details', 'extended_details', 'year'] as const;

// SEN codes before 2014 still appear in older MIS data: a statement is now an EHC plan (E), and
// School Action and School Action Plus are now SEN support (K).
const SEN_CODES: Record<string, 'N' | 'K' | 'E'> = {
  N: 'N',
  K: 'K',
  E: 'E',
  S: 'E',
  A: 'K',
  P: 'K',
};

const SEX: Record<string, 'M' | 'F'> = { MALE: 'M', FEMALE: 'F', M: 'M', F: 'F' };

// Names vary between copies of Wonde's docs and between integrators (research 1.8).
const EAL_FIELDS = ['english_as_additional_language', 'english_as_additional_language_status'];

/** A page of Wonde students, translated; `ids` pairs Wonde's changing id with the `upi`. */
export interface StudentPage {
  pupils: SourcePupil[];
  problems: RecordProblem[];
  ids: [wondeId: string, upi: string][];
}

export function translateStudents(
  records: readonly unknown[],
  location: string,
  config: Pick<WondeConfig, 'names'>,
): StudentPage {
  const page: StudentPage = { pupils: [], problems: [], ids: [] };
  for (const record of records) {
    const problems: RecordProblem[] = [];
    const pupil = translateStudent(record, config, (field, code, message) =>
      problems.push({ location, row: null, field, code, message }),
    );
    page.problems.push(...problems);
    if (!pupil) continue;
    page.pupils.push(pupil.pupil);
    if (pupil.wondeId) page.ids.push([pupil.wondeId, pupil.pupil.externalId]);
  }
  return page;
}

type Report = (field: string | null, code: string, message: string) => void;

interface Translated {
  pupil: SourcePupil;
  wondeId: string | null;
}

function translateStudent(
  record: unknown,
  config: Pick<WondeConfig, 'names'>,
  report: Report,
): Translated | null {
  if (!isRecord(record)) {
    report(
      null,
      'wonde_student_unreadable',
      'A student in this list is not a record Wonde describes, so it was not read. If this ' +
        'comes back at the next sync, report it to the Next Steps team with the run id.',
    );
    return null;
  }
  const who = describeStudent(record);
  // `id` changes when a pupil is dis-enrolled and enrolled again; `upi` does not (research 1.4).
  const upi = text(record.upi);
  if (!upi) {
    report(
      'upi',
      'wonde_student_no_upi',
      `${who} has no upi, so cannot be matched from one sync to the next. Ask Wonde ` +
        'support why this student has no upi.',
    );
    return null;
  }

  const education = included(record.education_details) ?? {};
  const extended = included(record.extended_details) ?? {};
  const field = (name: string, message: string) =>
    report(name, 'wonde_student_field', `${who}: ${message}`);
  const pupil: SourcePupil = {
    externalId: upi,
    upn: text(education.upn),
    formerUpn: text(education.former_upn),
    ...names(record, config, field),
    dateOfBirth: date(record.date_of_birth, 'date_of_birth', field),
    sex: sex(record.gender, field),
    ncYear: ncYear(education, included(record.year)),
    senStatus: senStatus(extended.sen_status, field),
    disadvantaged: disadvantaged(extended, field),
    eal: eal(extended, field),
    onRollFrom: date(education.admission_date, 'education_details.admission_date', field),
    onRollTo: date(education.leaving_date, 'education_details.leaving_date', field),
  };
  return { pupil, wondeId: text(record.id) };
}

/**
 * The permissions whose properties came back null on every one of these students. One pupil
 * may lack a date of birth; a whole list without one means the school withheld it.
 */
export function withheldPermissions(
  records: readonly unknown[],
  options: { fieldsToo: boolean },
): WondePermission[] {
  const students = records.filter(isRecord);
  if (students.length === 0) return [];
  const all = (lacks: (student: Record<string, unknown>) => boolean) => students.every(lacks);
  const blank = (value: unknown) => value === null || value === undefined;

  // An include that was granted always comes back as `{data: {...}}`, even for one pupil.
  const withheld: WondePermission[] = [];
  if (all((s) => included(s.education_details) === null)) withheld.push('education_details');
  if (all((s) => included(s.extended_details) === null)) withheld.push('extended_details');
  if (
    all((s) => included(s.year) === null && !text(included(s.education_details)?.current_nc_year))
  ) {
    withheld.push('year');
  }
  if (!options.fieldsToo) return withheld;
  if (all((s) => blank(s.date_of_birth))) withheld.push('date_of_birth');
  if (all((s) => blank(s.gender))) withheld.push('gender');
  return withheld;
}

/** The Wonde id and MIS id of a student, which a school can look up; never the name. */
export function describeStudent(record: Record<string, unknown>): string {
  const id = text(record.id) ?? 'with no id';
  const misId = text(record.mis_id);
  return misId ? `Student ${id} (MIS id ${misId})` : `Student ${id}`;
}

function names(
  record: Record<string, unknown>,
  config: Pick<WondeConfig, 'names'>,
  field: (name: string, message: string) => void,
): { firstName: string; lastName: string } {
  const preferred = ['forename', 'surname'] as const;
  const legal = ['legal_forename', 'legal_surname'] as const;
  const [first, second] = config.names === 'legal' ? [legal, preferred] : [preferred, legal];
  const firstName = text(record[first[0]]) ?? text(record[second[0]]);
  const lastName = text(record[first[1]]) ?? text(record[second[1]]);
  if (!firstName) field(first[0], 'has no forename.');
  if (!lastName) field(first[1], 'has no surname.');
  return { firstName: firstName ?? '', lastName: lastName ?? '' };
}

function date(value: unknown, name: string, field: (name: string, message: string) => void) {
  const parsed = readDate(value);
  if (parsed.ok) return parsed.value;
  field(name, `${name} ${parsed.reason}; it was left blank.`);
  return null;
}

function sex(value: unknown, field: (name: string, message: string) => void): 'M' | 'F' | null {
  const gender = text(value);
  if (!gender) return null;
  const known = SEX[gender.toUpperCase()];
  if (!known) field('gender', `gender "${gender}" is neither MALE nor FEMALE; sex was left blank.`);
  return known ?? null;
}

function ncYear(
  education: Record<string, unknown>,
  year: Record<string, unknown> | null,
): string | null {
  return text(education.current_nc_year) ?? text(year?.code) ?? text(year?.name);
}

function senStatus(value: unknown, field: (name: string, message: string) => void) {
  const code = text(value);
  if (!code) return null;
  const known = SEN_CODES[code.toUpperCase()];
  if (!known)
    field(
      'extended_details.sen_status',
      `SEN status "${code}" is not N, K or E; it was left blank.`,
    );
  return known ?? null;
}

function disadvantaged(
  extended: Record<string, unknown>,
  field: (name: string, message: string) => void,
) {
  const names = ['premium_pupil_indicator', 'free_school_meals', 'free_school_meals_6'];
  const flags = names.map((name) => flag(extended[name], `extended_details.${name}`, field));
  return combineDisadvantaged(flags);
}

function eal(extended: Record<string, unknown>, field: (name: string, message: string) => void) {
  const found = firstField(extended, EAL_FIELDS);
  return found ? flag(found.value, `extended_details.${found.name}`, field) : null;
}

function flag(value: unknown, name: string, field: (name: string, message: string) => void) {
  const parsed = readFlag(value);
  if (parsed.ok) return parsed.value;
  field(name, `${name} ${parsed.reason}; it was left blank.`);
  return null;
}
