import { describe, expect, it } from 'vitest';
import {
  CODES_WITHOUT_A_POINT,
  GRADE_LIBRARY,
  LEFT_TO_SCHOOLS,
  type LibraryRuleSeed,
  NON_ATTAINMENT_CODES,
} from '../../src/domain/grade-library.ts';
import {
  type GradeRule,
  type LocalGrade,
  mapGrade,
  normaliseGradeValue,
} from '../../src/domain/grade-rules.ts';
import { type NcYear, ncYearOrdinal } from '../../src/domain/nc-year.ts';
import { NX_SCALE_SEED } from '../../src/domain/nx-scale.ts';

const NX_CODES = new Set(NX_SCALE_SEED.map((point) => point.code));

// The library as confirmed rules, with each point's code standing in for its id.
const LIBRARY_RULES: GradeRule[] = GRADE_LIBRARY.map((seed, index) => ({
  id: index + 1,
  ruleKey: `library-${index + 1}`,
  version: 1,
  schoolId: null,
  subjectId: null,
  aspectId: null,
  gradeSet: seed.gradeSet ?? null,
  yearFrom: ordinalOf(seed.yearFrom),
  yearTo: ordinalOf(seed.yearTo),
  match: seed.match,
  value: seed.value ?? null,
  rangeMin: seed.rangeMin ?? null,
  rangeMax: seed.rangeMax ?? null,
  aliasOf: seed.aliasOf ?? null,
  nxPointId: seed.nxCode,
}));

function ordinalOf(year: NcYear | undefined): number | null {
  return year === undefined ? null : ncYearOrdinal(year);
}

function landed(value: string, yearOrdinal: number | null, gradeSet: string | null = null) {
  const grade: LocalGrade = {
    schoolId: '5f0c2a9e-3b1d-4c6e-9a7f-1d2e3f4a5b6c',
    subjectId: 1,
    aspectId: 1,
    gradeSet,
    value,
    yearOrdinal,
  };
  return mapGrade(LIBRARY_RULES, grade)?.nxPointId ?? null;
}

function yearsOverlap(a: LibraryRuleSeed, b: LibraryRuleSeed): boolean {
  const [aFrom, aTo] = [ordinalOf(a.yearFrom) ?? -Infinity, ordinalOf(a.yearTo) ?? Infinity];
  const [bFrom, bTo] = [ordinalOf(b.yearFrom) ?? -Infinity, ordinalOf(b.yearTo) ?? Infinity];
  return aFrom <= bTo && bFrom <= aTo;
}

function sameScope(a: LibraryRuleSeed, b: LibraryRuleSeed): boolean {
  const gradeSet = (seed: LibraryRuleSeed) => normaliseGradeValue(seed.gradeSet ?? '');
  return gradeSet(a) === gradeSet(b) && yearsOverlap(a, b);
}

function sameValue(a: LibraryRuleSeed, b: LibraryRuleSeed): boolean {
  return normaliseGradeValue(a.value ?? '') === normaliseGradeValue(b.value ?? '');
}

function pairs<T>(list: readonly T[]): [T, T][] {
  return list.flatMap((a, index) => list.slice(index + 1).map((b): [T, T] => [a, b]));
}

const values = GRADE_LIBRARY.filter((seed) => seed.match === 'value');
const aliases = GRADE_LIBRARY.filter((seed) => seed.match === 'alias');
const ranges = GRADE_LIBRARY.filter((seed) => seed.match === 'range');

describe('GRADE_LIBRARY', () => {
  it('names a point of the scale for every value and range, and none for an alias', () => {
    for (const seed of GRADE_LIBRARY) {
      if (seed.match === 'alias') expect(seed.nxCode).toBeNull();
      else expect(NX_CODES.has(seed.nxCode ?? '')).toBe(true);
    }
  });

  it('gives every seed a one-line reason', () => {
    for (const seed of GRADE_LIBRARY) expect(seed.reason).toMatch(/^[^\n]{10,}$/);
  });

  it('has no two values that land the same grade at different points', () => {
    const conflicts = pairs(values).filter(
      ([a, b]) => sameValue(a, b) && sameScope(a, b) && a.nxCode !== b.nxCode,
    );
    expect(conflicts).toEqual([]);
  });

  it('has no overlapping ranges in one grade set', () => {
    const overlaps = pairs(ranges).filter(
      ([a, b]) =>
        sameScope(a, b) &&
        (a.rangeMin ?? 0) <= (b.rangeMax ?? 0) &&
        (b.rangeMin ?? 0) <= (a.rangeMax ?? 0),
    );
    expect(overlaps).toEqual([]);
  });

  it('has no spelling that is both an alias and a value, or two aliases', () => {
    const shadowed = aliases.filter((alias) =>
      GRADE_LIBRARY.some((other) => other !== alias && sameValue(alias, other)),
    );
    expect(shadowed).toEqual([]);
  });

  it('points every alias at a value the library lands', () => {
    for (const alias of aliases) {
      expect(values.some((seed) => sameValue(seed, { ...alias, value: alias.aliasOf }))).toBe(true);
    }
  });

  it('lands none of the codes that record no attainment or no single point', () => {
    const unscoped = GRADE_LIBRARY.filter((seed) => seed.gradeSet === undefined);
    for (const code of [...NON_ATTAINMENT_CODES.keys(), ...CODES_WITHOUT_A_POINT.keys()]) {
      expect(code).toBe(normaliseGradeValue(code));
      expect(unscoped.filter((seed) => normaliseGradeValue(seed.value ?? '') === code)).toEqual([]);
    }
  });

  it('seeds no teacher assessment code in the years it leaves to schools', () => {
    for (const gap of LEFT_TO_SCHOOLS) {
      const years: LibraryRuleSeed = { ...gap, match: 'value', nxCode: null };
      const seeded = values.filter(
        (seed) =>
          gap.values.includes(normaliseGradeValue(seed.value ?? '')) && yearsOverlap(seed, years),
      );
      expect(seeded).toEqual([]);
    }
  });
});

