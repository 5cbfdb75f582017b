import { addDays } from '../../../../src/domain/iso-date.ts';
import { ncYearOrdinal } from '../../../../src/domain/nc-year.ts';
import type { SyntheticPupil, SyntheticSchool } from '../../../../src/fakes/school.ts';

/**
 * Writes a synthetic school as a CTF, the way an MIS exports one for a school's own pupils: the
 * header, each pupil's details and histories, and the statutory assessments each pupil's year
 * group has had by the end of the academic year (B.2, B.3). Element order follows CTF writers
 * (UPN, names, DOB, Sex, then the blocks). `unread` adds what a full CTF also carries and the
 * trust never collects, so that tests can show it is left out.
 */

export interface CtfSpec {
  school: SyntheticSchool;
  /** The academic year the file closes, by the year it started: 2024 for 2024/25. */
  startYear: number;
  /** The header DateTime, at the end of that year's summer term. */
  dateTime: string;
  qualifier?: 'full' | 'partial';
  version?: string;
  /** `Gender` is what CTFs before about CTF 18 call the pupil's sex. */
  sexElement?: 'Sex' | 'Gender';
  unread?: boolean;
}

export interface PlannedAssessment {
  stage: string;
  year: number;
  subject: string;
  method: string;
  component: string;
  qualifier: string;
  /** Empty for a phonics mark left blank beside an absence code. */
  result: string;
  resultDate: string | null;
}

const LANGUAGES = ['POL', 'URD', 'BNG', 'ARA', 'PAN', 'SOM', 'RUM', 'PRT', 'TUR', 'LIT'];
// The phonics screening check was not taken in 2020, and KS1 teacher assessment was not
// collected in 2020 or 2021 (the pandemic) nor after 2023 (non-statutory from 2023/24).
const NO_ASSESSMENTS = 2020;
const KS1_TA_LAST = 2023;
const MTC_FIRST = 2022;

export function ctfHeader(spec: CtfSpec): string {
  const { school } = spec;
  const [lea, estab] = [school.laestab.slice(0, 3), school.laestab.slice(3)];
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n<CTfile>\n  <Header>\n' +
    '    <DocumentName>Common Transfer File</DocumentName>\n' +
    `    <CTFversion>${spec.version ?? '25.0'}</CTFversion>\n` +
    `    <DateTime>${spec.dateTime}</DateTime>\n` +
    `    <DocumentQualifier>${spec.qualifier ?? 'full'}</DocumentQualifier>\n` +
    '    <SupplierID>Example MIS</SupplierID>\n' +
    `    <SourceSchool>\n      <LEA>${lea}</LEA>\n      <Estab>${estab}</Estab>\n` +
    `      <URN>${school.urn}</URN>\n      <SchoolName>${xmlText(school.name)}</SchoolName>\n` +
    `      <AcademicYear>${spec.startYear}</AcademicYear>\n    </SourceSchool>\n` +
    `    <DestSchool>\n      <LEA>${lea}</LEA>\n      <Estab>${estab}</Estab>\n` +
    '    </DestSchool>\n  </Header>\n  <CTFpupilData>\n'
  );
}

export const CTF_FOOTER = '  </CTFpupilData>\n</CTfile>\n';

export function ctfXml(spec: CtfSpec, pupils = spec.school.pupils): string {
  const body = pupils.map((pupil) => pupilXml(spec, pupil)).join('');
  return ctfHeader(spec) + body + CTF_FOOTER;
}

export function pupilXml(spec: CtfSpec, pupil: SyntheticPupil): string {
  const sex = spec.sexElement ?? 'Sex';
  const lines = [
    '    <Pupil>',
    `      <UPN>${pupil.upn}</UPN>`,
    `      <Surname>${xmlText(pupil.lastName)}</Surname>`,
    `      <Forename>${xmlText(pupil.firstName)}</Forename>`,
    `      <DOB>${pupil.dateOfBirth}</DOB>`,
    `      <${sex}>${pupil.sex}</${sex}>`,
    ...basicDetails(spec, pupil),
    ...(spec.unread ? unreadBlocks(pupil) : []),
    ...fsmHistory(spec, pupil),
    ...senHistory(pupil),
    ...stageAssessments(assessmentsFor(spec, pupil)),
    ...schoolHistory(spec, pupil),
    '    </Pupil>',
  ];
  return `${lines.join('\n')}\n`;
}

