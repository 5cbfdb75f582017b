/**
 * The outcomes each statutory assessment can record (B.3), current and historical, since a CTF
 * carries a pupil's whole history. A value outside them is still passed on as written, for a
 * subject leader to map, but reported: it is most often a typing error at the sending school.
 * Assessments we know no outcomes for (EYFS, KS3 and later, codes we do not recognise) are not
 * checked at all.
 */

export type AssessmentKind = 'teacher assessment' | 'test' | 'phonics' | 'mtc' | 'other';

export interface OutcomeRule {
  codes: readonly string[];
  /** Whole-number marks or scores that are also results. */
  marks: readonly [number, number] | null;
}

// P scales, used below the pre-key stage standards until the engagement model replaced them.
const P_SCALES = ['P1i', 'P1ii', 'P2i', 'P2ii', 'P3i', 'P3ii', 'P4', 'P5', 'P6', 'P7', 'P8'];
const PK = (last: number) => Array.from({ length: last }, (_, index) => `PK${index + 1}`);
// A, absent or not enough information; D, disapplied (before 2019); L, left; F and P, the key
// stage is finished in a future or a previous year.
const TA_OTHER = ['A', 'D', 'L', 'F', 'P', 'NOTSEN'];
const TA_STANDARD = ['GDS', 'EXS', 'WTS', 'HNM', 'BLW', 'EM'];

const KS1_TA: OutcomeRule = {
  // Levels W to 4 were the KS1 outcomes until 2015; PKF is the interim standard of 2016-18.
  codes: [
    ...TA_STANDARD,
    ...PK(4),
    'PKF',
    ...TA_OTHER,
    ...P_SCALES,
    ...['W', '1', '2C', '2B', '2A', '3', '4'],
  ],
  marks: null,
};

const KS2_TA: OutcomeRule = {
  codes: [...TA_STANDARD, ...PK(6), 'PKF', 'PKE', 'PKG', ...TA_OTHER, ...P_SCALES],
  marks: null,
};

// Scaled scores run from 80 to 120; raw marks sit below them.
const KS2_TEST: OutcomeRule = {
  codes: ['AS', 'NS', 'B', 'A', 'M', 'T', 'H', 'Q', 'L', 'F', 'P'],
  marks: [0, 120],
};

const PHONICS: OutcomeRule = { codes: ['Wa', 'Wt', 'A', 'D', 'L', 'Q'], marks: [0, 40] };

// DfE's MTC service writes these (research B.3, from its ctf-results list).
const MTC: OutcomeRule = {
  codes: ['A', 'L', 'Z', 'U', 'B', 'J', 'NAA', 'Q', 'H', 'X'],
  marks: [0, 25],
};

export function outcomeRule(kind: AssessmentKind, stage: string): OutcomeRule | null {
  if (kind === 'mtc') return MTC;
  if (kind === 'phonics') return PHONICS;
  if (kind === 'teacher assessment' && stage === 'KS1') return KS1_TA;
  if (kind === 'teacher assessment' && stage === 'KS2') return KS2_TA;
  if (kind === 'test' && stage === 'KS2') return KS2_TEST;
  return null;
}

/** Codes are compared without regard to case: phonics "Wa" is often written "WA". */
export function isKnownOutcome(rule: OutcomeRule, value: string): boolean {
  if (rule.marks && /^\d{1,3}$/.test(value)) {
    const mark = Number(value);
    return mark >= rule.marks[0] && mark <= rule.marks[1];
  }
  const upper = value.toUpperCase();
  return rule.codes.some((code) => code.toUpperCase() === upper);
}

/** The codes in a message: levels and P scales left out, a run of PK standards shortened. */
export function describeOutcomes(rule: OutcomeRule): string {
  const codes = rule.codes.filter((code) => !/^\d/.test(code) && !/^(P\d|W$)/.test(code));
  const standards = codes.filter((code) => /^PK\d$/.test(code));
  const shown = codes.flatMap((code) => {
    if (!/^PK\d$/.test(code)) return [code];
    return code === standards[0] ? [`${code}-${standards.at(-1)}`] : [];
  });
  const list = `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
  if (!rule.marks) return list;
  return `a mark from ${rule.marks[0]} to ${rule.marks[1]}, or ${list}`;
}
