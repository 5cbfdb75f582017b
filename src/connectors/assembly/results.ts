import type { RecordProblem, SourceAspect, SourceResult } from '../contract.ts';
import type { AssemblyConfig } from './config.ts';
import { dateOf, isoTime } from './dates.ts';
import type { Assessment, GradeSet, Lookups } from './lookups.ts';
import { issueProblem, problem } from './problems.ts';
import { resultSchema, type WireResult } from './wire.ts';

export interface TranslatedResults {
  results: SourceResult[];
  problems: RecordProblem[];
  /** Results left out by facet name ("target", "prediction"): they are not attainment. */
  skipped: Map<string, number>;
}

/** The facet name a result without one is counted under. */
export const NO_FACET = 'no facet';

/**
 * Turns a page of Assembly results into local grades. Each result names a facet: only the
 * facets the config takes are kept (attainment by default), so that a target or prediction
 * is never landed as if the pupil had reached it.
 */
export function translateResults(
  records: readonly unknown[],
  location: string,
  lookups: Lookups,
  config: AssemblyConfig,
): TranslatedResults {
  const taken = new Set(config.facets.map((name) => name.toLowerCase()));
  const out: TranslatedResults = { results: [], problems: [], skipped: new Map() };
  for (const record of records) {
    const parsed = resultSchema.safeParse(record);
    if (!parsed.success) {
      out.problems.push(issueProblem(location, record, parsed.error, 'Result'));
      continue;
    }
    const facet = facetOf(parsed.data, config.facetField, lookups);
    if (!taken.has(facet.toLowerCase())) {
      out.skipped.set(facet, (out.skipped.get(facet) ?? 0) + 1);
      continue;
    }
    const result = toResult(parsed.data, location, lookups, out.problems);
    if (result) out.results.push(result);
  }
  return out;
}

/**
 * The assessments a page of results names, in the order its results name them, whose
 * assessment and grade set must be in the lookups before it is translated. Those of facets not
 * taken are named too: the kept pages then hold what a replay needs after the facets change.
 */
export function assessmentsNamed(records: readonly unknown[]): string[] {
  const named = new Set<string>();
  for (const record of records) {
    const parsed = resultSchema.safeParse(record);
    if (parsed.success) named.add(parsed.data.assessment_id);
  }
  return [...named];
}

function facetOf(result: WireResult, field: string, lookups: Lookups): string {
  const id = result[field];
  if (typeof id !== 'number' && typeof id !== 'string') return NO_FACET;
  return lookups.facets.get(String(id)) ?? `facet ${String(id)}`;
}

function toResult(
  result: WireResult,
  location: string,
  lookups: Lookups,
  problems: RecordProblem[],
): SourceResult | null {
  const assessment = lookups.assessments.get(result.assessment_id);
  if (!assessment) {
    problems.push(
      problem(
        location,
        'assessment_id',
        'assessment_unknown',
        `Result ${result.id} belongs to assessment ${result.assessment_id}, which Assembly ` +
          'does not list. It was skipped; it should appear at the next sync.',
      ),
    );
    return null;
  }
  const gradeSet = lookups.gradeSets.get(result.assessment_id) ?? null;
  const value = gradeOf(result, assessment, gradeSet, location, problems);
  if (value === null) return null;

  return {
    externalId: result.id,
    pupilExternalId: result.student_id,
    aspect: aspectOf(result, assessment, gradeSet, lookups),
    value,
    assessedOn: dateOf(result.result_date),
    periodLabel: result.assessment_point_rank
      ? (lookups.points.get(result.assessment_point_rank) ?? null)
      : null,
    modifiedAt: isoTime(result.updated_at),
  };
}

// Assembly stores a grade id, not the grade: the grade set of the assessment turns it back
// into the grade as the school wrote it (research 4; Grade has id, name and value).
function gradeOf(
  result: WireResult,
  assessment: Assessment,
  gradeSet: GradeSet | null,
  location: string,
  problems: RecordProblem[],
): string | null {
  const gradeId = result.grade_id;
  const grade = gradeId ? gradeSet?.grades.get(gradeId) : undefined;
  if (grade !== undefined && grade.trim() !== '') return grade;

  const why = !gradeId
    ? 'has no grade'
    : gradeSet
      ? `has grade ${gradeId}, which is not in the grade set of "${assessment.name}"`
      : `has grade ${gradeId}, but Assembly gave no grade set for "${assessment.name}"`;
  problems.push(
    problem(
      location,
      'grade_id',
      gradeId ? 'grade_unknown' : 'grade_missing',
      `Result ${result.id} ${why}. It was skipped; check the assessment's grades in the MIS.`,
    ),
  );
  return null;
}

/** One assessment can hold several subjects, so the subject is part of the aspect. */
function aspectOf(
  result: WireResult,
  assessment: Assessment,
  gradeSet: GradeSet | null,
  lookups: Lookups,
): SourceAspect {
  const gradeSetName = gradeSet?.name ?? assessment.family;
  const subjectId = result.subject_id;
  if (!subjectId) {
    return { key: result.assessment_id, name: assessment.name, gradeSet: gradeSetName };
  }
  const subject = lookups.subjects?.get(subjectId) ?? `subject ${subjectId}`;
  return {
    key: `${result.assessment_id}/${subjectId}`,
    name: `${assessment.name}: ${subject}`,
    gradeSet: gradeSetName,
  };
}
