import { sql } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import type { SubjectRef } from './attainment.ts';
import { effectiveCollections, type Reach, yearGroupIn } from './cohort.ts';
import type { ReportCollection } from './collections.ts';
import { percentOf } from './suppression.ts';
import { OUTCOME_YEARS, PHONICS_YEAR, type Projection, type TargetPupil } from './targets.ts';
import type { ScalePoint } from './thresholds.ts';

/**
 * Most likely outcomes beside attainment at each review of the school year (5.1.5): how many
 * pupils with an outcome are already at or above it, one point below, further below, or have no
 * point yet. Y2 and Y6 also show how many outcomes, and points, reach the expected standard.
 * Progress towards an outcome is rarely even through the year; the figures say where pupils are.
 */

const EXPECTED: Record<string, string> = { Y2: 'NX7', Y6: 'NX9' };

export interface ReviewFigure {
  collectionId: number;
  label: string;
  date: string;
  withPoint: number;
  atOrAboveOutcome: number;
  oneBelow: number;
  furtherBelow: number;
  noPoint: number;
  /** Pupils with a point at or above the expected standard (Y2, Y6); null elsewhere. */
  atExpected: number | null;
}

export interface OutcomeSummary {
  year: string;
  subjectId: number;
  subject: string;
  /** Pupils on roll in the year group. */
  pupils: number;
  withOutcome: number;
  expected: string | null;
  outcomeAtExpected: number | null;
  outcomeAtExpectedPercent: number | null;
  reviews: ReviewFigure[];
}

export interface PhonicsSummary {
  pupils: number;
  expectedToPass: number;
  notExpectedToPass: number;
  noProjection: number;
  /** Of every Y1 pupil on roll, as the check itself is reported. */
  expectedPercent: number | null;
}

export interface TargetPupilRow {
  pupilId: string;
  schoolId: string;
  name: string;
  upn: string | null;
  year: string;
  onRoll: boolean;
  /** Null for the phonics projection. */
  subjectId: number | null;
  target: string | null;
  /** The pupil's point at each review, in the order of the reviews. */
  reviews: (string | null)[];
}

export interface TargetsReport {
  reviews: { collectionId: number; label: string; date: string }[];
  outcomes: OutcomeSummary[];
  phonics: PhonicsSummary;
  /** Listed for one school's report only. */
  pupils: TargetPupilRow[];
  /** Pupils with a target who are no longer on roll: listed, not counted. */
  leavers: number;
}

export interface ReviewPoint extends Record<string, unknown> {
  collection_id: number;
  pupil_id: string;
  subject_id: number;
  position: number;
  code: string;
}

/** The points of pupils in the target years at each review collection of the school year. */
export async function reviewPoints(executor: Executor, reach: Reach): Promise<ReviewPoint[]> {
  if (reach.schoolIds.length === 0 || reach.collectionIds.length === 0) return [];
  return rows<ReviewPoint>(
    executor,
    sql`
    with e as (${effectiveCollections(reach)})
    select e.collection_id, a.pupil_id, a.subject_id, n.position, n.code
    from e
    join assessments a on a.collection_id = e.landed_in and a.school_id = e.school_id
    join pupils p on p.id = a.pupil_id and p.school_id = e.school_id
    join nx_points n on n.id = a.nx_point_id
    where ${yearGroupIn(reach.today, sql`e.start_year`)} in ${OUTCOME_YEARS}`,
  );
}

/** A pupil's point at a review, looked up by collection, pupil and subject. */
export type PointLookup = (
  collectionId: number,
  pupilId: string,
  subjectId: number,
) => ReviewPoint | null;

/** Built once for a report, however many schools' summaries read it. */
export function pointLookup(points: readonly ReviewPoint[]): PointLookup {
  const pointOf = new Map(
    points.map((point) => [`${point.collection_id}|${point.pupil_id}|${point.subject_id}`, point]),
  );
  return (collectionId, pupilId, subjectId) =>
    pointOf.get(`${collectionId}|${pupilId}|${subjectId}`) ?? null;
}

