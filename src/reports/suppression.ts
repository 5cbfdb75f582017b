/**
 * A group beside the other pupils, with the figures that could identify a pupil held back. A
 * group of fewer pupils than the threshold is suppressed; so is the figure for the other pupils
 * beside it, because the year group's whole figure is published too and the difference would
 * give the group away. Where a whole is split into parts (year groups, schools), more parts are
 * held back until the hidden ones add up to at least the threshold (7.3, 8.4.2).
 */

export interface Tally {
  pupils: number;
  atOrAbove: number;
}

export type SuppressionReason = 'small_group' | 'complement' | 'secondary';

export const SUPPRESSION_TEXT: Record<SuppressionReason, (threshold: number) => string> = {
  small_group: (threshold) => `suppressed (fewer than ${threshold})`,
  complement: (threshold) => `suppressed (would reveal a group of fewer than ${threshold})`,
  secondary: (threshold) =>
    `suppressed (would reveal, with the other figures, a group of fewer than ${threshold})`,
};

export interface Side extends Tally {
  suppressed: SuppressionReason | null;
}

export interface Comparison {
  group: Side;
  other: Side;
  /** Percentage points, group minus other pupils, to one decimal; null when not shown. */
  gap: number | null;
}

/** A group beside everyone else counted with it: the whole less the group. */
export function compare(group: Tally, whole: Tally, threshold: number): Comparison {
  const other = {
    pupils: whole.pupils - group.pupils,
    atOrAbove: whole.atOrAbove - group.atOrAbove,
  };
  if (isSmall(group.pupils, threshold)) return hidden(group, other, 'small_group', 'complement');
  if (isSmall(other.pupils, threshold)) return hidden(group, other, 'complement', 'small_group');
  return {
    group: { ...group, suppressed: null },
    other: { ...other, suppressed: null },
    gap: gapOf(group, other),
  };
}

/**
 * Holds back more parts of a published whole until what is hidden cannot be worked out for fewer
 * than `threshold` pupils: the whole less the parts shown is the sum of the parts hidden.
 */
export function protectParts<T extends { comparison: Comparison }>(
  parts: readonly T[],
  threshold: number,
): T[] {
  const result = parts.map((part) => ({ ...part }));
  for (;;) {
    const hiddenParts = result.filter((part) => isHidden(part.comparison));
    const shown = result.filter((part) => !isHidden(part.comparison));
    const side = exposedSide(hiddenParts, threshold);
    if (!side || shown.length === 0) return result;
    const candidates = shown.filter((part) => part.comparison[side].pupils > 0);
    const pool = candidates.length > 0 ? candidates : shown;
    const next = pool.reduce((a, b) =>
      b.comparison[side].pupils < a.comparison[side].pupils ? b : a,
    );
    next.comparison = hidden(
      next.comparison.group,
      next.comparison.other,
      'secondary',
      'secondary',
    );
  }
}

/** A side as it leaves the reports: a suppressed side carries no figure at all. */
export type PublishedSide =
  | { pupils: number; atOrAbove: number; percent: number | null; suppressed: null }
  | { pupils: null; atOrAbove: null; percent: null; suppressed: SuppressionReason };

export interface PublishedComparison {
  group: PublishedSide;
  other: PublishedSide;
  gap: number | null;
}

export function publish(comparison: Comparison): PublishedComparison {
  return {
    group: publishSide(comparison.group),
    other: publishSide(comparison.other),
    gap: comparison.gap,
  };
}

function publishSide(side: Side): PublishedSide {
  if (side.suppressed) {
    return { pupils: null, atOrAbove: null, percent: null, suppressed: side.suppressed };
  }
  return {
    pupils: side.pupils,
    atOrAbove: side.atOrAbove,
    percent: percentOf(side),
    suppressed: null,
  };
}

export function isHidden(comparison: Comparison): boolean {
  return comparison.group.suppressed !== null || comparison.other.suppressed !== null;
}

/** Half away from zero, to `places` decimals: -31.45 is -31.5 at one place. */
export function round(value: number, places = 1): number {
  const factor = 10 ** places;
  return (Math.sign(value) * Math.round(Math.abs(value) * factor + Number.EPSILON)) / factor;
}

/** The share as a percentage to one decimal, or null for nobody. */
export function percentOf(tally: Tally): number | null {
  return tally.pupils === 0 ? null : round((tally.atOrAbove * 100) / tally.pupils);
}

function exposedSide(hiddenParts: readonly { comparison: Comparison }[], threshold: number) {
  for (const side of ['group', 'other'] as const) {
    const pupils = hiddenParts.reduce((sum, part) => sum + part.comparison[side].pupils, 0);
    if (isSmall(pupils, threshold)) return side;
  }
  return null;
}

function isSmall(pupils: number, threshold: number): boolean {
  return pupils > 0 && pupils < threshold;
}

function hidden(
  group: Tally,
  other: Tally,
  groupReason: SuppressionReason,
  otherReason: SuppressionReason,
): Comparison {
  return {
    group: { pupils: group.pupils, atOrAbove: group.atOrAbove, suppressed: groupReason },
    other: { pupils: other.pupils, atOrAbove: other.atOrAbove, suppressed: otherReason },
    gap: null,
  };
}

function gapOf(group: Tally, other: Tally): number | null {
  if (group.pupils === 0 || other.pupils === 0) return null;
  return round((group.atOrAbove / group.pupils - other.atOrAbove / other.pupils) * 100);
}
