/**
 * The columns of the trust's termly return. Only these are read (policy 8.1): any other column,
 * an address or a medical note included, is ignored.
 */

export type ReturnField =
  | 'upn'
  | 'surname'
  | 'forename'
  | 'dateOfBirth'
  | 'yearGroup'
  | 'sex'
  | 'senStatus'
  | 'disadvantaged'
  | 'eal'
  | 'assessmentDate'
  | 'period'
  | 'subject'
  | 'value';

export interface SubjectSpec {
  /** The trust's code for the subject, used in result ids so that a renamed column keeps them. */
  code: string;
  name: string;
  /** Other headers a school writes for it ("Maths"). */
  aliases?: readonly string[];
}

/** Baseline subjects (policy 8.3): reading, writing and mathematics. */
export const DEFAULT_SUBJECTS: readonly SubjectSpec[] = [
  { code: 'reading', name: 'Reading' },
  { code: 'writing', name: 'Writing' },
  { code: 'mathematics', name: 'Mathematics', aliases: ['Maths', 'Math'] },
];

/** The header the template writes for each field. */
export const FIELD_LABELS: Record<ReturnField, string> = {
  upn: 'UPN',
  surname: 'Surname',
  forename: 'Forename',
  dateOfBirth: 'Date of birth',
  yearGroup: 'Year group',
  sex: 'Sex',
  senStatus: 'SEN status',
  disadvantaged: 'Disadvantaged',
  eal: 'EAL',
  assessmentDate: 'Assessment date',
  period: 'Collection',
  subject: 'Subject',
  value: 'Value',
};

/** The pupil columns, in template order. */
export const PUPIL_FIELDS: readonly ReturnField[] = [
  'upn',
  'surname',
  'forename',
  'dateOfBirth',
  'yearGroup',
  'sex',
  'senStatus',
  'disadvantaged',
  'eal',
];

const FIELD_ALIASES: Record<ReturnField, readonly string[]> = {
  upn: ['UPN', 'Unique Pupil Number', 'Pupil UPN'],
  surname: ['Surname', 'Last name', 'Legal surname', 'Family name'],
  forename: ['Forename', 'Forenames', 'First name', 'Legal forename', 'Given name'],
  dateOfBirth: ['DOB', 'Date of birth', 'Birth date'],
  yearGroup: ['Year', 'Year group', 'NC year', 'National curriculum year'],
  sex: ['Sex', 'Gender'],
  senStatus: ['SEN', 'SEN status', 'SEN provision', 'SEND', 'SEND status'],
  disadvantaged: ['Disadvantaged', 'PP', 'Pupil premium', 'FSM6', 'Ever 6 FSM'],
  eal: ['EAL', 'English as an additional language'],
  assessmentDate: ['Assessment date', 'Date assessed', 'Assessed on', 'Date'],
  period: ['Collection', 'Term', 'Period', 'Collection point'],
  subject: ['Subject'],
  value: ['Value', 'Grade', 'Result', 'NX point', 'Next Steps point'],
};

const FIELD_BY_HEADER = new Map<string, ReturnField>(
  Object.entries(FIELD_ALIASES).flatMap(([field, aliases]) =>
    aliases.map((alias) => [headerKey(alias), field as ReturnField] as const),
  ),
);

/**
 * Reduces a header to letters and digits, so that case, spacing, punctuation and a bracketed
 * hint ("Date of birth (dd/mm/yyyy)") do not matter.
 */
export function headerKey(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\([^)]*\)/g, '')
    .replace(/[^a-z0-9]/g, '');
}

export function fieldForHeader(header: string): ReturnField | null {
  return FIELD_BY_HEADER.get(headerKey(header)) ?? null;
}

export function subjectForHeader(
  header: string,
  subjects: readonly SubjectSpec[],
): SubjectSpec | null {
  const key = headerKey(header);
  if (key === '') return null;
  return subjects.find((subject) => subjectKeys(subject).includes(key)) ?? null;
}

function subjectKeys(subject: SubjectSpec): string[] {
  return [subject.code, subject.name, ...(subject.aliases ?? [])].map(headerKey);
}