/** The statutory assessments a pupil has had by the end of `spec.startYear`'s summer. */
export function assessmentsFor(spec: CtfSpec, pupil: SyntheticPupil): PlannedAssessment[] {
  const ordinal = ncYearOrdinal(pupil.ncYear) ?? 10;
  const n = serial(pupil);
  const band = bandsOf(spec.school, pupil);
  const special = spec.school.style === 'special';
  // The summer in which the pupil was in year `k`.
  const summerOf = (k: number) => spec.startYear + 1 - (ordinal - k);
  const planned: PlannedAssessment[] = [];

  if (ordinal >= 1 && summerOf(1) !== NO_ASSESSMENTS) {
    planned.push(...phonics(summerOf(1), n, band.reading, special));
  }
  const ks1 = summerOf(2);
  if (ordinal >= 2 && ks1 <= KS1_TA_LAST && ks1 !== NO_ASSESSMENTS && ks1 !== 2021) {
    planned.push(...teacherAssessment('KS1', ks1, n, band, special));
  }
  if (ordinal >= 4 && summerOf(4) >= MTC_FIRST)
    planned.push(mtc(summerOf(4), n, band.maths, special));
  if (ordinal >= 6 && summerOf(6) !== NO_ASSESSMENTS) {
    planned.push(...teacherAssessment('KS2', summerOf(6), n, band, special));
    if (!special) planned.push(...ks2Tests(summerOf(6), n, band));
  }
  return planned;
}

interface Bands {
  reading: number;
  writing: number;
  maths: number;
}

/** 0, 1 or 2 from the pupil's latest tracker grade in each subject: low, expected, high. */
function bandsOf(school: SyntheticSchool, pupil: SyntheticPupil): Bands {
  const latest = new Map<string, string | undefined>();
  for (const result of resultsOf(school, pupil)) {
    const aspect = school.aspects.find((a) => a.id === result.aspectId)!;
    latest.set(aspect.subject, result.value);
  }
  const bandOf = (value: string | undefined): number => {
    if (value === undefined) return 1;
    const step = /PK(\d)|Step (\d)/.exec(value);
    if (step) return Number(step[1] ?? step[2]);
    if (/GDS|Mastery/.test(value)) return 2;
    return /EXS|Secure/.test(value) ? 1 : 0;
  };
  return {
    reading: bandOf(latest.get('reading')),
    writing: bandOf(latest.get('writing')),
    maths: bandOf(latest.get('mathematics')),
  };
}

// The school's results, grouped once per school and kept for the next pupil.
const BY_PUPIL = new WeakMap<SyntheticSchool, Map<string, SyntheticSchool['results']>>();

function resultsOf(school: SyntheticSchool, pupil: SyntheticPupil): SyntheticSchool['results'] {
  let byPupil = BY_PUPIL.get(school);
  if (!byPupil) {
    byPupil = new Map();
    for (const result of school.results) {
      const list = byPupil.get(result.pupilId) ?? [];
      list.push(result);
      byPupil.set(result.pupilId, list);
    }
    BY_PUPIL.set(school, byPupil);
  }
  return byPupil.get(pupil.id) ?? [];
}

function phonics(year: number, n: number, band: number, special: boolean): PlannedAssessment[] {
  const check = (qualifier: string, result: string) =>
    assessment('KS1', year, 'ENG', 'TT', 'PHO', qualifier, result, `${year}-06-13`);
  if (special) {
    if (n % 2 === 0) return [check('MK', ''), check('OC', 'D')];
    return [check('MK', String(4 + (n % 9))), check('OC', 'Wt')];
  }
  if (n % 41 === 3) return [check('MK', ''), check('OC', 'A')];
  const mark = band === 0 ? 20 + (n % 12) : 32 + (n % 9);
  return [check('MK', String(mark)), check('OC', mark >= 32 ? 'Wa' : 'Wt')];
}

function teacherAssessment(
  stage: 'KS1' | 'KS2',
  year: number,
  n: number,
  band: Bands,
  special: boolean,
): PlannedAssessment[] {
  const date = `${year}-06-${stage === 'KS1' ? '24' : '27'}`;
  const ta = (subject: string, component: string, result: string) =>
    assessment(stage, year, subject, 'TA', component, '', result, date);
  if (special) {
    // One pupil in five is not yet engaged in subject-specific study.
    const code = (step: number) => preKeyStage(stage, year, n % 5 === 0 ? 1 : step);
    return [
      ta('ENG', 'REA', code(band.reading)),
      ta('ENG', 'WRI', code(band.writing)),
      ta('MAT', '', code(band.maths)),
      ta('SCI', '', 'HNM'),
    ];
  }
  if (stage === 'KS1' && n % 43 === 2) {
    return ['REA', 'WRI', '', ''].map((component, i) =>
      ta(i < 2 ? 'ENG' : i === 2 ? 'MAT' : 'SCI', component, 'A'),
    );
  }
  const standard = (value: number) => ['WTS', 'EXS', 'GDS'][Math.min(2, value)]!;
  const science = ta('SCI', '', band.reading + band.maths >= 2 ? 'EXS' : 'HNM');
  // KS2 reading and maths are judged by the tests; their teacher assessment is not collected.
  if (stage === 'KS2') return [ta('ENG', 'WRI', standard(band.writing)), science];
  return [
    ta('ENG', 'REA', standard(band.reading)),
    ta('ENG', 'WRI', standard(band.writing)),
    ta('MAT', '', standard(band.maths)),
    science,
  ];
}

