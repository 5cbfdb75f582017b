import {
  type CtfHeader,
  emptyAssessment,
  type KeyStageRecord,
  type PupilRecord,
  type StageAssessmentRecord,
} from './record.ts';

/**
 * The only elements a CTF read keeps, by their path under `Header` or under `Pupil` (B.2). Text
 * is captured for these alone, so addresses, contacts, medical, attendance and the Welsh block
 * are never held even briefly (policy 8.1). Any other element, including those a newer CTF
 * adds each year, is passed over.
 */

type HeaderField = (header: CtfHeader, text: string) => void;
type PupilField = (pupil: PupilRecord, text: string) => void;
type PupilGroup = (pupil: PupilRecord, line: number) => void;

export const HEADER_FIELDS: ReadonlyMap<string, HeaderField> = new Map<string, HeaderField>([
  ['DocumentName', (h, text) => (h.documentName ??= text)],
  ['CTFversion', (h, text) => (h.version ??= text)],
  ['DateTime', (h, text) => (h.dateTime ??= text)],
  ['DocumentQualifier', (h, text) => (h.qualifier ??= text)],
  ['SupplierID', (h, text) => (h.supplier ??= text)],
  ['SourceSchool/LEA', (h, text) => (h.sourceLea ??= text)],
  ['SourceSchool/Estab', (h, text) => (h.sourceEstab ??= text)],
  ['SourceSchool/URN', (h, text) => (h.sourceUrn ??= text)],
  ['SourceSchool/SchoolName', (h, text) => (h.schoolName ??= text)],
  ['SourceSchool/AcademicYear', (h, text) => (h.academicYear ??= text)],
]);

const ASSESSMENT = 'StageAssessments/KeyStage/StageAssessment';

const assessmentField =
  (key: keyof Omit<StageAssessmentRecord, 'line'>): PupilField =>
  (pupil, text) => {
    const assessment = lastAssessment(pupil);
    assessment[key] ??= text;
  };

export const PUPIL_FIELDS: ReadonlyMap<string, PupilField> = new Map<string, PupilField>([
  ['UPN', (p, text) => (p.upn ??= text)],
  ['Surname', (p, text) => (p.surname ??= text)],
  ['Forename', (p, text) => (p.forename ??= text)],
  ['DOB', (p, text) => (p.dob ??= text)],
  ['Sex', (p, text) => (p.sex ??= text)],
  ['Gender', (p, text) => (p.sex ??= text)],
  ['BasicDetails/FormerUPN', (p, text) => (p.formerUpn ??= text)],
  ['BasicDetails/NCyearActual', (p, text) => (p.ncYear ??= text)],
  ['BasicDetails/Languages/Type/LanguageType', (p, text) => (p.languages.at(-1)!.type ??= text)],
  ['BasicDetails/Languages/Type/Language', (p, text) => (p.languages.at(-1)!.code ??= text)],
  ['FSMhistory/FSMinstance/FSMstartDate', (p, text) => (p.fsm!.at(-1)!.start ??= text)],
  ['FSMhistory/FSMinstance/FSMendDate', (p, text) => (p.fsm!.at(-1)!.end ??= text)],
  ['SENhistory/SEN/StartDate', (p, text) => (p.sen!.at(-1)!.start ??= text)],
  ['SENhistory/SEN/SENprovision', (p, text) => (p.sen!.at(-1)!.provision ??= text)],
  ['SchoolHistory/School/LEA', (p, text) => (p.schools.at(-1)!.lea ??= text)],
  ['SchoolHistory/School/Estab', (p, text) => (p.schools.at(-1)!.estab ??= text)],
  ['SchoolHistory/School/EntryDate', (p, text) => (p.schools.at(-1)!.entry ??= text)],
  ['SchoolHistory/School/LeavingDate', (p, text) => (p.schools.at(-1)!.leaving ??= text)],
  ['StageAssessments/KeyStage/Stage', (p, text) => (lastKeyStage(p).stage ??= text)],
  [`${ASSESSMENT}/Locale`, assessmentField('locale')],
  [`${ASSESSMENT}/Year`, assessmentField('year')],
  [`${ASSESSMENT}/Subject`, assessmentField('subject')],
  [`${ASSESSMENT}/Method`, assessmentField('method')],
  [`${ASSESSMENT}/Component`, assessmentField('component')],
  [`${ASSESSMENT}/ResultQualifier`, assessmentField('qualifier')],
  [`${ASSESSMENT}/Result`, assessmentField('result')],
  [`${ASSESSMENT}/ResultDate`, assessmentField('resultDate')],
]);

/** Elements that start a repeated group; a group's fields always come inside it. */
export const PUPIL_GROUPS: ReadonlyMap<string, PupilGroup> = new Map<string, PupilGroup>([
  ['BasicDetails/Languages/Type', (p) => p.languages.push({ type: null, code: null })],
  ['FSMhistory', (p) => (p.fsm ??= [])],
  ['FSMhistory/FSMinstance', (p) => p.fsm!.push({ start: null, end: null })],
  ['SENhistory', (p) => (p.sen ??= [])],
  ['SENhistory/SEN', (p) => p.sen!.push({ start: null, provision: null })],
  [
    'SchoolHistory/School',
    (p) => p.schools.push({ lea: null, estab: null, entry: null, leaving: null }),
  ],
  ['StageAssessments/KeyStage', (p) => p.keyStages.push({ stage: null, assessments: [] })],
  [ASSESSMENT, (p, line) => lastKeyStage(p).assessments.push(emptyAssessment(line))],
]);

function lastKeyStage(pupil: PupilRecord): KeyStageRecord {
  return pupil.keyStages.at(-1)!;
}

function lastAssessment(pupil: PupilRecord): StageAssessmentRecord {
  return lastKeyStage(pupil).assessments.at(-1)!;
}