export function targetsReport(
  cohort: readonly TargetPupil[],
  find: PointLookup,
  reviews: readonly ReportCollection[],
  subjects: readonly SubjectRef[],
  scale: readonly ScalePoint[],
  withPupils = true,
): TargetsReport {
  const onRoll = cohort.filter((pupil) => pupil.onRoll);

  const outcomes = OUTCOME_YEARS.flatMap((year) =>
    subjects.map((subject) => {
      const inYear = onRoll.filter((pupil) => pupil.year === year);
      const withOutcome = inYear.filter((pupil) => pupil.outcomes.has(subject.id));
      const expected = scale.find((point) => point.code === EXPECTED[year]) ?? null;
      const outcomeAtExpected = expected
        ? withOutcome.filter((p) => p.outcomes.get(subject.id)!.position >= expected.position)
            .length
        : null;
      return {
        year,
        subjectId: subject.id,
        subject: subject.name,
        pupils: inYear.length,
        withOutcome: withOutcome.length,
        expected: expected?.code ?? null,
        outcomeAtExpected,
        outcomeAtExpectedPercent:
          outcomeAtExpected === null
            ? null
            : percentOf({ pupils: withOutcome.length, atOrAbove: outcomeAtExpected }),
        reviews: reviews.map((review) => {
          const figure: ReviewFigure = {
            collectionId: review.id,
            label: review.label,
            date: review.date,
            withPoint: 0,
            atOrAboveOutcome: 0,
            oneBelow: 0,
            furtherBelow: 0,
            noPoint: 0,
            atExpected: expected ? 0 : null,
          };
          for (const pupil of withOutcome) {
            const point = find(review.id, pupil.pupilId, subject.id);
            if (!point) {
              figure.noPoint += 1;
              continue;
            }
            figure.withPoint += 1;
            const behind = pupil.outcomes.get(subject.id)!.position - point.position;
            if (behind <= 0) figure.atOrAboveOutcome += 1;
            else if (behind === 1) figure.oneBelow += 1;
            else figure.furtherBelow += 1;
            if (expected && point.position >= expected.position) figure.atExpected! += 1;
          }
          return figure;
        }),
      };
    }),
  );

  return {
    reviews: reviews.map((review) => ({
      collectionId: review.id,
      label: review.label,
      date: review.date,
    })),
    outcomes,
    phonics: phonicsSummary(onRoll.filter((pupil) => pupil.year === PHONICS_YEAR)),
    pupils: withPupils ? pupilRows(cohort, reviews, subjects, find) : [],
    leavers: cohort.filter((pupil) => !pupil.onRoll).length,
  };
}

function phonicsSummary(pupils: readonly TargetPupil[]): PhonicsSummary {
  const count = (projection: Projection | null) =>
    pupils.filter((pupil) => pupil.phonics === projection).length;
  const expectedToPass = count('expected_to_pass');
  const notExpectedToPass = count('not_expected_to_pass');
  return {
    pupils: pupils.length,
    expectedToPass,
    notExpectedToPass,
    noProjection: count(null),
    expectedPercent: percentOf({ pupils: pupils.length, atOrAbove: expectedToPass }),
  };
}

function pupilRows(
  cohort: readonly TargetPupil[],
  reviews: readonly ReportCollection[],
  subjects: readonly SubjectRef[],
  find: PointLookup,
): TargetPupilRow[] {
  return cohort.flatMap((pupil): TargetPupilRow[] => {
    const base = {
      pupilId: pupil.pupilId,
      schoolId: pupil.schoolId,
      name: pupil.name,
      upn: pupil.upn,
      year: pupil.year,
      onRoll: pupil.onRoll,
    };
    if (pupil.year === PHONICS_YEAR) {
      return [{ ...base, subjectId: null, target: pupil.phonics, reviews: [] }];
    }
    if (!OUTCOME_YEARS.includes(pupil.year)) return [];
    return subjects.map((subject) => ({
      ...base,
      subjectId: subject.id,
      target: pupil.outcomes.get(subject.id)?.code ?? null,
      reviews: reviews.map((review) => find(review.id, pupil.pupilId, subject.id)?.code ?? null),
    }));
  });
}

/**
 * Several schools' summaries added up into one, pupil counts summed and percentages worked out
 * again from the sums: the trust's figures equal those counted over all its pupils at once.
 */
export function addTargetsReports(
  parts: readonly TargetsReport[],
  reviews: readonly ReportCollection[],
): TargetsReport {
  const outcomes = new Map<string, OutcomeSummary>();
  const phonics: PhonicsSummary = {
    pupils: 0,
    expectedToPass: 0,
    notExpectedToPass: 0,
    noProjection: 0,
    expectedPercent: null,
  };
  let leavers = 0;
  for (const part of parts) {
    leavers += part.leavers;
    phonics.pupils += part.phonics.pupils;
    phonics.expectedToPass += part.phonics.expectedToPass;
    phonics.notExpectedToPass += part.phonics.notExpectedToPass;
    phonics.noProjection += part.phonics.noProjection;
    for (const outcome of part.outcomes) {
      const key = `${outcome.year}|${outcome.subjectId}`;
      const sum = outcomes.get(key);
      if (!sum) {
        outcomes.set(key, structuredClone(outcome));
        continue;
      }
      sum.pupils += outcome.pupils;
      sum.withOutcome += outcome.withOutcome;
      if (sum.outcomeAtExpected !== null) sum.outcomeAtExpected += outcome.outcomeAtExpected ?? 0;
      outcome.reviews.forEach((figure, index) => {
        const total = sum.reviews[index]!;
        total.withPoint += figure.withPoint;
        total.atOrAboveOutcome += figure.atOrAboveOutcome;
        total.oneBelow += figure.oneBelow;
        total.furtherBelow += figure.furtherBelow;
        total.noPoint += figure.noPoint;
        if (total.atExpected !== null) total.atExpected += figure.atExpected ?? 0;
      });
    }
  }
  for (const sum of outcomes.values()) {
    sum.outcomeAtExpectedPercent =
      sum.outcomeAtExpected === null
        ? null
        : percentOf({ pupils: sum.withOutcome, atOrAbove: sum.outcomeAtExpected });
  }
  phonics.expectedPercent = percentOf({
    pupils: phonics.pupils,
    atOrAbove: phonics.expectedToPass,
  });
  return {
    reviews: reviews.map((review) => ({
      collectionId: review.id,
      label: review.label,
      date: review.date,
    })),
    outcomes: [...outcomes.values()],
    phonics,
    pupils: [],
    leavers,
  };
}
