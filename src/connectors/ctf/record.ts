/**
 * A pupil and the header as the CTF writes them, before any translation: only the elements the
 * trust needs (policy 8.1), as trimmed text, or null where the element is absent or empty.
 */

export interface CtfHeader {
  documentName: string | null;
  version: string | null;
  dateTime: string | null;
  /** "full" for a transfer of everything, "partial" for an assessment export (B.1). */
  qualifier: string | null;
  supplier: string | null;
  sourceLea: string | null;
  sourceEstab: string | null;
  sourceUrn: string | null;
  schoolName: string | null;
  academicYear: string | null;
}

export interface LanguageRecord {
  type: string | null;
  code: string | null;
}

export interface FsmRecord {
  start: string | null;
  end: string | null;
}

export interface SenRecord {
  start: string | null;
  provision: string | null;
}

export interface SchoolRecord {
  lea: string | null;
  estab: string | null;
  entry: string | null;
  leaving: string | null;
}

export interface StageAssessmentRecord {
  line: number;
  locale: string | null;
  year: string | null;
  subject: string | null;
  method: string | null;
  component: string | null;
  qualifier: string | null;
  result: string | null;
  resultDate: string | null;
}

export interface KeyStageRecord {
  stage: string | null;
  assessments: StageAssessmentRecord[];
}

export interface PupilRecord {
  /** Place among the file's pupils, from 0; a checkpoint counts in these. */
  index: number;
  /** The line of the `<Pupil>` tag. */
  line: number;
  upn: string | null;
  formerUpn: string | null;
  surname: string | null;
  forename: string | null;
  dob: string | null;
  /** `Sex`, or `Gender` in CTFs before about CTF 18 (B.2). */
  sex: string | null;
  ncYear: string | null;
  languages: LanguageRecord[];
  /** Null when the pupil has no `FSMhistory` element at all. */
  fsm: FsmRecord[] | null;
  /** Null when the pupil has no `SENhistory` element at all. */
  sen: SenRecord[] | null;
  schools: SchoolRecord[];
  keyStages: KeyStageRecord[];
  /** Elements whose text used an entity, which is never expanded; their text was not kept. */
  unexpanded: string[];
}

export function emptyHeader(): CtfHeader {
  return {
    documentName: null,
    version: null,
    dateTime: null,
    qualifier: null,
    supplier: null,
    sourceLea: null,
    sourceEstab: null,
    sourceUrn: null,
    schoolName: null,
    academicYear: null,
  };
}

export function emptyPupil(index: number, line: number): PupilRecord {
  return {
    index,
    line,
    upn: null,
    formerUpn: null,
    surname: null,
    forename: null,
    dob: null,
    sex: null,
    ncYear: null,
    languages: [],
    fsm: null,
    sen: null,
    schools: [],
    keyStages: [],
    unexpanded: [],
  };
}

export function emptyAssessment(line: number): StageAssessmentRecord {
  return {
    line,
    locale: null,
    year: null,
    subject: null,
    method: null,
    component: null,
    qualifier: null,
    result: null,
    resultDate: null,
  };
}
