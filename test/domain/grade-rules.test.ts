import { describe, expect, it } from 'vitest';
import {
  compareSpecificity,
  describeRuleScope,
  type GradeRule,
  type LocalGrade,
  mapGrade,
  normaliseGradeValue,
  ruleApplies,
} from '../../src/domain/grade-rules.ts';

const SCHOOL = '5f0c2a9e-3b1d-4c6e-9a7f-1d2e3f4a5b6c';
const OTHER_SCHOOL = '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const MATHS = 3;
const WRITING = 2;
const Y6_WRITING_TA = 41;
const Y4_MATHS = 17;

const NX = {
  NX7: 'c7d3e1a2-0b4f-4e8a-9c6d-2f1e0a9b8c70',
  NX8: 'c7d3e1a2-0b4f-4e8a-9c6d-2f1e0a9b8c80',
  NX9: 'c7d3e1a2-0b4f-4e8a-9c6d-2f1e0a9b8c90',
  NX10: 'c7d3e1a2-0b4f-4e8a-9c6d-2f1e0a9b8ca0',
  NX11: 'c7d3e1a2-0b4f-4e8a-9c6d-2f1e0a9b8cb0',
  NX12: 'c7d3e1a2-0b4f-4e8a-9c6d-2f1e0a9b8cc0',
} as const;

let nextId = 100;

function rule(fields: Partial<GradeRule>): GradeRule {
  const id = fields.id ?? nextId++;
  return {
    id,
    ruleKey: `rule-${id}`,
    version: 1,
    schoolId: null,
    subjectId: null,
    aspectId: null,
    gradeSet: null,
    yearFrom: null,
    yearTo: null,
    match: 'value',
    value: null,
    rangeMin: null,
    rangeMax: null,
    aliasOf: null,
    nxPointId: null,
    ...fields,
  };
}

function grade(fields: Partial<LocalGrade>): LocalGrade {
  return {
    schoolId: SCHOOL,
    subjectId: WRITING,
    aspectId: Y6_WRITING_TA,
    gradeSet: null,
    value: 'EXS',
    yearOrdinal: 6,
    ...fields,
  };
}

const ks1Exs = rule({ value: 'EXS', yearFrom: 2, yearTo: 2, nxPointId: NX.NX7 });
const ks2Exs = rule({ value: 'EXS', yearFrom: 6, yearTo: 6, nxPointId: NX.NX9 });

const scaledScores = [
  rule({ match: 'range', gradeSet: 'KS2 scaled score', rangeMin: 80, rangeMax: 99 }),
  rule({ match: 'range', gradeSet: 'KS2 scaled score', rangeMin: 100, rangeMax: 109 }),
  rule({ match: 'range', gradeSet: 'KS2 scaled score', rangeMin: 110, rangeMax: 120 }),
].map((range, index) => ({ ...range, nxPointId: [NX.NX8, NX.NX9, NX.NX10][index] ?? null }));

function scaledScore(value: string): LocalGrade {
  return grade({ subjectId: MATHS, aspectId: 9, gradeSet: 'KS2 scaled score', value });
}

describe('normaliseGradeValue', () => {
  it('trims, collapses inner spaces and upper-cases', () => {
    expect(normaliseGradeValue('  y4   secure\t')).toBe('Y4 SECURE');
  });

  it('keeps punctuation and the words as written', () => {
    expect(normaliseGradeValue('Expected+')).toBe('EXPECTED+');
  });
});

describe('mapGrade by year', () => {
  const rules = [ks1Exs, ks2Exs];

  it('lands EXS in Y2 at NX7', () => {
    expect(mapGrade(rules, grade({ yearOrdinal: 2 }))?.nxPointId).toBe(NX.NX7);
  });

  it('lands EXS in Y6 at NX9', () => {
    expect(mapGrade(rules, grade({ yearOrdinal: 6 }))?.nxPointId).toBe(NX.NX9);
  });

  it('lands nothing for EXS in a year no rule covers', () => {
    expect(mapGrade(rules, grade({ yearOrdinal: 4 }))).toBeNull();
  });

  it('does not apply a year-ranged rule to a pupil not following an NC year', () => {
    expect(ruleApplies(ks2Exs, grade({ yearOrdinal: null }))).toBe(false);
    expect(mapGrade(rules, grade({ yearOrdinal: null }))).toBeNull();
  });

  it('applies a rule with no year range to a pupil not following an NC year', () => {
    const anyYear = rule({ value: 'PK4', nxPointId: NX.NX7 });
    expect(mapGrade([anyYear], grade({ value: 'PK4', yearOrdinal: null }))?.ruleId).toBe(
      anyYear.id,
    );
  });

  it('prefers a narrower year range to a wider one', () => {
    const keyStage = rule({ value: 'EXS', yearFrom: 3, yearTo: 6, nxPointId: NX.NX8 });
    expect(mapGrade([ks2Exs, keyStage], grade({ yearOrdinal: 6 }))?.ruleId).toBe(ks2Exs.id);
  });

  it('prefers a year range to none', () => {
    const anyYear = rule({ value: 'EXS', nxPointId: NX.NX8, id: 9000 });
    expect(mapGrade([anyYear, ks2Exs], grade({ yearOrdinal: 6 }))?.ruleId).toBe(ks2Exs.id);
  });
});

