import type { SyntheticAspect, SyntheticPupil, SyntheticSchool } from '../school.ts';

/**
 * A synthetic school in Assembly's own shapes (research 4 and the SDKs' models): numeric ids,
 * snake_case fields, results that name a grade by id and a facet saying whether the grade
 * was achieved, set as a target or predicted.
 */

export interface Stamped<T> {
  record: T;
  /** When the record last changed, in ms: what If-Modified-Since compares against. */
  updatedAt: number;
}

export type AssemblyRecord = Record<string, unknown>;

export interface AssemblySchoolData {
  details: AssemblyRecord;
  students: Stamped<AssemblyRecord>[];
  left: Stamped<AssemblyRecord>[];
  results: Stamped<AssemblyRecord>[];
  assessments: AssemblyRecord[];
  /** By assessment id. */
  gradeSets: Map<number, AssemblyRecord & { grades: AssemblyRecord[] }>;
  facets: AssemblyRecord[];
  assessmentPoints: AssemblyRecord[];
  subjects: AssemblyRecord[];
}

export const FACETS = { achieved: 1, target: 2, baseline: 3, prediction: 4 } as const;

// Assembly's placeholder end date for a pupil still on roll (the Java SDK's Student docs).
const STILL_ON_ROLL = '2079-06-06T23:59:00.000Z';
const DAY_MS = 86_400_000;

const SUBJECTS = [
  { id: 11, name: 'Reading', code: 'RE', subject: 'reading' },
  { id: 12, name: 'Writing', code: 'WR', subject: 'writing' },
  { id: 13, name: 'Mathematics', code: 'MA', subject: 'mathematics' },
] as const;

export interface BuildOptions {
  /** The school's place among those served: it spaces the ids apart. */
  index: number;
  /** Add target and prediction results beside the achieved ones. */
  targets: boolean;
  /** When the fake started: no record may look changed after it. */
  startedAt: number;
}

export function buildSchoolData(
  school: SyntheticSchool,
  options: BuildOptions,
): AssemblySchoolData {
  const base = (options.index + 1) * 100_000;
  const studentIds = new Map(school.pupils.map((pupil, n) => [pupil.id, base + n + 1]));
  const assessmentIds = new Map(school.aspects.map((aspect, n) => [aspect.id, base + 301 + n]));
  const gradeSets = gradeSetsFor(school, assessmentIds, base);
  const points = pointsFor(school);
  // A synthetic result dated after the fake started would look like a fresh change.
  const stamp = (iso: string) => Math.min(Date.parse(iso), options.startedAt - DAY_MS);

  const results: Stamped<AssemblyRecord>[] = [];
  let nextId = base * 100;
  const add = (n: number, facet: number) => {
    const synthetic = school.results[n]!;
    const aspect = school.aspects.find((a) => a.id === synthetic.aspectId)!;
    const assessmentId = assessmentIds.get(aspect.id)!;
    const grades = gradeSets.get(assessmentId)!.grades;
    nextId += 1;
    results.push({
      updatedAt: stamp(synthetic.modifiedAt),
      record: {
        object: 'result',
        id: nextId,
        student_id: studentIds.get(synthetic.pupilId),
        subject_id: subjectOf(aspect).id,
        assessment_id: assessmentId,
        assessment_point_rank: points.get(synthetic.periodLabel),
        facet_id: facet,
        grade_id: grades.find((grade) => grade.name === synthetic.value)!.id,
        result_date: `${synthetic.assessedOn}T00:00:00.000Z`,
        created_at: synthetic.modifiedAt,
      },
    });
  };
  for (let n = 0; n < school.results.length; n += 1) add(n, FACETS.achieved);
  // Every seventh result also has a target and every twentieth a prediction, as a school
  // that sets targets in its MIS would have.
  for (let n = 0; options.targets && n < school.results.length; n += 1) {
    if (n % 7 === 0) add(n, FACETS.target);
    if (n % 20 === 0) add(n, FACETS.prediction);
  }

  return {
    details: {
      object: 'school_details',
      id: 1001 + options.index,
      name: school.name,
      urn: school.urn,
      la_code: school.laestab.slice(0, 3),
      establishment_number: school.laestab.slice(3),
      phase: school.style === 'secondary' ? 'Secondary' : 'Primary',
    },
    students: school.pupils.map((pupil, n) => ({
      updatedAt: stamp(`${pupil.onRollFrom}T08:00:00.000Z`),
      record: studentOf(pupil, base + n + 1, n),
    })),
    left: [],
    results,
    assessments: school.aspects.map((aspect) => ({
      object: 'assessment',
      id: assessmentIds.get(aspect.id),
      name: aspect.name,
      family_id: base + 31,
      family_name: aspect.gradeSet,
      mis_mappings: [aspect.name],
    })),
    gradeSets,
    facets: Object.entries(FACETS).map(([name, id]) => ({ object: 'facet', id, name })),
    assessmentPoints: [...points].map(([name, rank]) => ({
      object: 'assessment_point',
      rank,
      name,
      type: 'term',
      year_code: null,
    })),
    subjects: SUBJECTS.map(({ id, name, code }) => ({ object: 'subject', id, name, code })),
  };
}

