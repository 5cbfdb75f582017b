import type { LeftOutTally } from '../../reports/denominators.ts';
import type { PublishedSide } from '../../reports/suppression.ts';
import { SUPPRESSION_TEXT } from '../../reports/suppression.ts';
import { THRESHOLD_RULE_SHORT, type Threshold } from '../../reports/thresholds.ts';
import { calendarDate, count, plural } from './format.ts';

/** How the reports write their figures: whole percentages, gaps in points, who is left out. */

/** "57%", or a dash for nobody. */
export function percentText(percent: number | null): string {
  return percent === null ? '–' : `${Math.round(percent)}%`;
}

/** "+80 pts", "−43 pts", "0 pts", or a dash when there is no gap to show. */
export function gapText(gap: number | null): string {
  if (gap === null) return '–';
  const whole = Math.round(Math.abs(gap)) * Math.sign(gap);
  if (whole === 0) return '0 pts';
  return `${whole > 0 ? '+' : '−'}${Math.abs(whole)} pts`;
}

/** "2 of 5, 40%" or the suppression in words. */
export function sideText(side: PublishedSide, threshold: number): string {
  if (side.suppressed !== null) return SUPPRESSION_TEXT[side.suppressed](threshold);
  if (side.pupils === 0) return 'no pupils';
  return `${count(side.atOrAbove)} of ${count(side.pupils)}, ${percentText(side.percent)}`;
}

/** "NX9 · KS2 expected", "NX5 · median". */
export function thresholdText(threshold: Threshold | null): string {
  if (!threshold) return '–';
  return `${threshold.code} · ${THRESHOLD_RULE_SHORT[threshold.rule]}`;
}

/** "2 left out: 1 with no landed point, 1 left before the collection date." */
export function leftOutText(tally: LeftOutTally): string {
  if (tally.total === 0) return 'Nobody on roll is left out.';
  const parts = [
    tally.noPoint ? `${count(tally.noPoint)} with no landed point` : '',
    tally.left ? `${count(tally.left)} left before the collection date` : '',
    tally.joinedAfter ? `${count(tally.joinedAfter)} joined after it` : '',
  ].filter(Boolean);
  return `${plural(tally.total, 'pupil')} left out: ${parts.join(', ')}.`;
}

/** "+2", "0", "−1": movement on the scale, never worded as a failure (3.2.3, 4.1). */
export function stepsText(steps: number | null): string {
  if (steps === null) return '–';
  if (steps === 0) return 'Same';
  return steps > 0 ? `Up ${steps}` : `Down ${Math.abs(steps)}`;
}

export function dueText(date: string): string {
  return `Due ${calendarDate(date)}`;
}
