import { englishAcademicYear, type TermKind } from '../../domain/school-year.ts';
import type { SyntheticPupil, SyntheticResult, SyntheticSchool } from '../school.ts';

/**
 * The synthetic schools as a OneRoster 1.2 provider holds them (research A.4): students are
 * users with a student role at their school's org, dates of birth and sex sit in
 * `demographics`, terms are academic sessions, each aspect is a gradebook category, each
 * aspect and term of a school is a line item, and a result carries its grade in `textScore`
 * (or `score` when it is a number). Records also carry what a real provider holds and the
 * connector must not ask for: e-mail, phone, parents, ethnicity.
 */

export type Json = Record<string, unknown>;

export type CollectionName =
  | 'orgs'
  | 'users'
  | 'demographics'
  | 'academicSessions'
  | 'categories'
  | 'scoreScales'
  | 'lineItems'
  | 'results'
  | 'assessmentLineItems'
  | 'assessmentResults';

const BASE_FIELDS = ['sourcedId', 'status', 'dateLastModified', 'metadata'];

/** The 1.2 field names of each collection (research A.4), for `fields` and `filter`. */
export const SCHEMA_FIELDS: Record<CollectionName, readonly string[]> = {
  orgs: [...BASE_FIELDS, 'name', 'type', 'identifier', 'parent', 'children'],
  users: [
    ...BASE_FIELDS,
    'userMasterIdentifier',
    'username',
    'userIds',
    'enabledUser',
    'givenName',
    'familyName',
    'middleName',
    'preferredFirstName',
    'preferredMiddleName',
    'preferredLastName',
    'pronouns',
    'roles',
    'userProfiles',
    'primaryOrg',
    'identifier',
    'email',
    'sms',
    'phone',
    'agents',
    'grades',
    'password',
    'resources',
  ],
  demographics: [
    ...BASE_FIELDS,
    'birthDate',
    'sex',
    'americanIndianOrAlaskaNative',
    'asian',
    'blackOrAfricanAmerican',
    'nativeHawaiianOrOtherPacificIslander',
    'white',
    'demographicRaceTwoOrMoreRaces',
    'hispanicOrLatinoEthnicity',
    'countryOfBirthCode',
    'stateOfBirthAbbreviation',
    'cityOfBirth',
    'publicSchoolResidenceStatus',
  ],
  academicSessions: [
    ...BASE_FIELDS,
    'title',
    'startDate',
    'endDate',
    'type',
    'parent',
    'children',
    'schoolYear',
  ],
  categories: [...BASE_FIELDS, 'title', 'weight'],
  scoreScales: [...BASE_FIELDS, 'title', 'type', 'course', 'class', 'org', 'scoreScaleValue'],
  lineItems: [
    ...BASE_FIELDS,
    'title',
    'description',
    'assignDate',
    'dueDate',
    'class',
    'school',
    'category',
    'gradingPeriod',
    'academicSession',
    'scoreScale',
    'resultValueMin',
    'resultValueMax',
    'learningObjectiveSet',
  ],
  results: [
    ...BASE_FIELDS,
    'lineItem',
    'student',
    'class',
    'scoreScale',
    'scoreStatus',
    'score',
    'textScore',
    'scoreDate',
    'comment',
    'learningObjectiveSet',
    'inProgress',
    'incomplete',
    'late',
    'missing',
  ],
  assessmentLineItems: [
    ...BASE_FIELDS,
    'title',
    'description',
    'class',
    'parentAssessmentLineItem',
    'scoreScale',
    'resultValueMin',
    'resultValueMax',
    'learningObjectiveSet',
    'school',
    'academicSession',
  ],
  assessmentResults: [
    ...BASE_FIELDS,
    'assessmentLineItem',
    'student',
    'score',
    'textScore',
    'scoreDate',
    'scoreScale',
    'scorePercentile',
    'scoreStatus',
    'comment',
    'learningObjectiveSet',
  ],
};

/** A record and the school org it belongs to, for the school's own listings. */
export interface Stored {
  record: Json;
  org: string | null;
}

export type Store = Record<CollectionName, Stored[]>;

export interface BuildOptions {
  rosteringPath: string;
  gradebookPath: string;
  assessmentPath: string;
  offerAssessmentResults: boolean;
}

/** The sourcedId of a synthetic school's org. */
export function orgIdOf(school: SyntheticSchool): string {
  return `org-${school.urn}`;
}

