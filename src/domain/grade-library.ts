import type { NcYear } from './nc-year.ts';

/**
 * The trust-wide library of standard codes: statutory teacher assessment and pre-key stage
 * codes, the engagement model, qualifications, and the trust's own NX codes. Every seed is a
 * proposal that a subject leader confirms before it lands a grade (6.1, 6.2); the reasons cite
 * Appendix 1 as the policy notes reconstruct it. Values are written as the DfE and exam boards
 * spell them; matching ignores case and spacing.
 */

export interface LibraryRuleSeed {
  match: 'value' | 'range' | 'alias';
  value?: string;
  rangeMin?: number;
  rangeMax?: number;
  aliasOf?: string;
  gradeSet?: string;
  yearFrom?: NcYear;
  yearTo?: NcYear;
  /** Null for an alias, which names a value rather than a point. */
  nxCode: string | null;
  reason: string;
}

/** A value the library deliberately leaves to each school, with the reason why. */
export interface LibraryGap {
  values: readonly string[];
  yearFrom: NcYear;
  yearTo: NcYear;
  reason: string;
}

export const GCSE_GRADE_SET = 'GCSE';
export const A_LEVEL_GRADE_SET = 'A level';
export const AS_LEVEL_GRADE_SET = 'AS level';
export const KS2_SCALED_SCORE_GRADE_SET = 'KS2 scaled score';

const NX_CODES: readonly LibraryRuleSeed[] = Array.from({ length: 13 }, (_, index) => {
  const code = `NX${index + 1}`;
  const reason = `The trust's own code: ${code} recorded by a school is that point (Appendix 1)`;
  return { match: 'value', value: code, nxCode: code, reason };
});

// KS1 teacher assessment is an end of key stage judgement, and Appendix 1 ties NX7 to Y2. In Y1
// "EXS" means on track within the year, which is nearer NX6, so Y1 is left to schools.
const KS1_TEACHER_ASSESSMENT: readonly LibraryRuleSeed[] = [
  ks1('WTS', 'NX6', 'working towards the expected standard is NX6'),
  ks1('EXS', 'NX7', 'working at the expected standard is NX7'),
  ks1('GDS', 'NX8', 'working at greater depth is NX8'),
];

const KS2_TEACHER_ASSESSMENT: readonly LibraryRuleSeed[] = [
  ks2('WTS', 'NX8', 'working towards the expected standard is NX8'),
  ks2('EXS', 'NX9', 'working at the expected standard is NX9'),
  ks2('GDS', 'NX10', 'working at greater depth is NX10'),
];

// Appendix 1 gives Standard n one point whether it was assessed at KS1 (PK1-PK4) or KS2
// (PK1-PK6), and a special school uses the standards in any year (3.2.3): no year range.
const PRE_KEY_STAGE: readonly LibraryRuleSeed[] = [1, 2, 3, 4, 5, 6].flatMap((standard) => {
  const code = `PK${standard}`;
  const nxCode = `NX${standard + 1}`;
  const reason = `Pre-key stage standard ${standard} (${code}) is ${nxCode} (Appendix 1)`;
  const spellings = [
    alias(`Standard ${standard}`, code, 'the specialist descriptor in Appendix 1'),
    alias(`Pre-key stage 2 standard ${standard}`, code, 'the STA name of the standard'),
  ];
  if (standard <= 4) {
    spellings.push(alias(`Pre-key stage 1 standard ${standard}`, code, 'the STA name'));
  }
  return [{ match: 'value', value: code, nxCode, reason }, ...spellings];
});

const ENGAGEMENT_MODEL: readonly LibraryRuleSeed[] = [
  {
    match: 'value',
    value: 'EM',
    nxCode: 'NX1',
    reason: 'Engagement model: not yet engaged in subject-specific study is NX1 (Appendix 1)',
  },
  alias('Engagement Model', 'EM', 'the engagement model code in a CTF'),
];

