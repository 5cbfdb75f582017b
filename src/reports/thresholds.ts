/**
 * The point a share is counted "at or above". Policy names no such point; the defaults follow the
 * statutory standards the scale is built on (Appendix 1): NX7 is the KS1 expected standard at Y2,
 * NX9 the KS2 expected standard at Y6. Other year groups have no national standard, so their
 * point is the median of the pupils counted. In a specialist setting linear standards are not
 * always fitting (4.1), so every year group there uses its median. A person may choose a point.
 */

export interface ScalePoint {
  id: string;
  code: string;
  position: number;
}

export type ThresholdRule = 'ks1_expected' | 'ks2_expected' | 'median' | 'chosen';

export interface Threshold {
  position: number;
  code: string;
  rule: ThresholdRule;
}

/** For a narrow column: "NX9 · KS2 expected". */
export const THRESHOLD_RULE_SHORT: Record<ThresholdRule, string> = {
  ks1_expected: 'KS1 expected',
  ks2_expected: 'KS2 expected',
  median: 'median',
  chosen: 'chosen',
};

export const THRESHOLD_RULE_TEXT: Record<ThresholdRule, string> = {
  ks1_expected: 'KS1 expected standard at Y2',
  ks2_expected: 'KS2 expected standard at Y6',
  median: 'median point of the pupils counted',
  chosen: 'point chosen for this report',
};

/** How many pupils are at each scale position. */
export type Distribution = ReadonlyMap<number, number>;

export interface ThresholdOptions {
  /**
   * Count Y2 and Y6 against the statutory standards: every report but a specialist school's own.
   * The trust's figures keep them for every school, so that schools compare on one scale.
   */
  statutory: boolean;
  /** A point chosen by the reader, for every year group. */
  chosen: ScalePoint | null;
}

const STATUTORY: Record<string, { code: string; rule: ThresholdRule }> = {
  Y2: { code: 'NX7', rule: 'ks1_expected' },
  Y6: { code: 'NX9', rule: 'ks2_expected' },
};

/** The point for one year group's pupils, or null when there is none to count against. */
export function thresholdFor(
  year: string,
  distribution: Distribution,
  scale: readonly ScalePoint[],
  options: ThresholdOptions,
): Threshold | null {
  if (options.chosen) return { ...pointOf(options.chosen), rule: 'chosen' };
  const statutory = options.statutory ? STATUTORY[year] : undefined;
  const named = statutory && scale.find((point) => point.code === statutory.code);
  if (statutory && named) return { ...pointOf(named), rule: statutory.rule };
  const median = lowerMedian(distribution);
  if (median === null) return null;
  const point = scale.find((candidate) => candidate.position === median);
  return { position: median, code: point?.code ?? `position ${median}`, rule: 'median' };
}

/**
 * The median position; with an even count, the lower of the middle two, so that the median is
 * always a point some pupil is at.
 */
export function lowerMedian(distribution: Distribution): number | null {
  const positions = [...distribution.entries()]
    .filter(([, pupils]) => pupils > 0)
    .sort(([a], [b]) => a - b);
  const total = positions.reduce((sum, [, pupils]) => sum + pupils, 0);
  if (total === 0) return null;
  const wanted = Math.floor((total - 1) / 2);
  let seen = 0;
  for (const [position, pupils] of positions) {
    seen += pupils;
    if (seen > wanted) return position;
  }
  return positions.at(-1)![0];
}

function pointOf(point: ScalePoint) {
  return { position: point.position, code: point.code };
}
