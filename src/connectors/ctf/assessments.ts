import { KS2_SCALED_SCORE_GRADE_SET } from '../../domain/grade-library.ts';
import { isIsoDate } from '../../domain/iso-date.ts';
import type { RecordProblem, SourceAspect, SourceResult } from '../contract.ts';
import type { CtfConfig } from './config.ts';
import { COMPONENT_NAMES, methodName, QUALIFIER_NAMES, SUBJECT_NAMES, stageName } from './names.ts';
import { type AssessmentKind, describeOutcomes, isKnownOutcome, outcomeRule } from './outcomes.ts';
import { type Place, problem } from './problems.ts';
import type { StageAssessmentRecord } from './record.ts';

/**
 * One StageAssessment as a result. The aspect is keyed by the codes exactly as written, so an
 * unfamiliar combination is kept rather than guessed at (B.4), and named from them readably.
 */

export type AssessmentNaming = Pick<
  CtfConfig,
  'subjectNames' | 'componentNames' | 'qualifierNames' | 'phonicsCodes' | 'scaledScoreQualifiers'
>;

export interface AssessmentScope {
  location: string;
  pupilId: string;
  /** How messages name the pupil: "Pupil H801200001001". */
  who: string;
  naming: AssessmentNaming;
}

export interface AssessmentReading {
  result: SourceResult | null;
  problems: RecordProblem[];
}

interface Codes {
  locale: string;
  stage: string;
  subject: string;
  method: string;
  component: string;
  qualifier: string;
}

const ENGLAND = 'ENG';

export function readAssessment(
  scope: AssessmentScope,
  stage: string | null,
  record: StageAssessmentRecord,
): AssessmentReading {
  // An absent pupil's phonics mark, for one, is left blank beside the code that explains it.
  if (record.result === null) return { result: null, problems: [] };
  const place: Place = { location: scope.location, line: record.line };

  const required = { Stage: stage, Year: record.year, Subject: record.subject };
  const missing = Object.entries(required).flatMap(([name, text]) => (text ? [] : [name]));
  if (missing.length > 0) return skipped(place, incompleteMessage(scope.who, missing));
  if (!/^\d{4}$/.test(record.year!)) return skipped(place, yearMessage(scope.who, record.year!));

  const codes = codesOf(stage!, record);
  const kind = kindOf(codes, scope.naming);
  const aspect = aspectOf(codes, kind, scope.naming);
  const year = record.year!;
  const problems: RecordProblem[] = [];
  const value = record.result;
  checkOutcome(scope, place, { kind, stage: codes.stage, aspect, year, value }, problems);

  return {
    result: {
      externalId: `${scope.pupilId}/${aspect.key}/${year}`,
      pupilExternalId: scope.pupilId,
      aspect,
      value,
      assessedOn: assessedOn(scope, place, aspect, record.resultDate, problems),
      // Statutory assessments are all made in the summer term, and Year is the calendar year of
      // that summer (MTC writes 2020 for its 2019/20 check, B.2): "KS2 Summer 2024" is 2023/24.
      periodLabel: `${stageName(codes.stage)} Summer ${year}`,
      modifiedAt: null,
    },
    problems,
  };
}

function codesOf(stage: string, record: StageAssessmentRecord): Codes {
  return {
    locale: record.locale ?? ENGLAND,
    stage,
    subject: record.subject ?? '',
    method: record.method ?? '',
    component: record.component ?? '',
    qualifier: record.qualifier ?? '',
  };
}

function kindOf(codes: Codes, naming: AssessmentNaming): AssessmentKind {
  if (codes.component === 'MTC') return 'mtc';
  if (naming.phonicsCodes.includes(codes.subject)) return 'phonics';
  if (naming.phonicsCodes.includes(codes.component)) return 'phonics';
  if (codes.method === 'TA') return 'teacher assessment';
  if (codes.method === 'TT') return 'test';
  return 'other';
}

/**
 * The key is stage/subject/method/component, with the ResultQualifier after "#": one test gives a
 * mark and an outcome (phonics), or a scaled score beside other results, under the same codes,
 * and without the qualifier they would share an aspect and a result id. Outside England the
 * Locale leads, since Wales assesses with other outcomes.
 */