export function buildStore(schools: readonly SyntheticSchool[], options: BuildOptions): Store {
  const store: Store = {
    orgs: [],
    users: [],
    demographics: [],
    academicSessions: [],
    categories: [],
    scoreScales: [],
    lineItems: [],
    results: [],
    assessmentLineItems: [],
    assessmentResults: [],
  };
  const refs = new Refs(options);
  const seen = new Set<string>();
  const once = (collection: CollectionName, stored: Stored) => {
    const key = `${collection}/${String(stored.record.sourcedId)}`;
    if (seen.has(key)) return;
    seen.add(key);
    store[collection].push(stored);
  };

  for (const school of schools) {
    const org = orgIdOf(school);
    once('orgs', { record: orgRecord(school), org });
    for (const [index, pupil] of school.pupils.entries()) {
      store.users.push({ record: userRecord(pupil, index, org, refs), org });
      store.demographics.push({ record: demographicsRecord(pupil), org });
    }
    for (const aspect of school.aspects) {
      once('categories', { record: categoryRecord(aspect.id, aspect.name), org: null });
      once('scoreScales', { record: scaleRecord(aspect.gradeSet, org, refs), org: null });
    }
    for (const result of school.results) {
      const term = termOf(result);
      once('academicSessions', { record: sessionRecord(term, result.periodLabel), org: null });
      const aspect = school.aspects.find((a) => a.id === result.aspectId)!;
      const lineItem = lineItemId(school, result.aspectId, term);
      once('lineItems', {
        record: lineItemRecord(lineItem, school, aspect, term, result.periodLabel, refs),
        org,
      });
      store.results.push({ record: resultRecord(result, lineItem, school, refs), org });
    }
    if (options.offerAssessmentResults) addMultiplicationCheck(store, school, refs);
  }
  return store;
}

/** Term of a synthetic result, from the end of its id (`…-2025-autumn`). */
function termOf(result: SyntheticResult): { startYear: number; term: TermKind } {
  const parts = result.id.split('-');
  return { startYear: Number(parts.at(-2)), term: parts.at(-1) as TermKind };
}

function lineItemId(school: SyntheticSchool, aspectId: string, term: TermRef): string {
  return `li-${school.urn}-${aspectId}-${term.startYear}-${term.term}`;
}

type TermRef = { startYear: number; term: TermKind };

class Refs {
  constructor(private readonly options: BuildOptions) {}

  org(id: string): Json {
    return { href: `${this.options.rosteringPath}/orgs/${id}`, sourcedId: id, type: 'org' };
  }
  user(id: string): Json {
    return { href: `${this.options.rosteringPath}/users/${id}`, sourcedId: id, type: 'user' };
  }
  session(id: string): Json {
    const href = `${this.options.rosteringPath}/academicSessions/${id}`;
    return { href, sourcedId: id, type: 'academicSession' };
  }
  klass(id: string): Json {
    return { href: `${this.options.rosteringPath}/classes/${id}`, sourcedId: id, type: 'class' };
  }
  gradebook(kind: string, id: string): Json {
    const base = kind.startsWith('assessment')
      ? this.options.assessmentPath
      : this.options.gradebookPath;
    return { href: `${base}/${kind}s/${id}`, sourcedId: id, type: kind };
  }
}

const STAMP = 'T08:00:00.000Z';

function orgRecord(school: SyntheticSchool): Json {
  return {
    sourcedId: orgIdOf(school),
    status: 'active',
    dateLastModified: `2024-09-01${STAMP}`,
    name: school.name,
    type: 'school',
    identifier: school.laestab,
    metadata: { urn: school.urn },
  };
}

