import { ncYearLabel } from '../../domain/nc-year.ts';
import { upnCheckLetter } from '../../domain/upn.ts';
import type { SyntheticPupil, SyntheticResult, SyntheticSchool } from '../school.ts';

/**
 * The fake Arbor's records, built from a synthetic school: one table per REST resource, each in
 * id order, and a changelog of every change made after start. Every record starts at revision 1,
 * as if the school's data had been loaded in one go; each later change takes the next revision,
 * which is what `changelog?from-revision=` pages through (research 2, "Incremental sync").
 */

export interface Ref {
  entityType: string;
  href: string;
}

/** A stored record: its own properties, with relations kept as refs. */
export interface ArborRecord {
  entityType: string;
  href: string;
  id: number;
  revisionId: number;
  [property: string]: unknown;
}

export type ChangeType = 'create' | 'update' | 'delete';

export interface ChangeEntry {
  resource: string;
  changeType: ChangeType;
  snapshot: ArborRecord;
  fromRevision: number;
  toRevision: number;
}

/** A REST resource: its path segment, its entity type and the root keys of its answers. */
export interface ResourceSpec {
  path: string;
  entityType: string;
  listKey: string;
  oneKey: string;
}

// The SDK reads a listing under the plural, a record under the entity type, both with a
// lower-case first letter (research 2, "REST shape").
const spec = (path: string, entityType: string, listKey: string): ResourceSpec => ({
  path,
  entityType,
  listKey,
  oneKey: entityType[0]!.toLowerCase() + entityType.slice(1),
});

export const RESOURCES: readonly ResourceSpec[] = [
  spec('students', 'Student', 'students'),
  spec('people', 'Person', 'people'),
  spec('genders', 'Gender', 'genders'),
  spec('languages', 'Language', 'languages'),
  spec('academic-levels', 'AcademicLevel', 'academicLevels'),
  spec('uk-dfe_upn-assignments', 'UkDfe_UpnAssignment', 'ukDfe_UpnAssignments'),
  spec('sen-statuses', 'SenStatus', 'senStatuses'),
  spec('sen-status-assignments', 'SenStatusAssignment', 'senStatusAssignments'),
  spec(
    'uk-dfe_pupil-premium-recipients',
    'UkDfe_PupilPremiumRecipient',
    'ukDfe_PupilPremiumRecipients',
  ),
  spec('assessments', 'Assessment', 'assessments'),
  spec('grade-sets', 'GradeSet', 'gradeSets'),
  spec('grades', 'Grade', 'grades'),
  spec('progress-measurement-periods', 'ProgressMeasurementPeriod', 'progressMeasurementPeriods'),
  spec(
    'assessment-mark-non-submission-reasons',
    'AssessmentMarkNonSubmissionReason',
    'assessmentMarkNonSubmissionReasons',
  ),
  spec(
    'student-progress-assessment-marks',
    'StudentProgressAssessmentMark',
    'studentProgressAssessmentMarks',
  ),
];

const BY_PATH = new Map(RESOURCES.map((resource) => [resource.path, resource]));

export function resourceSpec(path: string): ResourceSpec | undefined {
  return BY_PATH.get(path);
}

const OTHER_LANGUAGES = ['POL', 'URD', 'PAN', 'BNG', 'SOM', 'ARA', 'RUM', 'POR'];
const SEN_STATUSES = [
  { key: 'N', code: 'NONE', name: 'No Special Educational Need' },
  { key: 'K', code: 'SEN_SUPPORT', name: 'SEN Support' },
  { key: 'E', code: 'EHCP', name: 'Education, Health and Care Plan' },
] as const;

export interface StoreOptions {
  /** Marks with no grade and a non-submission reason, added after the school's own results. */
  notSubmitted?: number;
}