const GCSE_GRADES: readonly LibraryRuleSeed[] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map(gcse);

// Appendix 1 puts working towards Entry Level 2 and 3 at the same point as the level itself.
const ENTRY_LEVEL: readonly LibraryRuleSeed[] = [
  qualification('Working towards Entry Level 1', 'NX6'),
  ...[1, 2, 3].flatMap((level) => [
    qualification(`EL${level}`, `NX${level + 6}`, `Entry Level ${level}`),
    alias(`Entry Level ${level}`, `EL${level}`, 'the full name of the level'),
    alias(`Entry ${level}`, `EL${level}`, 'a common short name of the level'),
  ]),
  qualification('Working towards Entry Level 2', 'NX8'),
  qualification('Working towards Entry Level 3', 'NX9'),
];

const LEVEL_QUALIFICATIONS: readonly LibraryRuleSeed[] = [
  qualification('Functional Skills Level 1', 'NX11'),
  alias('FS Level 1', 'Functional Skills Level 1', 'a common short name'),
  qualification('Functional Skills Level 2', 'NX12'),
  alias('FS Level 2', 'Functional Skills Level 2', 'a common short name'),
  qualification('BTEC Level 1', 'NX11'),
  alias('BTEC L1', 'BTEC Level 1', 'a common short name'),
  qualification('BTEC Level 2', 'NX12'),
  alias('BTEC L2', 'BTEC Level 2', 'a common short name'),
  qualification('A level', 'NX13'),
  qualification('AS level', 'NX13'),
  qualification('NVQ Level 3', 'NX13'),
];

// Any pass at AS or A level is NX13; U is not a pass and is left to schools.
const LEVEL_3_GRADES: readonly LibraryRuleSeed[] = [
  ...['A*', 'A', 'B', 'C', 'D', 'E'].map((grade) => level3(A_LEVEL_GRADE_SET, grade)),
  ...['A', 'B', 'C', 'D', 'E'].map((grade) => level3(AS_LEVEL_GRADE_SET, grade)),
];

// Appendix 1 gives KS2 expected (NX9) and greater depth (NX10) but no score; 100 is the expected
// standard, and 110 as the line for greater depth is the trust's choice to confirm.
const KS2_SCALED_SCORES: readonly LibraryRuleSeed[] = [
  scaledScore(80, 99, 'NX8', 'below 100 is working towards the KS2 expected standard, NX8'),
  scaledScore(100, 109, 'NX9', '100 or more meets the KS2 expected standard, NX9'),
  scaledScore(110, 120, 'NX10', '110 or more is taken as greater depth, NX10'),
];

export const GRADE_LIBRARY: readonly LibraryRuleSeed[] = [
  ...NX_CODES,
  ...KS1_TEACHER_ASSESSMENT,
  ...KS2_TEACHER_ASSESSMENT,
  ...PRE_KEY_STAGE,
  ...ENGAGEMENT_MODEL,
  ...GCSE_GRADES,
  ...ENTRY_LEVEL,
  ...LEVEL_QUALIFICATIONS,
  ...LEVEL_3_GRADES,
  ...KS2_SCALED_SCORES,
];

/** Teacher assessment codes outside the statutory years, which the library leaves to schools. */
export const LEFT_TO_SCHOOLS: readonly LibraryGap[] = [
  {
    values: ['WTS', 'EXS', 'GDS'],
    yearFrom: 'Y1',
    yearTo: 'Y1',
    reason:
      'In Y1 these judge progress within the year; Appendix 1 places KS1 codes at the end of Y2',
  },
  {
    values: ['WTS', 'EXS', 'GDS'],
    yearFrom: 'Y3',
    yearTo: 'Y5',
    reason:
      'In Y3-Y5 these judge against the year, and Appendix 1 names points only for KS1 and KS2',
  },
];

/**
 * Outcome codes in a CTF or tracker export that record no attainment (B.3), keyed by their
 * normalised spelling. They are never landed at a point; the meaning explains why.
 */