function aspectOf(codes: Codes, kind: AssessmentKind, naming: AssessmentNaming): SourceAspect {
  const parts = [codes.stage, codes.subject, codes.method, codes.component].map(
    (part) => part || '-',
  );
  const locale = codes.locale === ENGLAND ? '' : `${codes.locale}:`;
  const qualifier = codes.qualifier ? `#${codes.qualifier}` : '';
  return {
    key: `${locale}${parts.join('/')}${qualifier}`,
    name: aspectName(codes, kind, naming),
    gradeSet: gradeSetOf(codes, kind, naming),
  };
}

/** "KS2 Reading TA", "KS2 Multiplication tables check", "KS2 Maths test scaled score". */
function aspectName(codes: Codes, kind: AssessmentKind, naming: AssessmentNaming): string {
  const subject = naming.subjectNames[codes.subject] ?? SUBJECT_NAMES[codes.subject];
  const component = naming.componentNames[codes.component] ?? COMPONENT_NAMES[codes.component];
  const what = component ?? [subject ?? codes.subject, codes.component].join(' ').trim();
  const checked = kind === 'mtc' || kind === 'phonics';
  const method = checked || !codes.method ? '' : ` ${methodName(codes.method)}`;
  const locale = codes.locale === ENGLAND ? '' : ` (${codes.locale})`;
  return `${stageName(codes.stage)} ${what}${method}${qualifierName(codes, naming)}${locale}`;
}

function qualifierName(codes: Codes, naming: AssessmentNaming): string {
  if (!codes.qualifier) return '';
  const name = naming.qualifierNames[codes.qualifier] ?? QUALIFIER_NAMES[codes.qualifier];
  if (name === undefined) return ` (${codes.qualifier})`;
  return name === '' ? '' : ` ${name}`;
}

function gradeSetOf(codes: Codes, kind: AssessmentKind, naming: AssessmentNaming): string {
  const stage = stageName(codes.stage);
  if (kind === 'mtc') return 'Multiplication tables check';
  if (kind === 'phonics') return 'Phonics screening check';
  if (kind === 'test' && naming.scaledScoreQualifiers.includes(codes.qualifier)) {
    // The grade library's scaled-score rules are written for this grade set.
    return codes.stage === 'KS2' ? KS2_SCALED_SCORE_GRADE_SET : `${stage} scaled score`;
  }
  if (kind === 'teacher assessment') return `${stage} teacher assessment`;
  if (kind === 'test') return `${stage} test`;
  return codes.method ? `${stage} ${codes.method}` : stage;
}

interface Outcome {
  kind: AssessmentKind;
  stage: string;
  aspect: SourceAspect;
  year: string;
  value: string;
}

function checkOutcome(
  scope: AssessmentScope,
  place: Place,
  outcome: Outcome,
  problems: RecordProblem[],
): void {
  const rule = outcomeRule(outcome.kind, outcome.stage);
  if (!rule || isKnownOutcome(rule, outcome.value)) return;
  problems.push(
    problem(
      place,
      'StageAssessment/Result',
      'outcome_unknown',
      `${scope.who}: the ${outcome.aspect.name} result for ${outcome.year} is ` +
        `"${outcome.value}", which is not a ${outcome.aspect.gradeSet} outcome ` +
        `(${describeOutcomes(rule)}). It was kept as written for a subject leader to map; ` +
        'if it is a typing error, ask the school that made the CTF to correct it.',
    ),
  );
}

function assessedOn(
  scope: AssessmentScope,
  place: Place,
  aspect: SourceAspect,
  date: string | null,
  problems: RecordProblem[],
): string | null {
  if (date === null || isIsoDate(date)) return date;
  problems.push(
    problem(
      place,
      'StageAssessment/ResultDate',
      'date_invalid',
      `${scope.who}: the ${aspect.name} result date "${date}" is not a real date written ` +
        'YYYY-MM-DD, so the result was kept without a date; its year still places it.',
    ),
  );
  return null;
}

function skipped(place: Place, message: string): AssessmentReading {
  return {
    result: null,
    problems: [problem(place, 'StageAssessment', 'assessment_incomplete', message)],
  };
}

function incompleteMessage(who: string, missing: string[]): string {
  return (
    `${who}: a stage assessment has no ${missing.join(' or ')}, so it cannot be told apart ` +
    "from the pupil's other results and was not read. Ask the school that made the CTF for a " +
    'fresh export.'
  );
}

function yearMessage(who: string, year: string): string {
  return (
    `${who}: a stage assessment has the year "${year}", where a CTF writes four digits ` +
    '(2024), so it was not read. Ask the school that made the CTF for a fresh export.'
  );
}