export class ArborStore {
  readonly tables = new Map<string, Map<number, ArborRecord>>();
  readonly changes: ChangeEntry[] = [];
  revision = 1;
  readonly studentIds = new Map<string, number>();
  readonly markIds = new Map<string, number>();
  readonly assessmentIds = new Map<string, number>();
  private readonly gradesBySet = new Map<string, number[]>();
  private readonly aspectGradeSets = new Map<string, ArborRecord>();
  private readonly gradeByKey = new Map<string, ArborRecord>();
  private nextId = new Map<string, number>();

  constructor(school: SyntheticSchool, options: StoreOptions = {}) {
    for (const resource of RESOURCES) this.tables.set(resource.path, new Map());
    this.addCatalogues(school);
    for (const pupil of school.pupils) this.addPupil(pupil);
    for (const result of school.results) this.addMark(result);
    this.addUnsubmitted(options.notSubmitted ?? 0);
  }

  table(path: string): Map<number, ArborRecord> {
    const table = this.tables.get(path);
    if (!table) throw new Error(`the fake Arbor has no resource ${path}`);
    return table;
  }

  find(ref: Ref | null | undefined): ArborRecord | undefined {
    if (!ref) return undefined;
    const [, , path, id] = ref.href.split('/');
    return this.tables.get(path ?? '')?.get(Number(id));
  }

  /** Changes one record and logs it under the next revision. */
  update(path: string, id: number, change: Record<string, unknown>): ArborRecord {
    const record = this.table(path).get(id);
    if (!record) throw new Error(`no ${path} ${id}`);
    const fromRevision = record.revisionId;
    this.revision += 1;
    Object.assign(record, change, { revisionId: this.revision });
    this.log(path, 'update', record, fromRevision);
    return record;
  }

  create(path: string, properties: Record<string, unknown>, logged = true): ArborRecord {
    const resource = resourceSpec(path)!;
    const id = this.allocate(path);
    if (logged) this.revision += 1;
    const record: ArborRecord = {
      entityType: resource.entityType,
      href: `/rest-v2/${path}/${id}`,
      id,
      revisionId: this.revision,
      ...properties,
    };
    this.table(path).set(id, record);
    if (logged) this.log(path, 'create', record, 0);
    return record;
  }

  remove(path: string, id: number): void {
    const record = this.table(path).get(id);
    if (!record) return;
    this.table(path).delete(id);
    const fromRevision = record.revisionId;
    this.revision += 1;
    this.log(path, 'delete', { ...record, revisionId: this.revision }, fromRevision);
  }

  /** The grade after this one in its grade set, for a result changed at runtime. */
  otherGrade(gradeRef: Ref): Ref {
    const grade = this.find(gradeRef)!;
    const set = (grade.gradeSet as Ref).href;
    const ids = this.gradesBySet.get(set)!;
    const next = ids[(ids.indexOf(grade.id) + 1) % ids.length]!;
    return ref(this.table('grades').get(next)!);
  }

  private log(path: string, changeType: ChangeType, record: ArborRecord, fromRevision: number) {
    this.changes.push({
      resource: path,
      changeType,
      snapshot: structuredClone(record),
      fromRevision,
      toRevision: this.revision,
    });
  }

  private allocate(path: string): number {
    const id = this.nextId.get(path) ?? firstId(path);
    this.nextId.set(path, id + 1);
    return id;
  }

  private addCatalogues(school: SyntheticSchool): void {
    this.create('genders', { code: 'F', genderName: 'Female' }, false);
    this.create('genders', { code: 'M', genderName: 'Male' }, false);
    this.create('languages', { code: 'ENG', languageName: 'English' }, false);
    for (const code of OTHER_LANGUAGES) this.create('languages', { code }, false);
    for (const status of SEN_STATUSES) {
      this.create(
        'sen-statuses',
        { code: status.code, d00229: status.key, senStatusName: status.name },
        false,
      );
    }
    this.create(
      'assessment-mark-non-submission-reasons',
      { code: 'ABS', reasonName: 'Absent' },
      false,
    );
    this.addAssessments(school);
  }

