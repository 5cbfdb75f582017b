import { describe, expect, it } from 'vitest';
import { compare, protectParts, round } from '../../src/reports/suppression.ts';
import { lowerMedian, thresholdFor } from '../../src/reports/thresholds.ts';
import { compareYearGroups, yearGroupLabel } from '../../src/reports/year-groups.ts';

const SCALE = Array.from({ length: 13 }, (_, i) => ({
  id: `p${i + 1}`,
  code: `NX${i + 1}`,
  position: i + 1,
}));

describe('the point pupils are counted against', () => {
  const spread = (entries: [number, number][]) => new Map(entries);

  it('is the lower of the two middle points for an even count, so a pupil is at it', () => {
    expect(
      lowerMedian(
        spread([
          [6, 1],
          [7, 1],
          [8, 4],
          [9, 3],
        ]),
      ),
    ).toBe(8);
    expect(
      lowerMedian(
        spread([
          [2, 1],
          [7, 1],
        ]),
      ),
    ).toBe(2);
    expect(lowerMedian(spread([[5, 2]]))).toBe(5);
    expect(lowerMedian(spread([]))).toBeNull();
  });

  it('is NX7 at Y2 and NX9 at Y6 whatever the pupils, and the median elsewhere', () => {
    const low = spread([[3, 5]]);
    const options = { statutory: true, chosen: null };
    expect(thresholdFor('Y2', low, SCALE, options)).toEqual({
      position: 7,
      code: 'NX7',
      rule: 'ks1_expected',
    });
    expect(thresholdFor('Y6', low, SCALE, options)?.code).toBe('NX9');
    expect(thresholdFor('Y4', low, SCALE, options)).toEqual({
      position: 3,
      code: 'NX3',
      rule: 'median',
    });
    expect(thresholdFor('Y4', spread([]), SCALE, options)).toBeNull();
  });

  it("is the median at Y6 in a specialist school's own report, and the chosen point if any", () => {
    const low = spread([[2, 3]]);
    expect(thresholdFor('Y6', low, SCALE, { statutory: false, chosen: null })?.code).toBe('NX2');
    expect(thresholdFor('Y6', low, SCALE, { statutory: true, chosen: SCALE[7]! })).toEqual({
      position: 8,
      code: 'NX8',
      rule: 'chosen',
    });
  });
});

describe('suppression', () => {
  it('shows a group of at least five beside the other pupils, with the gap', () => {
    expect(compare({ pupils: 5, atOrAbove: 2 }, { pupils: 12, atOrAbove: 7 }, 5)).toEqual({
      group: { pupils: 5, atOrAbove: 2, suppressed: null },
      other: { pupils: 7, atOrAbove: 5, suppressed: null },
      gap: -31.4,
    });
  });

  it('hides a small group and the other pupils, whose figure would give it away', () => {
    const hidden = compare({ pupils: 4, atOrAbove: 1 }, { pupils: 30, atOrAbove: 20 }, 5);
    expect([hidden.group.suppressed, hidden.other.suppressed, hidden.gap]).toEqual([
      'small_group',
      'complement',
      null,
    ]);
    const mostly = compare({ pupils: 27, atOrAbove: 20 }, { pupils: 30, atOrAbove: 21 }, 5);
    expect([mostly.group.suppressed, mostly.other.suppressed]).toEqual([
      'complement',
      'small_group',
    ]);
  });

  it('shows a group with no pupils as it is: nobody can be identified in it', () => {
    const none = compare({ pupils: 0, atOrAbove: 0 }, { pupils: 9, atOrAbove: 4 }, 5);
    expect(none).toEqual({
      group: { pupils: 0, atOrAbove: 0, suppressed: null },
      other: { pupils: 9, atOrAbove: 4, suppressed: null },
      gap: null,
    });
  });

  it('holds back the smallest other part when one hidden part could be worked out', () => {
    const parts = [
      {
        name: 'Y2',
        comparison: compare({ pupils: 3, atOrAbove: 1 }, { pupils: 20, atOrAbove: 9 }, 5),
      },
      {
        name: 'Y4',
        comparison: compare({ pupils: 9, atOrAbove: 4 }, { pupils: 25, atOrAbove: 11 }, 5),
      },
      {
        name: 'Y6',
        comparison: compare({ pupils: 6, atOrAbove: 3 }, { pupils: 24, atOrAbove: 15 }, 5),
      },
    ];
    const guarded = protectParts(parts, 5);
    expect(guarded.map((part) => [part.name, part.comparison.group.suppressed])).toEqual([
      ['Y2', 'small_group'],
      ['Y4', null],
      ['Y6', 'secondary'],
    ]);
  });

  it('needs no more once the hidden parts add up to the threshold', () => {
    const parts = [
      { comparison: compare({ pupils: 3, atOrAbove: 1 }, { pupils: 20, atOrAbove: 9 }, 5) },
      { comparison: compare({ pupils: 2, atOrAbove: 1 }, { pupils: 20, atOrAbove: 9 }, 5) },
      { comparison: compare({ pupils: 8, atOrAbove: 3 }, { pupils: 20, atOrAbove: 9 }, 5) },
    ];
    expect(protectParts(parts, 5).map((part) => part.comparison.group.suppressed)).toEqual([
      'small_group',
      'small_group',
      null,
    ]);
  });

  it('rounds half away from zero', () => {
    expect(round(-31.45)).toBe(-31.5);
    expect(round(54.1666)).toBe(54.2);
    expect(round(-54.1666)).toBe(-54.2);
  });
});

describe('year groups', () => {
  it('run from nursery to Y14, then X, then not recorded', () => {
    expect(['X', 'Y10', '?', 'R', 'Y2', 'N1'].sort(compareYearGroups)).toEqual([
      'N1',
      'R',
      'Y2',
      'Y10',
      'X',
      '?',
    ]);
    expect(yearGroupLabel('X')).toBe('Not following an NC year');
    expect(yearGroupLabel('?')).toBe('Year group not recorded');
  });
});