describe('mapGrade by scope', () => {
  const library = rule({ value: 'Y4 Secure', nxPointId: NX.NX8 });
  const schoolAspect = rule({
    schoolId: SCHOOL,
    subjectId: MATHS,
    aspectId: Y4_MATHS,
    value: 'Y4 Secure',
    nxPointId: NX.NX7,
  });
  const y4Secure = grade({ subjectId: MATHS, aspectId: Y4_MATHS, value: 'Y4 Secure' });

  it("lets the school's rule for its aspect beat the library", () => {
    const match = mapGrade([library, schoolAspect], y4Secure);
    expect(match?.nxPointId).toBe(NX.NX7);
    expect(match?.reason).toContain("the school's rule for this aspect");
  });

  it("lets even the school's widest rule beat the library's narrowest", () => {
    const schoolWide = rule({ schoolId: SCHOOL, value: 'EXS', nxPointId: NX.NX8 });
    expect(mapGrade([ks2Exs, schoolWide], grade({}))?.ruleId).toBe(schoolWide.id);
  });

  it("does not apply another school's rule", () => {
    const other = { ...schoolAspect, schoolId: OTHER_SCHOOL };
    expect(mapGrade([other], y4Secure)).toBeNull();
  });

  it('ranks aspect over grade set over subject over none', () => {
    const none = rule({ value: 'EXS', nxPointId: NX.NX8 });
    const subject = rule({ subjectId: WRITING, value: 'EXS', nxPointId: NX.NX8 });
    const gradeSet = rule({ gradeSet: 'TA', value: 'EXS', nxPointId: NX.NX8 });
    const aspect = rule({ aspectId: Y6_WRITING_TA, value: 'EXS', nxPointId: NX.NX9 });
    const ranked = [none, subject, gradeSet, aspect].sort(compareSpecificity);
    expect(ranked.map((r) => r.id)).toEqual([aspect.id, gradeSet.id, subject.id, none.id]);
  });

  it('compares grade sets without regard to case', () => {
    const gradeSet = rule({ gradeSet: 'gcse', value: '5', nxPointId: NX.NX12 });
    expect(ruleApplies(gradeSet, grade({ gradeSet: 'GCSE', value: '5' }))).toBe(true);
  });
});