  private addAssessments(school: SyntheticSchool): void {
    const sets = new Map<string, ArborRecord>();
    for (const aspect of school.aspects) {
      const assessment = this.create(
        'assessments',
        { assessmentName: aspect.name, assessmentShortName: aspect.subject },
        false,
      );
      this.assessmentIds.set(aspect.id, assessment.id);
      if (!sets.has(aspect.gradeSet)) {
        sets.set(
          aspect.gradeSet,
          this.create('grade-sets', { gradeSetName: aspect.gradeSet }, false),
        );
      }
      this.aspectGradeSets.set(aspect.id, sets.get(aspect.gradeSet)!);
    }
    const periods = new Set(school.results.map((result) => result.periodLabel));
    for (const label of periods) {
      this.create('progress-measurement-periods', { periodName: label, shortName: label }, false);
    }
  }

  private addPupil(pupil: SyntheticPupil): void {
    const person = this.create(
      'people',
      {
        legalFirstName: pupil.firstName,
        legalMiddleNames: null,
        legalLastName: pupil.lastName,
        preferredFirstName: pupil.firstName,
        preferredLastName: pupil.lastName,
        dateOfBirth: pupil.dateOfBirth,
        gender: ref(this.lookup('genders', 'code', pupil.sex)),
      },
      false,
    );
    const student = this.create(
      'students',
      {
        person: ref(person),
        studentNumber: pupil.id,
        displayAcademicLevel: ref(this.academicLevel(ncYearLabel(pupil.ncYear))),
        firstLanguage: ref(this.lookup('languages', 'code', languageOf(pupil))),
        mostRecentEntryDate: pupil.onRollFrom,
        leavingDate: null,
      },
      false,
    );
    this.studentIds.set(pupil.id, student.id);
    this.addUpns(pupil, student);
    this.addSen(pupil, student);
    this.addPupilPremium(pupil, student);
  }

  private addUpns(pupil: SyntheticPupil, student: ArborRecord): void {
    // Every 40th pupil arrived with a temporary UPN, replaced by the permanent one on entry.
    if (student.id % 40 === 0) {
      const rest = `${pupil.upn.slice(1, 12)}A`;
      this.create(
        'uk-dfe_upn-assignments',
        {
          student: ref(student),
          upn: upnCheckLetter(rest) + rest,
          startDatetime: '2015-09-01 00:00:00',
          endDatetime: `${pupil.onRollFrom} 00:00:00`,
          isTemporary: true,
        },
        false,
      );
    }
    this.create(
      'uk-dfe_upn-assignments',
      {
        student: ref(student),
        upn: pupil.upn,
        startDatetime: `${pupil.onRollFrom} 00:00:00`,
        endDatetime: null,
        isTemporary: false,
      },
      false,
    );
  }

  private addSen(pupil: SyntheticPupil, student: ArborRecord): void {
    // Some pupils without SEN now had SEN support once: an ended assignment they must not keep.
    if (pupil.senStatus === 'N' && student.id % 25 === 0) {
      this.create('sen-status-assignments', senAssignment(this, student, 'K', '2020-07-31'), false);
    }
    if (pupil.senStatus === 'N') return;
    this.create(
      'sen-status-assignments',
      senAssignment(this, student, pupil.senStatus, null),
      false,
    );
  }

  private addPupilPremium(pupil: SyntheticPupil, student: ArborRecord): void {
    if (!pupil.disadvantaged && student.id % 30 !== 0) return;
    this.create(
      'uk-dfe_pupil-premium-recipients',
      {
        student: ref(student),
        startDate: pupil.onRollFrom,
        endDate: pupil.disadvantaged ? null : '2019-03-31',
        lastFsm: null,
      },
      false,
    );
  }