/**
 * The code below the expected standard for a tracker step of 1 to 6, as it was written in that
 * year (B.3): the interim standards until 2018, the pre-key stage standards from 2019, and the
 * engagement model in place of "below" from 2022.
 */
function preKeyStage(stage: 'KS1' | 'KS2', year: number, step: number): string {
  if (step <= 1) return year >= 2022 ? 'EM' : 'BLW';
  if (year <= 2018) return stage === 'KS1' ? 'PKF' : ['PKF', 'PKE', 'PKG'][Math.min(2, step - 2)]!;
  return `PK${Math.min(step - 1, stage === 'KS1' ? 4 : 6)}`;
}

function mtc(year: number, n: number, band: number, special: boolean): PlannedAssessment {
  const codes = ['A', 'J', 'NAA', 'X'];
  let result = String(band === 0 ? 8 + (n % 10) : band === 1 ? 18 + (n % 6) : 24 + (n % 2));
  if (special) result = n % 3 === 0 ? 'B' : n % 3 === 1 ? 'U' : String(n % 9);
  else if (n % 37 === 5) result = codes[Math.floor(n / 37) % codes.length]!;
  return assessment('KS2', year, 'MAT', 'TT', 'MTC', 'MT', result, null);
}

function ks2Tests(year: number, n: number, band: Bands): PlannedAssessment[] {
  const score = (value: number) => String([88, 100, 110][Math.min(2, value)]! + (n % 9));
  const test = (subject: string, component: string, value: number) =>
    assessment('KS2', year, subject, 'TT', component, 'SS', score(value), `${year}-07-09`);
  return [
    test('ENG', 'REA', band.reading),
    test('ENG', 'GPS', band.writing),
    test('MAT', '', band.maths),
  ];
}

function assessment(
  stage: string,
  year: number,
  subject: string,
  method: string,
  component: string,
  qualifier: string,
  result: string,
  resultDate: string | null,
): PlannedAssessment {
  return { stage, year, subject, method, component, qualifier, result, resultDate };
}

function basicDetails(spec: CtfSpec, pupil: SyntheticPupil): string[] {
  const year = pupil.ncYear.startsWith('Y') ? pupil.ncYear.slice(1) : pupil.ncYear;
  const language = pupil.eal ? LANGUAGES[serial(pupil) % LANGUAGES.length]! : 'ENG';
  const unread = spec.unread
    ? [
        '        <Ethnicity>WBRI</Ethnicity>',
        '        <EthnicitySource>C</EthnicitySource>',
        '        <MedicalFlag>true</MedicalFlag>',
        '        <Disabilities><Disability>NONE</Disability></Disabilities>',
        '        <EnrolStatus>C</EnrolStatus>',
      ]
    : [];
  return [
    '      <BasicDetails>',
    `        <NCyearActual>${year}</NCyearActual>`,
    ...unread,
    '        <Languages>',
    `          <Type><LanguageType>F</LanguageType><Language>${language}</Language></Type>`,
    '        </Languages>',
    '      </BasicDetails>',
  ];
}

/** A disadvantaged pupil has had free school meals within the last six years. */
function fsmHistory(spec: CtfSpec, pupil: SyntheticPupil): string[] {
  if (!pupil.disadvantaged) return [];
  const made = spec.dateTime.slice(0, 10);
  const start = pupil.onRollFrom;
  const ended = serial(pupil) % 2 === 1;
  const end = ended ? `      <FSMendDate>${addDays(made, -60)}</FSMendDate>` : null;
  return [
    '      <FSMhistory>',
    '        <FSMinstance>',
    `          <FSMstartDate>${start}</FSMstartDate>`,
    ...(end ? [`    ${end}`] : []),
    '          <UKcountry>ENG</UKcountry>',
    '        </FSMinstance>',
    '      </FSMhistory>',
  ];
}