describe('mapGrade by value', () => {
  it('ignores case and spacing', () => {
    const rules = [rule({ value: 'Y4 Secure', nxPointId: NX.NX8 })];
    expect(mapGrade(rules, grade({ value: ' y4  SECURE ' }))?.nxPointId).toBe(NX.NX8);
  });

  it('does not read "Expected" as EXS without an alias', () => {
    expect(mapGrade([ks2Exs], grade({ value: 'Expected' }))).toBeNull();
  });

  it('reads "Expected" as EXS through an alias', () => {
    const expected = rule({ schoolId: SCHOOL, match: 'alias', value: 'Expected', aliasOf: 'EXS' });
    const match = mapGrade([ks2Exs, expected], grade({ value: 'expected' }));
    expect(match).toMatchObject({ nxPointId: NX.NX9, ruleId: ks2Exs.id, aliasRuleId: expected.id });
    expect(match?.reason).toBe(
      `Read "Expected" as "EXS" by the school's alias for any subject. ` +
        `Matched "EXS" by the trust library's rule for any subject, year Y6.`,
    );
  });

  it('follows one alias only, not a chain', () => {
    const first = rule({ match: 'alias', value: 'Exp', aliasOf: 'Expected' });
    const second = rule({ match: 'alias', value: 'Expected', aliasOf: 'EXS' });
    expect(mapGrade([ks2Exs, first, second], grade({ value: 'Exp' }))).toBeNull();
  });

  it('falls back to the value as written when the alias leads nowhere', () => {
    const misleading = rule({ match: 'alias', value: 'GDS', aliasOf: 'Greater depth' });
    const gds = rule({ value: 'GDS', yearFrom: 6, yearTo: 6, nxPointId: NX.NX10 });
    const match = mapGrade([misleading, gds], grade({ value: 'GDS' }));
    expect(match).toMatchObject({ nxPointId: NX.NX10, aliasRuleId: null });
  });

  it('maps GCSE 5 only where the grade set is GCSE', () => {
    const gcse5 = rule({ gradeSet: 'GCSE', value: '5', nxPointId: NX.NX12 });
    expect(mapGrade([gcse5], grade({ gradeSet: 'GCSE', value: '5' }))?.nxPointId).toBe(NX.NX12);
    expect(mapGrade([gcse5], grade({ gradeSet: 'Year 9 working at', value: '5' }))).toBeNull();
    expect(mapGrade([gcse5], grade({ gradeSet: null, value: '5' }))).toBeNull();
  });

  it('prefers an exact value to a range of the same scope', () => {
    const exact = rule({ gradeSet: 'KS2 scaled score', value: '100', nxPointId: NX.NX10 });
    const match = mapGrade([...scaledScores, exact], scaledScore('100'));
    expect(match?.ruleId).toBe(exact.id);
  });

  it('gives a tie to the later confirmation', () => {
    const earlier = rule({ id: 500, value: 'Secure', nxPointId: NX.NX8 });
    const later = rule({ id: 501, value: 'Secure', nxPointId: NX.NX9 });
    expect(mapGrade([later, earlier], grade({ value: 'Secure' }))?.ruleId).toBe(501);
  });

  it('lands nothing when no rule matches', () => {
    expect(mapGrade([ks1Exs, ks2Exs], grade({ value: 'Emerging' }))).toBeNull();
    expect(mapGrade([], grade({}))).toBeNull();
  });

  it('passes over a rule that names no point', () => {
    const unfinished = rule({ schoolId: SCHOOL, value: 'EXS', nxPointId: null });
    expect(mapGrade([unfinished, ks2Exs], grade({}))?.ruleId).toBe(ks2Exs.id);
  });
});

describe('mapGrade by range', () => {
  it.each([
    ['80', NX.NX8],
    ['99', NX.NX8],
    ['100', NX.NX9],
    ['104', NX.NX9],
    ['104.5', NX.NX9],
    [' 109 ', NX.NX9],
    ['110', NX.NX10],
    ['120', NX.NX10],
  ])('lands a KS2 scaled score of "%s" inside its band, boundaries included', (value, point) => {
    expect(mapGrade(scaledScores, scaledScore(value))?.nxPointId).toBe(point);
  });

  it.each(['79', '121', '104a', '', ' ', '1e2', '104,0'])('lands nothing for "%s"', (value) => {
    expect(mapGrade(scaledScores, scaledScore(value))).toBeNull();
  });

  it('says which range matched', () => {
    expect(mapGrade(scaledScores, scaledScore('104'))?.reason).toBe(
      `Matched 104 to the range 100-109 by the trust library's rule for the grade set ` +
        `"KS2 scaled score".`,
    );
  });

  it('treats a missing bound as open', () => {
    const above = rule({ match: 'range', rangeMin: 110, nxPointId: NX.NX10 });
    expect(mapGrade([above], grade({ value: '131' }))?.nxPointId).toBe(NX.NX10);
  });

  it('matches nothing with neither bound', () => {
    const empty = rule({ match: 'range', nxPointId: NX.NX10 });
    expect(mapGrade([empty], grade({ value: '100' }))).toBeNull();
  });
});

describe('describeRuleScope', () => {
  it("names the school's aspect rule and its years", () => {
    const scoped = rule({ schoolId: SCHOOL, aspectId: 4, yearFrom: 5, yearTo: 6 });
    expect(describeRuleScope(scoped)).toBe("the school's rule for this aspect, years Y5-Y6");
  });

  it('uses the names it is given', () => {
    const scoped = rule({ subjectId: MATHS, gradeSet: 'GCSE', yearFrom: 10 });
    expect(describeRuleScope(scoped, { subject: 'Mathematics' })).toBe(
      `the trust library's rule for the subject "Mathematics" in the grade set "GCSE", from Y10`,
    );
  });

  it('labels Reception and the nursery years', () => {
    expect(describeRuleScope(rule({ yearFrom: -2, yearTo: 0 }))).toBe(
      "the trust library's rule for any subject, years N1-R",
    );
  });
});
