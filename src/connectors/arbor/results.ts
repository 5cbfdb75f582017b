import type { RecordProblem, SourceResult } from '../contract.ts';
import type { Row } from './client.ts';
import { arborDate, arborDatetime } from './dates.ts';
import type { BuildContext, Built } from './pupils.ts';
import { firstText, hrefOf, idOf, isRow, maxRevision } from './records.ts';

/**
 * Results from a page of StudentProgressAssessmentMark records: the mark names its student,
 * its assessment (the aspect), its progress measurement period (the collection) and its grade,
 * which belongs to a grade set (research 2, "Assessment marks"). Assessments, grades, grade
 * sets and periods are a school's small catalogue, fetched once each and kept for the run.
 */

export interface BuiltResults extends Built<SourceResult> {
  /** Marks with no grade: not submitted, with a non-submission reason or simply blank. */
  notSubmitted: number;
}

const ASSESSMENT_NAMES = ['assessmentName', 'displayName', 'assessmentShortName'];
const GRADE_SET_NAMES = ['gradeSetName', 'displayName', 'name', 'shortName'];
const PERIOD_NAMES = ['periodName', 'displayName', 'shortName'];

export async function buildResults(
  bc: BuildContext,
  listed: readonly Row[],
): Promise<BuiltResults> {
  const marks = (await bc.resolver.resolveAll(listed, ['assessment'], false)).filter(isRow);
  const gradeNeeds = [bc.config.gradeValue, 'gradeSet'];
  await Promise.all([
    bc.resolver.prefetch(
      marks.map((mark) => mark.assessment),
      ['assessmentName'],
    ),
    bc.resolver.prefetch(
      marks.map((mark) => mark.grade),
      gradeNeeds,
    ),
    bc.resolver.prefetch(
      marks.map((mark) => mark.progressMeasurementPeriod),
      ['periodName'],
    ),
  ]);
  const grades = marks.map((mark) => bc.resolver.lookup(mark.grade, gradeNeeds));
  await bc.resolver.prefetch(
    grades.map((grade) => grade?.gradeSet),
    ['gradeSetName'],
  );

  const built: BuiltResults = {
    records: [],
    problems: [],
    revision: maxRevision(marks),
    notSubmitted: 0,
  };
  for (const [index, mark] of marks.entries()) {
    if (!isRow(mark.grade)) {
      built.notSubmitted += 1;
      continue;
    }
    const outcome = translate(bc, mark, grades[index] ?? null);
    built.problems.push(...outcome.problems);
    if (outcome.result) built.records.push(outcome.result);
  }
  return built;
}

interface Outcome {
  result: SourceResult | null;
  problems: RecordProblem[];
}

function translate(bc: BuildContext, mark: Row, grade: Row | null): Outcome {
  const location = hrefOf(mark) ?? bc.config.resources.marks;
  const problems: RecordProblem[] = [];
  const report = (field: string, code: string, message: string): Outcome => {
    problems.push({ location, row: null, field, code, message });
    return { result: null, problems };
  };

  const externalId = idOf(mark);
  const pupilExternalId = idOf(mark.student);
  if (!externalId || !pupilExternalId) {
    return report('student', 'result_id_missing', 'This Arbor mark has no id or no student.');
  }
  const who = `Arbor mark ${externalId}`;

  const assessment = bc.resolver.lookup(mark.assessment, ['assessmentName']);
  const key = idOf(mark.assessment);
  const name = firstText(assessment, ASSESSMENT_NAMES);
  if (!key || !name) {
    return report(
      'assessment',
      'aspect_unreadable',
      `${who} belongs to an assessment that could not be read (deleted, or not allowed); the ` +
        'mark was left out. Ask the school to let the application read Assessment in Arbor.',
    );
  }

  const value = firstText(grade, [bc.config.gradeValue, 'code', 'shortName']);
  if (!value) {
    return report(
      'grade',
      'grade_unreadable',
      `${who} has a grade that could not be read; the mark was left out.`,
    );
  }

  const assessedOn = arborDate(mark.assessmentDate);
  if (!assessedOn.ok) {
    problems.push({
      location,
      row: null,
      field: 'assessmentDate',
      code: 'date_unreadable',
      message: `${who} has an assessment date that is not a date (YYYY-MM-DD).`,
    });
  }
  const modified = arborDatetime(mark.completedDatetime);
  const period = bc.resolver.lookup(mark.progressMeasurementPeriod, ['periodName']);
  const gradeSet = bc.resolver.lookup(grade?.gradeSet, ['gradeSetName']);

  const result: SourceResult = {
    externalId,
    pupilExternalId,
    aspect: { key, name, gradeSet: firstText(gradeSet, GRADE_SET_NAMES) },
    value,
    assessedOn: assessedOn.ok ? assessedOn.value : null,
    periodLabel: firstText(period, PERIOD_NAMES),
    // The research found no "modified" time on Arbor's marks; the time the mark was completed
    // is the nearest it has.
    modifiedAt: modified.ok ? modified.value : null,
  };
  return { result, problems };
}