/** An EHC plan follows a period of SEN support; the plan is written first, to test order. */
function senHistory(pupil: SyntheticPupil): string[] {
  if (pupil.senStatus === 'N') return [];
  const sen = (start: string, provision: string) =>
    `        <SEN><StartDate>${start}</StartDate><SENprovision>${provision}</SENprovision></SEN>`;
  const support = sen(pupil.onRollFrom, 'K');
  const entries =
    pupil.senStatus === 'E' ? [sen(addDays(pupil.onRollFrom, 400), 'E'), support] : [support];
  return [
    '      <SENhistory>',
    ...entries,
    '        <SENneeds><SENneed><SENtype>SLCN</SENtype><SENtypeRank>1</SENtypeRank></SENneed>',
    '        </SENneeds>',
    '      </SENhistory>',
  ];
}

function stageAssessments(planned: PlannedAssessment[]): string[] {
  if (planned.length === 0) return [];
  const stages = [...new Set(planned.map((p) => p.stage))];
  return [
    '      <StageAssessments>',
    ...stages.flatMap((stage) => [
      '        <KeyStage>',
      `          <Stage>${stage}</Stage>`,
      ...planned.filter((p) => p.stage === stage).map(stageAssessmentXml),
      '        </KeyStage>',
    ]),
    '      </StageAssessments>',
  ];
}

function stageAssessmentXml(p: PlannedAssessment): string {
  const parts = [
    `<Locale>ENG</Locale><Year>${p.year}</Year><Subject>${p.subject}</Subject>`,
    `<Method>${p.method}</Method><Component>${p.component}</Component>`,
    `<ResultStatus>R</ResultStatus><ResultQualifier>${p.qualifier}</ResultQualifier>`,
    `<Result>${p.result}</Result>`,
    p.resultDate ? `<ResultDate>${p.resultDate}</ResultDate>` : '',
  ];
  return `          <StageAssessment>${parts.join('')}</StageAssessment>`;
}

function schoolHistory(spec: CtfSpec, pupil: SyntheticPupil): string[] {
  const { school } = spec;
  return [
    '      <SchoolHistory>',
    '        <School>',
    `          <LEA>${school.laestab.slice(0, 3)}</LEA><Estab>${school.laestab.slice(3)}</Estab>`,
    `          <SchoolName>${xmlText(school.name)}</SchoolName>`,
    `          <EntryDate>${pupil.onRollFrom}</EntryDate>`,
    '        </School>',
    '      </SchoolHistory>',
  ];
}

/** Contact, address, medical and attendance data: in a full CTF, never read by the trust. */
function unreadBlocks(pupil: SyntheticPupil): string[] {
  const n = serial(pupil);
  const marks = '/\\/\\/\\/\\/\\'.repeat(38);
  return [
    '      <LookedAfter><InCare>false</InCare></LookedAfter>',
    '      <Address>',
    `        <BS7666Address><PAON>${n % 200}</PAON><Street>Harbour Street</Street>`,
    '        <Town>Leeds</Town><PostCode>ZZ99 3CZ</PostCode></BS7666Address>',
    '      </Address>',
    `      <Phones><Phone><TelephoneType>H</TelephoneType><PhoneNo>${phone(n)}</PhoneNo>`,
    '      </Phone></Phones>',
    `      <Email>family${n}@example.org</Email>`,
    '      <Contacts>',
    '        <Contact><Order>1</Order><Title>Ms</Title><Surname>Contactname</Surname>',
    '          <Forename>Parent</Forename><Relationship>PAR</Relationship>',
    `          <Phones><Phone><PhoneNo>${phone(n + 500)}</PhoneNo></Phone></Phones>`,
    '        </Contact>',
    '      </Contacts>',
    '      <Attendance>',
    '        <YearData><Year>2024</Year><SessionsPossible>380</SessionsPossible>',
    '          <SessionsAuthorised>9</SessionsAuthorised>',
    '          <SessionsUnauthorised>2</SessionsUnauthorised>',
    '          <AttendanceStartDate>2024-09-04</AttendanceStartDate>',
    `          <AttendanceMarks>${marks}</AttendanceMarks>`,
    '        </YearData>',
    '      </Attendance>',
  ];
}

/** Ofcom keeps 07700 900000 to 900999 for drama: never a real number. */
function phone(n: number): string {
  return `07700 900${String(n % 1000).padStart(3, '0')}`;
}

/** The pupil's number in the school, from 1. */
function serial(pupil: SyntheticPupil): number {
  return Number(pupil.id.split('-').at(-1));
}

function xmlText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