/** The record as the API sends it, with `updated_at` where Assembly has one. */
export function serialise(stamped: Stamped<AssemblyRecord>): AssemblyRecord {
  const { record, updatedAt } = stamped;
  return record.object === 'result'
    ? { ...record, updated_at: new Date(updatedAt).toISOString() }
    : record;
}

/** Gives n achieved results, spread through the school, the next grade in their set. */
export function changeResults(
  school: AssemblySchoolData,
  n: number,
): { id: string; value: string }[] {
  const achieved = school.results.filter(({ record }) => record.facet_id === FACETS.achieved);
  const step = Math.max(1, Math.floor(achieved.length / Math.max(1, n)));
  const changed: { id: string; value: string }[] = [];
  for (let k = 0; k < n && k * step < achieved.length; k += 1) {
    const stamped = achieved[k * step]!;
    const grades = school.gradeSets.get(stamped.record.assessment_id as number)!.grades;
    const at = grades.findIndex((grade) => grade.id === stamped.record.grade_id);
    const next = grades[(at + 1) % grades.length]!;
    stamped.record = { ...stamped.record, grade_id: next.id };
    stamped.updatedAt = Date.now();
    changed.push({ id: String(stamped.record.id), value: String(next.name) });
  }
  return changed;
}

export function changePupils(school: AssemblySchoolData, n: number): string[] {
  return school.students.slice(0, n).map((stamped) => {
    const demographics = stamped.record.demographics as AssemblyRecord;
    stamped.record = {
      ...stamped.record,
      demographics: { ...demographics, is_eal: !demographics.is_eal },
    };
    stamped.updatedAt = Date.now();
    return String(stamped.record.id);
  });
}

/** The record of a pupil who left today. */
export function leaving(stamped: Stamped<AssemblyRecord>): Stamped<AssemblyRecord> {
  const today = new Date().toISOString().slice(0, 10);
  return {
    record: { ...stamped.record, end_date: `${today}T00:00:00.000Z`, enrolment_status: 'L' },
    updatedAt: Date.now(),
  };
}

function studentOf(pupil: SyntheticPupil, id: number, n: number): AssemblyRecord {
  return {
    object: 'student',
    id,
    first_name: pupil.firstName,
    legal_first_name: pupil.firstName,
    middle_name: null,
    last_name: pupil.lastName,
    legal_last_name: pupil.lastName,
    former_last_name: null,
    dob: pupil.dateOfBirth,
    year_code: pupil.ncYear.replace(/^Y/, ''),
    upn: pupil.upn,
    former_upn: null,
    mis_id: String(id - 1000),
    pan: String(id - 1000),
    start_date: `${pupil.onRollFrom}T00:00:00.000Z`,
    end_date: STILL_ON_ROLL,
    enrolment_status: 'C',
    demographics: {
      object: 'student_demographics',
      gender: pupil.sex,
      is_eal: pupil.eal,
      // Pupil premium counts Ever 6; only some of those pupils have free meals today.
      is_pp: pupil.disadvantaged,
      is_fsm: pupil.disadvantaged && n % 3 === 0,
      sen_category: pupil.senStatus,
    },
  };
}

function subjectOf(aspect: SyntheticAspect) {
  return SUBJECTS.find((subject) => subject.subject === aspect.subject)!;
}

function gradeSetsFor(
  school: SyntheticSchool,
  assessmentIds: Map<string, number>,
  base: number,
): AssemblySchoolData['gradeSets'] {
  const sets: AssemblySchoolData['gradeSets'] = new Map();
  school.aspects.forEach((aspect, n) => {
    const values = new Set(
      school.results.filter((r) => r.aspectId === aspect.id).map((r) => r.value),
    );
    const grades = [...values].sort().map((name, k) => ({
      object: 'grade',
      id: base + 5000 + n * 100 + k,
      name,
      value: k + 1,
    }));
    sets.set(assessmentIds.get(aspect.id)!, {
      object: 'grade_set',
      id: base + 401 + n,
      name: aspect.gradeSet,
      grades,
    });
  });
  return sets;
}

/** One assessment point per collection, ranked in the order the school's terms came. */
function pointsFor(school: SyntheticSchool): Map<string, number> {
  const points = new Map<string, number>();
  for (const result of school.results) {
    if (!points.has(result.periodLabel)) points.set(result.periodLabel, points.size + 1);
  }
  return points;
}
