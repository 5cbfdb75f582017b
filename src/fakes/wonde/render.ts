import type { WondeScope } from './faults.ts';
import type {
  AspectRow,
  DeletionRow,
  ResultRow,
  ResultSetRow,
  SchoolStore,
  StudentRow,
} from './store.ts';

/**
 * Wonde's JSON shapes. Student fields follow a recorded response (research 1.8); the assessment
 * field names are guesses (research 1.9), so each can be renamed through `WondeShapes`.
 */
export interface WondeShapes {
  /** The 2016 recording has an object; later specs a "YYYY-MM-DD" string (research 1.4). */
  dateOfBirth: 'object' | 'string';
  /** Result relations as ids unless included, or always as `{data: {...}}`. */
  relations: 'id' | 'included';
  /** How flags such as free school meals are written; the real type is unknown. */
  flags: 'boolean' | 'yes_no';
  /** The key of a result's value, its date, an aspect's type and its grade set. */
  valueField: string;
  dateField: string;
  aspectTypeField: string;
  gradeSetField: string;
  /** Two spellings are in use (research 1.8). */
  ealField: 'english_as_additional_language' | 'english_as_additional_language_status';
  /** What `meta` is on a list too short to page: includes only, PHP's empty `[]`, or absent. */
  unpagedMeta: 'includes' | 'empty_array' | 'absent';
  /**
   * Whether `per_page` forces pagination on a list that fits one page, as documented, or the
   * pagination object is left out anyway, as the official clients had to cope with.
   */
  shortLists: 'paged' | 'unpaged';
}

export const DEFAULT_SHAPES: WondeShapes = {
  dateOfBirth: 'object',
  relations: 'id',
  flags: 'boolean',
  valueField: 'result',
  dateField: 'date',
  aspectTypeField: 'type',
  gradeSetField: 'grade_set',
  ealField: 'english_as_additional_language',
  unpagedMeta: 'includes',
  shortLists: 'paged',
};

export const STUDENT_INCLUDES = [
  'classes',
  'classes.subject',
  'education_details',
  'contact_details',
  'attendance_summary',
  'extended_details',
  'contacts',
  'year',
  'house',
  'registration',
  'groups',
  'photo',
  'sen_needs',
  'results',
];

interface RenderContext {
  shapes: WondeShapes;
  includes: ReadonlySet<string>;
  withheld: ReadonlySet<WondeScope>;
}

/** A PHP DateTime as Wonde serialises it. */
export function dateTime(ms: number, timezone = 'UTC') {
  const iso = new Date(ms).toISOString();
  return { date: `${iso.slice(0, 10)} ${iso.slice(11, 19)}.000000`, timezone_type: 3, timezone };
}

function dateObject(date: string) {
  return { date: `${date} 00:00:00.000000`, timezone_type: 3, timezone: 'Europe/London' };
}

export function renderStudent(row: StudentRow, ctx: RenderContext): Record<string, unknown> {
  const { pupil } = row;
  const grant = <T>(scope: WondeScope, value: T) => (ctx.withheld.has(scope) ? null : value);
  const student: Record<string, unknown> = {
    id: row.wondeId,
    upi: row.upi,
    mis_id: row.misId,
    initials: `${pupil.firstName[0]}${pupil.lastName[0]}`,
    surname: pupil.lastName,
    forename: pupil.firstName,
    middle_names: null,
    legal_surname: pupil.lastName,
    legal_forename: pupil.firstName,
    gender: grant('gender', pupil.sex === 'F' ? 'FEMALE' : 'MALE'),
    date_of_birth: grant(
      'date_of_birth',
      ctx.shapes.dateOfBirth === 'object' ? dateObject(pupil.dateOfBirth) : pupil.dateOfBirth,
    ),
    restored_at: row.restoredAt === null ? null : dateTime(row.restoredAt),
    created_at: dateTime(row.createdAt),
    updated_at: dateTime(row.updatedAt),
  };
  if (ctx.includes.has('education_details')) {
    student.education_details = grant('education_details', { data: educationDetails(row) });
  }
  if (ctx.includes.has('extended_details')) {
    student.extended_details = grant('extended_details', {
      data: extendedDetails(row, ctx.shapes),
    });
  }
  if (ctx.includes.has('year')) student.year = grant('year', { data: year(row) });
  return student;
}