describe('the library as confirmed rules', () => {
  it.each([
    ['NX1', null, 'NX1'],
    ['nx13', 14, 'NX13'],
    ['EXS', 2, 'NX7'],
    ['WTS', 2, 'NX6'],
    ['GDS', 2, 'NX8'],
    ['WTS', 6, 'NX8'],
    ['EXS', 6, 'NX9'],
    ['GDS', 6, 'NX10'],
    ['PK1', 9, 'NX2'],
    ['PK4', 2, 'NX5'],
    ['PK6', null, 'NX7'],
    ['Standard 5', null, 'NX6'],
    ['Pre-key stage 2 standard 3', 6, 'NX4'],
    ['EM', null, 'NX1'],
    ['Engagement Model', 4, 'NX1'],
    ['Working towards Entry Level 1', 10, 'NX6'],
    ['EL1', 10, 'NX7'],
    ['Entry Level 2', 11, 'NX8'],
    ['Entry 3', 12, 'NX9'],
    ['Functional Skills Level 1', 11, 'NX11'],
    ['FS Level 2', 12, 'NX12'],
    ['BTEC Level 1', 11, 'NX11'],
    ['BTEC L2', 11, 'NX12'],
    ['A level', 13, 'NX13'],
    ['AS level', 12, 'NX13'],
    ['NVQ Level 3', 13, 'NX13'],
  ] as const)('lands "%s" in year %s at %s', (value, year, point) => {
    expect(landed(value, year)).toBe(point);
  });

  it.each([
    ['1', 'NX11'],
    ['3', 'NX11'],
    ['4', 'NX12'],
    ['9', 'NX12'],
  ])('lands GCSE grade %s at %s', (value, point) => {
    expect(landed(value, 11, 'GCSE')).toBe(point);
  });

  it('lands a bare 5 nowhere outside the GCSE grade set', () => {
    expect(landed('5', 11)).toBeNull();
  });

  it.each([
    ['A*', 'A level'],
    ['E', 'AS level'],
  ])('lands %s in the %s grade set at NX13', (value, gradeSet) => {
    expect(landed(value, 13, gradeSet)).toBe('NX13');
  });

  it.each([
    ['80', 'NX8'],
    ['99', 'NX8'],
    ['100', 'NX9'],
    ['109', 'NX9'],
    ['110', 'NX10'],
    ['120', 'NX10'],
  ])('proposes a KS2 scaled score of %s as %s', (value, point) => {
    expect(landed(value, 6, 'KS2 scaled score')).toBe(point);
  });

  it.each([
    ['EXS', 1],
    ['EXS', 4],
    ['GDS', 5],
    ['EXS', null],
  ] as const)('leaves "%s" in year %s to the school', (value, year) => {
    expect(landed(value, year)).toBeNull();
  });

  it('says the scaled score bands are a proposal to confirm', () => {
    for (const range of ranges) expect(range.reason).toMatch(/^Proposal to confirm/);
  });
});

describe('codes that land nowhere', () => {
  it.each(['A', 'D', 'L', 'Q'])('explains %s without landing it', (code) => {
    expect(NON_ATTAINMENT_CODES.get(code)).toBeTruthy();
    expect(landed(code, 6)).toBeNull();
  });

  it('explains HNM as below the standard by an unknown distance', () => {
    expect(CODES_WITHOUT_A_POINT.get('HNM')).toMatch(/not met the expected standard/);
    expect(landed('HNM', 6)).toBeNull();
  });
});