function userRecord(pupil: SyntheticPupil, index: number, org: string, refs: Refs): Json {
  const handle = `${pupil.firstName}.${pupil.lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
  return {
    sourcedId: pupil.id,
    status: 'active',
    dateLastModified: `${pupil.onRollFrom}${STAMP}`,
    metadata: {
      senStatus: pupil.senStatus,
      disadvantaged: pupil.disadvantaged,
      eal: pupil.eal,
    },
    username: `${handle}${index}`,
    userIds: [
      { type: 'MIS', identifier: `adm-${index + 1}` },
      { type: 'UPN', identifier: pupil.upn },
    ],
    enabledUser: 'true',
    givenName: pupil.firstName,
    familyName: pupil.lastName,
    middleName: '',
    preferredFirstName: pupil.firstName,
    roles: [
      { roleType: 'primary', role: 'student', org: refs.org(org), beginDate: pupil.onRollFrom },
    ],
    primaryOrg: refs.org(org),
    // An admission number, as English MISs often fill `identifier`: not the UPN.
    identifier: `ADM${String(index + 1).padStart(5, '0')}`,
    email: `${handle}${index}@pupils.example.sch.uk`,
    sms: '07700 900123',
    phone: '0113 496 0000',
    agents: [refs.user(`parent-${pupil.id}`)],
    grades: [pupil.ncYear],
    password: '',
  };
}

function demographicsRecord(pupil: SyntheticPupil): Json {
  return {
    sourcedId: pupil.id,
    status: 'active',
    dateLastModified: `${pupil.onRollFrom}${STAMP}`,
    birthDate: pupil.dateOfBirth,
    sex: pupil.sex === 'F' ? 'female' : 'male',
    americanIndianOrAlaskaNative: 'false',
    asian: 'false',
    blackOrAfricanAmerican: 'false',
    nativeHawaiianOrOtherPacificIslander: 'false',
    white: 'false',
    demographicRaceTwoOrMoreRaces: 'false',
    hispanicOrLatinoEthnicity: 'false',
    countryOfBirthCode: 'GB',
    cityOfBirth: 'Leeds',
  };
}

function categoryRecord(id: string, name: string): Json {
  return { sourcedId: id, status: 'active', dateLastModified: `2024-09-01${STAMP}`, title: name };
}

/** Gives a line item another score scale, the scale added to the store once. */
export function rescaleLineItem(store: Store, lineItem: Json, gradeSet: string): void {
  const id = scaleIdOf(gradeSet);
  const ref = lineItem.scoreScale as Json;
  lineItem.scoreScale = { ...ref, sourcedId: id, href: String(ref.href).replace(/[^/]+$/, id) };
  if (store.scoreScales.some((stored) => stored.record.sourcedId === id)) return;
  const like = store.scoreScales[0]!.record;
  store.scoreScales.push({ record: { ...like, sourcedId: id, title: gradeSet }, org: null });
}

export function scaleIdOf(gradeSet: string): string {
  return `scale-${gradeSet.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

function scaleRecord(gradeSet: string, org: string, refs: Refs): Json {
  return {
    sourcedId: scaleIdOf(gradeSet),
    status: 'active',
    dateLastModified: `2024-09-01${STAMP}`,
    title: gradeSet,
    type: 'attainment',
    org: refs.org(org),
    scoreScaleValue: [],
  };
}

export function sessionIdOf(term: TermRef): string {
  return `term-${term.startYear}-${term.term}`;
}

function sessionRecord(term: TermRef, title: string): Json {
  const dates = englishAcademicYear(term.startYear).terms.find((t) => t.kind === term.term)!;
  return {
    sourcedId: sessionIdOf(term),
    status: 'active',
    dateLastModified: `${dates.startsOn}${STAMP}`,
    title,
    type: 'term',
    startDate: dates.startsOn,
    endDate: dates.endsOn,
    schoolYear: String(term.startYear + 1),
  };
}

function lineItemRecord(
  id: string,
  school: SyntheticSchool,
  aspect: SyntheticSchool['aspects'][number],
  term: TermRef,
  periodLabel: string,
  refs: Refs,
): Json {
  const dates = englishAcademicYear(term.startYear).terms.find((t) => t.kind === term.term)!;
  return {
    sourcedId: id,
    status: 'active',
    dateLastModified: `${dates.startsOn}${STAMP}`,
    title: `${aspect.name} ${periodLabel}`,
    description: `${aspect.name}, teacher assessment`,
    assignDate: `${dates.startsOn}${STAMP}`,
    dueDate: `${dates.endsOn}${STAMP}`,
    class: refs.klass(`class-${school.urn}-${aspect.subject}`),
    school: refs.org(orgIdOf(school)),
    category: refs.gradebook('category', aspect.id),
    academicSession: refs.session(sessionIdOf(term)),
    scoreScale: refs.gradebook('scoreScale', scaleIdOf(aspect.gradeSet)),
  };
}

function resultRecord(
  result: SyntheticResult,
  lineItem: string,
  school: SyntheticSchool,
  refs: Refs,
): Json {
  const aspect = school.aspects.find((a) => a.id === result.aspectId)!;
  // A synthetic result without a value (school.ts leaves a few) is one not marked yet.
  const marked = typeof result.value === 'string';
  const numeric = typeof result.value === 'string' && /^\d+(\.\d+)?$/.test(result.value);
  const grade = numeric
    ? { score: Number(result.value) }
    : marked
      ? { textScore: result.value }
      : {};
  return {
    sourcedId: result.id,
    status: 'active',
    dateLastModified: result.modifiedAt,
    lineItem: refs.gradebook('lineItem', lineItem),
    student: refs.user(result.pupilId),
    class: refs.klass(`class-${school.urn}-${aspect.subject}`),
    scoreStatus: marked ? 'fully graded' : 'not submitted',
    ...grade,
    scoreDate: result.assessedOn,
    comment: 'Teacher comment that the connector does not ask for.',
  };
}

// A Year 4 multiplication tables check for each Year 4 pupil, served by the Assessment
// Results Profile: a score from 0 to 25 (research B.3).
function addMultiplicationCheck(store: Store, school: SyntheticSchool, refs: Refs): void {
  const org = orgIdOf(school);
  const lastTerm = termOf(school.results.at(-1)!);
  const id = `ali-${school.urn}-mtc`;
  store.assessmentLineItems.push({
    record: {
      sourcedId: id,
      status: 'active',
      dateLastModified: `2025-06-01${STAMP}`,
      title: 'Multiplication tables check',
      school: refs.org(org),
      academicSession: refs.session(sessionIdOf(lastTerm)),
    },
    org,
  });
  for (const [index, pupil] of school.pupils.entries()) {
    if (pupil.ncYear !== 'Y4') continue;
    store.assessmentResults.push({
      record: {
        sourcedId: `mtc-${pupil.id}`,
        status: 'active',
        dateLastModified: `2025-06-13${STAMP}`,
        assessmentLineItem: refs.gradebook('assessmentLineItem', id),
        student: refs.user(pupil.id),
        score: (index * 7) % 26,
        scoreStatus: 'fully graded',
        scoreDate: '2025-06-13',
      },
      org,
    });
  }
}