function educationDetails(row: StudentRow) {
  const { pupil } = row;
  return {
    upn: pupil.upn,
    former_upn: null,
    local_upn: null,
    admission_number: row.misId.padStart(6, '0'),
    admission_date: pupil.onRollFrom,
    leaving_date: row.leavingDate,
    current_nc_year: ncYearCode(pupil.ncYear),
    part_time: false,
  };
}

function extendedDetails(row: StudentRow, shapes: WondeShapes) {
  const { pupil } = row;
  const flag = (value: boolean) => (shapes.flags === 'boolean' ? value : value ? 'Yes' : 'No');
  // Some disadvantaged pupils are Ever 6 but not eligible for meals today.
  const mealsNow = pupil.disadvantaged && row.seq % 3 !== 0;
  return {
    sen_status: row.senStatus,
    free_school_meals: flag(mealsNow),
    free_school_meals_6: flag(pupil.disadvantaged),
    premium_pupil_indicator: flag(pupil.disadvantaged),
    [shapes.ealField]: flag(pupil.eal),
    in_lea_care: flag(false),
    // Wonde sends these unasked with extended details; the connector must ignore them.
    ethnicity: 'WBRI',
    first_language: pupil.eal ? 'POL' : 'ENG',
  };
}

function year(row: StudentRow) {
  const code = ncYearCode(row.pupil.ncYear);
  const name = code === 'R' ? 'Reception' : code === 'X' ? 'Not NC' : `Year ${code}`;
  return { id: `A11${row.pupil.ncYear.padStart(8, '0')}`, code, name };
}

function ncYearCode(ncYear: string): string {
  return ncYear.startsWith('Y') ? ncYear.slice(1) : ncYear;
}

export function renderAspect(row: AspectRow, shapes: WondeShapes): Record<string, unknown> {
  return {
    id: row.wondeId,
    mis_id: row.misId,
    name: row.name,
    [shapes.aspectTypeField]: row.type,
    [shapes.gradeSetField]: row.gradeSet ? { data: row.gradeSet } : null,
    created_at: dateTime(row.updatedAt),
    updated_at: dateTime(row.updatedAt),
  };
}

export function renderResultSet(row: ResultSetRow): Record<string, unknown> {
  return { id: row.wondeId, mis_id: row.misId, name: row.name };
}

export function renderResult(
  row: ResultRow,
  store: SchoolStore,
  ctx: RenderContext,
): Record<string, unknown> {
  const expand = (name: string) => ctx.shapes.relations === 'included' || ctx.includes.has(name);
  const aspect = store.aspects.find((entry) => entry.wondeId === row.aspectId);
  const resultSet = store.resultSets.find((entry) => entry.wondeId === row.resultSetId);
  return {
    id: row.wondeId,
    mis_id: String(row.seq + 1),
    student: expand('student')
      ? { data: { id: row.student.wondeId, upi: row.student.upi } }
      : row.student.wondeId,
    aspect: expand('aspect') && aspect ? { data: renderAspect(aspect, ctx.shapes) } : row.aspectId,
    resultset:
      expand('resultset') && resultSet ? { data: renderResultSet(resultSet) } : row.resultSetId,
    [ctx.shapes.valueField]: row.value,
    [ctx.shapes.dateField]: dateTime(Date.parse(`${row.date}T00:00:00Z`)),
    created_at: dateTime(row.updatedAt),
    updated_at: dateTime(row.updatedAt),
  };
}

export function renderDeletion(row: DeletionRow): Record<string, unknown> {
  return {
    type: row.type,
    id: row.id,
    mis_id: row.misId,
    deleted_at: dateTime(row.deletedAt),
    restored_at: row.restoredAt === null ? null : dateTime(row.restoredAt),
  };
}

export function renderSchool(store: SchoolStore, domain: string): Record<string, unknown> {
  const { school } = store;
  return {
    id: store.id,
    name: school.name,
    establishment_number: school.laestab.slice(3),
    urn: Number(school.urn),
    la_code: school.laestab.slice(0, 3),
    mis: 'SIMS',
    region: {
      code: 'GB',
      domain,
      school_url: `https://${domain}/v1.0/schools/${store.id}`,
      identifiers: {
        la_code: school.laestab.slice(0, 3),
        establishment_number: school.laestab.slice(3),
        urn: Number(school.urn),
      },
    },
  };
}
