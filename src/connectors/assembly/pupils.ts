import type { RecordProblem, SourcePupil } from '../contract.ts';
import type { AssemblyConfig } from './config.ts';
import { dateOf, endDateOf } from './dates.ts';
import { issueProblem, problem } from './problems.ts';
import { studentSchema, type WireStudent } from './wire.ts';

export interface TranslatedPupils {
  pupils: SourcePupil[];
  problems: RecordProblem[];
  /** Pupils that came without a demographics object although we asked for one. */
  withoutDemographics: number;
}

// The SEN codes before the 2014 reforms are still in old records: School Action and Action
// Plus became SEN support (K), statements became EHC plans (E).
const SEN_STATUS: Record<string, SourcePupil['senStatus']> = {
  N: 'N',
  K: 'K',
  E: 'E',
  A: 'K',
  P: 'K',
  S: 'E',
};

/** Turns a page of Assembly students into pupils; a record that cannot be read is a problem. */
export function translatePupils(
  records: readonly unknown[],
  location: string,
  config: AssemblyConfig,
): TranslatedPupils {
  const out: TranslatedPupils = { pupils: [], problems: [], withoutDemographics: 0 };
  for (const record of records) {
    const parsed = studentSchema.safeParse(record);
    if (!parsed.success) {
      out.problems.push(issueProblem(location, record, parsed.error, 'Student'));
      continue;
    }
    const student = parsed.data;
    if (!student.demographics) out.withoutDemographics += 1;
    const pupil = toPupil(student, location, config, out.problems);
    if (pupil) out.pupils.push(pupil);
  }
  return out;
}

function toPupil(
  student: WireStudent,
  location: string,
  config: AssemblyConfig,
  problems: RecordProblem[],
): SourcePupil | null {
  const firstName = pickName(student.first_name, student.legal_first_name, config.legalNames);
  const lastName = pickName(student.last_name, student.legal_last_name, config.legalNames);
  if (!firstName || !lastName) {
    const field = firstName ? 'last_name' : 'first_name';
    problems.push(
      problem(location, field, 'name_missing', `Student ${student.id} has no ${field}.`),
    );
    return null;
  }

  const demographics = student.demographics;
  return {
    externalId: student.id,
    upn: blankToNull(student.upn),
    formerUpn: blankToNull(student.former_upn),
    firstName,
    lastName,
    dateOfBirth: dateOf(student.dob),
    sex: sexOf(demographics?.gender),
    ncYear:
      student.year_code === null || student.year_code === undefined
        ? null
        : String(student.year_code),
    senStatus: senOf(student, location, problems),
    disadvantaged: disadvantagedOf(demographics?.is_pp, demographics?.is_fsm),
    eal: demographics?.is_eal ?? null,
    onRollFrom: dateOf(student.start_date),
    onRollTo: endDateOf(student.end_date),
  };
}

function pickName(
  preferred: string | null | undefined,
  legal: string | null | undefined,
  useLegal: boolean,
): string | null {
  const [first, second] = useLegal ? [legal, preferred] : [preferred, legal];
  return blankToNull(first) ?? blankToNull(second);
}

function sexOf(gender: string | null | undefined): SourcePupil['sex'] {
  const code = gender?.trim().toUpperCase();
  return code === 'M' || code === 'F' ? code : null;
}

function senOf(
  student: WireStudent,
  location: string,
  problems: RecordProblem[],
): SourcePupil['senStatus'] {
  const code = student.demographics?.sen_category?.trim().toUpperCase();
  if (!code) return null;
  const status = SEN_STATUS[code];
  if (status) return status;

  problems.push(
    problem(
      location,
      'demographics.sen_category',
      'sen_unknown',
      `Student ${student.id} has SEN category "${code}", which is not one we know; ` +
        'SEN status is left blank. Check the pupil in the MIS.',
    ),
  );
  return null;
}

// Pupil premium already counts Ever 6 FSM and looked-after pupils (Assembly's is_pp docs); a
// current FSM flag counts too, in case the school has not recorded the premium yet.
function disadvantagedOf(
  pupilPremium: boolean | null | undefined,
  freeMeals: boolean | null | undefined,
): boolean | null {
  if (pupilPremium === true || freeMeals === true) return true;
  if (pupilPremium === false || freeMeals === false) return false;
  return null;
}

function blankToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}