  private addMark(result: SyntheticResult): void {
    const aspectAssessment = this.assessmentIds.get(result.aspectId)!;
    const assessment = this.table('assessments').get(aspectAssessment)!;
    const mark = this.create(
      'student-progress-assessment-marks',
      {
        student: ref(this.table('students').get(this.studentIds.get(result.pupilId)!)!),
        assessment: ref(assessment),
        progressMeasurementPeriod: ref(
          this.lookup('progress-measurement-periods', 'periodName', result.periodLabel),
        ),
        grade:
          result.value === undefined
            ? null
            : ref(this.grade(this.aspectGradeSets.get(result.aspectId)!, result.value)),
        assessmentDate: result.assessedOn,
        completedDatetime: londonLocal(result.modifiedAt),
        assessmentMarkNonSubmissionReason: null,
      },
      false,
    );
    this.markIds.set(result.id, mark.id);
  }

  private addUnsubmitted(count: number): void {
    const students = [...this.table('students').values()];
    const assessment = this.table('assessments').values().next().value;
    const reason = this.table('assessment-mark-non-submission-reasons').values().next().value;
    const period = this.table('progress-measurement-periods').values().next().value;
    for (let index = 0; index < count && assessment && reason && period; index += 1) {
      this.create(
        'student-progress-assessment-marks',
        {
          student: ref(students[index % students.length]!),
          assessment: ref(assessment),
          progressMeasurementPeriod: ref(period),
          grade: null,
          assessmentDate: null,
          completedDatetime: null,
          assessmentMarkNonSubmissionReason: ref(reason),
        },
        false,
      );
    }
  }

  private grade(set: ArborRecord, value: string): ArborRecord {
    const key = `${set.href} ${value}`;
    const known = this.gradeByKey.get(key);
    if (known) return known;
    const created = this.create(
      'grades',
      { code: value, shortName: value, longName: value, gradeSet: ref(set) },
      false,
    );
    const ids = this.gradesBySet.get(set.href) ?? [];
    ids.push(created.id);
    this.gradesBySet.set(set.href, ids);
    this.gradeByKey.set(key, created);
    return created;
  }

  private academicLevel(label: string): ArborRecord {
    const found = this.lookupOrNull('academic-levels', 'displayName', label);
    if (found) return found;
    return this.create('academic-levels', { displayName: label, academicLevelName: label }, false);
  }

  private lookup(path: string, property: string, value: unknown): ArborRecord {
    const found = this.lookupOrNull(path, property, value);
    if (!found) throw new Error(`the fake Arbor has no ${path} with ${property} ${value}`);
    return found;
  }

  private lookupOrNull(path: string, property: string, value: unknown): ArborRecord | null {
    for (const record of this.table(path).values()) {
      if (record[property] === value) return record;
    }
    return null;
  }
}

export function ref(record: ArborRecord): Ref {
  return { entityType: record.entityType, href: record.href };
}

function senAssignment(
  store: ArborStore,
  student: ArborRecord,
  key: 'K' | 'E',
  endDate: string | null,
): Record<string, unknown> {
  const status = [...store.table('sen-statuses').values()].find((s) => s.d00229 === key)!;
  return {
    student: ref(student),
    senStatus: ref(status),
    startDate: '2019-09-01',
    endDate,
  };
}

function languageOf(pupil: SyntheticPupil): string {
  if (!pupil.eal) return 'ENG';
  const index = Number(pupil.id.slice(-5)) % OTHER_LANGUAGES.length;
  return OTHER_LANGUAGES[index]!;
}

// Ids in separate ranges per resource, so that a test reading an href can tell them apart.
function firstId(path: string): number {
  const index = RESOURCES.findIndex((resource) => resource.path === path);
  return index === 0 ? 1 : (index + 1) * 100_000 + 1;
}

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** An instant as Arbor writes a datetime: `Y-m-d H:i:s` in the school's own (UK) time. */
export function londonLocal(iso: string): string {
  const parts = LONDON.formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  const date = `${part('year')}-${part('month')}-${part('day')}`;
  return `${date} ${part('hour')}:${part('minute')}:${part('second')}`;
}