export const NON_ATTAINMENT_CODES: ReadonlyMap<string, string> = new Map([
  ['A', 'absent, recently arrived, or not enough information for a judgement'],
  ['D', 'disapplied, or did not take the check'],
  ['L', 'has left the school'],
  ['F', 'will complete the key stage in a future year'],
  ['P', 'completed the key stage in a previous year'],
  ['M', 'result missing'],
  ['T', 'unable to access the test'],
  ['U', 'unable to access the check'],
  ['Q', 'annulled for maladministration'],
  ['H', 'annulled because the pupil cheated'],
  ['J', 'just arrived'],
  ['Z', 'incorrectly registered for the check'],
  ['NAA', 'not able to administer the check'],
  ['X', 'did not take the check, or did not complete it'],
]);

/**
 * Codes that do speak about attainment (B.3) but do not say which point: a subject leader
 * places these pupils, or a school writes its own rule.
 */
export const CODES_WITHOUT_A_POINT: ReadonlyMap<string, string> = new Map([
  ['HNM', 'has not met the expected standard, without saying how far below it'],
  ['AS', 'achieved the expected standard in the test, whether at greater depth or not'],
  ['NS', 'did not achieve the expected standard in the test, by an unknown margin'],
  ['B', 'working below the level of the test or check'],
  ['BLW', 'below the pre-key stage standards (historical), assessed with P scales'],
  ['PKF', 'interim pre-key stage (2017/18): foundations for the expected standard'],
  ['PKE', 'interim pre-key stage (2017/18): early development of the expected standard'],
  ['PKG', 'interim pre-key stage (2017/18): growing development of the expected standard'],
  ['WA', 'met the phonics screening check standard: phonics, not a subject point'],
  ['WT', 'did not meet the phonics screening check standard: phonics, not a subject point'],
]);

function ks1(value: string, nxCode: string, meaning: string): LibraryRuleSeed {
  const reason = `KS1 teacher assessment (Y2): ${meaning} (Appendix 1)`;
  return { match: 'value', value, yearFrom: 'Y2', yearTo: 'Y2', nxCode, reason };
}

function ks2(value: string, nxCode: string, meaning: string): LibraryRuleSeed {
  const reason = `KS2 teacher assessment (Y6): ${meaning} (Appendix 1)`;
  return { match: 'value', value, yearFrom: 'Y6', yearTo: 'Y6', nxCode, reason };
}

function alias(value: string, aliasOf: string, spelling: string): LibraryRuleSeed {
  const reason = `"${value}" is another spelling of ${aliasOf}: ${spelling}`;
  return { match: 'alias', value, aliasOf, nxCode: null, reason };
}

function qualification(value: string, nxCode: string, name = value): LibraryRuleSeed {
  return { match: 'value', value, nxCode, reason: `${name} is ${nxCode} (Appendix 1)` };
}

function gcse(grade: number): LibraryRuleSeed {
  const [nxCode, band] = grade <= 3 ? ['NX11', 'grades 1-3'] : ['NX12', 'grades 4-9'];
  const reason = `GCSE grade ${grade} is ${nxCode}, which holds ${band} (Appendix 1)`;
  return { match: 'value', value: String(grade), gradeSet: GCSE_GRADE_SET, nxCode, reason };
}

function level3(gradeSet: string, grade: string): LibraryRuleSeed {
  const reason = `${gradeSet} grade ${grade} is a pass at ${gradeSet}, NX13 (Appendix 1)`;
  return { match: 'value', value: grade, gradeSet, nxCode: 'NX13', reason };
}

function scaledScore(min: number, max: number, nxCode: string, meaning: string): LibraryRuleSeed {
  const reason = `Proposal to confirm: a KS2 scaled score ${meaning} (Appendix 1)`;
  return {
    match: 'range',
    rangeMin: min,
    rangeMax: max,
    gradeSet: KS2_SCALED_SCORE_GRADE_SET,
    nxCode,
    reason,
  };
}
