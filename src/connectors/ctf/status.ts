import { isIsoDate } from '../../domain/iso-date.ts';
import type { RecordProblem, SourcePupil } from '../contract.ts';
import { type Place, problem } from './problems.ts';
import type { FsmRecord, LanguageRecord, SchoolRecord, SenRecord } from './record.ts';

/**
 * SEN status, disadvantage, EAL and the dates on roll, worked out from a pupil's histories in
 * the CTF (B.6). Where a history is missing, a full CTF means there is nothing to record, while
 * a partial one (an assessment export) simply did not carry it, so the status is unknown.
 */

export interface FileFacts {
  location: string;
  /** The date in the header's DateTime: Ever 6 counts back from it. */
  madeOn: string;
  /** DocumentQualifier "full": every section of common transfer information is present. */
  full: boolean;
  sourceLea: string | null;
  sourceEstab: string | null;
}

export interface Where {
  place: Place;
  who: string;
  problems: RecordProblem[];
}

type SenStatus = SourcePupil['senStatus'];

// Statements became EHC plans (the transfer ended in 2018), and School Action and School
// Action Plus became SEN support in the 2014 reforms.
const SEN_CODES: ReadonlyMap<string, NonNullable<SenStatus>> = new Map([
  ['N', 'N'],
  ['K', 'K'],
  ['E', 'E'],
  ['S', 'E'],
  ['A', 'K'],
  ['P', 'K'],
]);

/** English, or not known but believed to be English (B.6). */
const ENGLISH = new Set(['ENG', 'ENB']);

/** The provision of the SEN record that started last. */
export function senStatus(sen: SenRecord[] | null, facts: FileFacts, where: Where): SenStatus {
  if (sen === null) return facts.full ? 'N' : null;
  if (sen.length === 0) return 'N';

  const dated = sen.filter((record) =>
    checkedDate(record.start, 'SENhistory/SEN/StartDate', where),
  );
  const latest = dated.length > 0 ? dated.reduce(laterStart) : sen.at(-1)!;
  if (latest.provision === null) return null;
  const status = SEN_CODES.get(latest.provision.toUpperCase());
  if (status) return status;
  report(
    where,
    'SENhistory/SEN/SENprovision',
    'sen_unrecognised',
    `SEN provision "${latest.provision}" is not a census code, so SEN status was left blank. ` +
      'The codes are N (no SEN), K (SEN support) and E (EHC plan).',
  );
  return null;
}

/**
 * Disadvantaged, as the trust counts it: eligible for free school meals at any time in the
 * `years` years before the file was made, the DfE's "Ever 6 FSM" (B.6: the DfE derives it from
 * FSM records, as we do here from the CTF's FSM periods). Pupil premium's other routes, such as
 * being looked after, are not read: that block is outside what the trust collects (8.1).
 */
export function disadvantaged(
  fsm: FsmRecord[] | null,
  facts: FileFacts,
  years: number,
  where: Where,
): boolean | null {
  if (fsm === null) return facts.full ? false : null;
  const from = yearsBefore(facts.madeOn, years);
  let unreadable = false;
  for (const period of fsm) {
    const eligible = eligibleWithin(period, from, facts.madeOn, where);
    if (eligible === true) return true;
    if (eligible === null) unreadable = true;
  }
  return unreadable ? null : false;
}

/** True, false, or null when the period's dates cannot say. */
function eligibleWithin(period: FsmRecord, from: string, to: string, where: Where): boolean | null {
  const start = checkedDate(period.start, 'FSMhistory/FSMinstance/FSMstartDate', where)
    ? period.start
    : null;
  const endReadable = checkedDate(period.end, 'FSMhistory/FSMinstance/FSMendDate', where);
  if (start !== null && start > to) return false;
  if (period.end === null) return start === null ? null : true;
  if (endReadable) return period.end >= from;
  // The end is unreadable: only a start inside the window still decides.
  return start !== null && start >= from ? true : null;
}

/** True for English; null when the first language is unknown, refused or not recorded. */
export function englishAsAdditional(
  languages: LanguageRecord[],
  unknownCodes: readonly string[],
): boolean | null {
  const first = languages.find((language) => language.type?.toUpperCase() === 'F');
  const code = first?.code?.toUpperCase();
  if (code === undefined) return null;
  if (ENGLISH.has(code)) return false;
  if (unknownCodes.some((unknown) => unknown.toUpperCase() === code)) return null;
  return true;
}

/** The pupil's entry to and leaving of the school that made the file, from SchoolHistory. */
export function onRoll(
  schools: SchoolRecord[],
  facts: FileFacts,
  where: Where,
): { from: string | null; to: string | null } {
  const here = schools.filter(
    (school) =>
      facts.sourceLea !== null &&
      school.lea === facts.sourceLea &&
      school.estab === facts.sourceEstab,
  );
  const entered = here.filter((school) =>
    checkedDate(school.entry, 'SchoolHistory/School/EntryDate', where),
  );
  if (entered.length === 0) return { from: null, to: null };
  const latest = entered.reduce((a, b) => (b.entry! >= a.entry! ? b : a));
  const left = checkedDate(latest.leaving, 'SchoolHistory/School/LeavingDate', where);
  return { from: latest.entry, to: left ? latest.leaving : null };
}

/** True for a real date; reports a date that is written but impossible. */
export function checkedDate(date: string | null, field: string, where: Where): boolean {
  if (date === null) return false;
  if (isIsoDate(date)) return true;
  report(
    where,
    field,
    'date_invalid',
    `${field.split('/').at(-1)} "${date}" is not a real date written YYYY-MM-DD, ` +
      'so it was not used.',
  );
  return false;
}

function report(
  where: Where,
  field: string,
  code: 'date_invalid' | 'sen_unrecognised',
  text: string,
): void {
  where.problems.push(problem(where.place, field, code, `${where.who}: ${text}`));
}

function laterStart(a: SenRecord, b: SenRecord): SenRecord {
  return b.start! >= a.start! ? b : a;
}

function yearsBefore(date: string, years: number): string {
  const shifted = `${Number(date.slice(0, 4)) - years}${date.slice(4)}`;
  // 29 February has no twin in most years.
  return isIsoDate(shifted) ? shifted : `${shifted.slice(0, 4)}-02-28`;
}
