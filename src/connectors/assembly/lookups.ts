import type { z } from 'zod';
import type { PullEvent } from '../contract.ts';
import { isConnectorError } from '../http/index.ts';
import type { AssemblyConfig } from './config.ts';
import { readWholeList } from './pages.ts';
import type { AssemblySession } from './session.ts';
import {
  assessmentPointSchema,
  assessmentSchema,
  facetSchema,
  gradeSetSchema,
  singleSchema,
  subjectSchema,
} from './wire.ts';

/**
 * What a result names only by id: its facet, assessment, grade, assessment point and subject.
 * Assembly forces the join, so these small maps are held for the run; grade sets are fetched
 * only for the assessments that have results we take.
 */
export interface Lookups {
  facetName(id: string): string | null;
  assessment(id: string): Promise<Assessment | null>;
  gradeSet(assessmentId: string): Promise<GradeSet | null>;
  pointName(rank: string): string | null;
  subjectName(id: string): string | null;
}

export interface Assessment {
  name: string;
  family: string | null;
}

export interface GradeSet {
  name: string | null;
  grades: Map<string, string>;
}

const LOOKUP_PAGE = 1500;

export async function loadLookups(
  session: AssemblySession,
  config: AssemblyConfig,
  log: (event: PullEvent) => void,
): Promise<Lookups> {
  const scope = config.scopes.assessments;
  const list = (path: string, what: string, listScope = scope) =>
    readWholeList(session, {
      path,
      query: {},
      perPage: LOOKUP_PAGE,
      endpoint: { what, scope: listScope },
    });

  const facets = byId(await list('/facets', 'facets'), facetSchema, (f) => [f.id, f.name]);
  const assessments = new Map<string, Assessment | null>(
    byId(await list('/assessments', 'assessments'), assessmentSchema, (a) => [
      a.id,
      { name: a.name, family: a.family_name ?? null },
    ]),
  );
  const points = byId(
    await list('/assessment_points', 'assessment points'),
    assessmentPointSchema,
    (p) => [p.rank, p.name],
  );
  const subjects = await loadSubjects(() => list('/subjects', 'subjects', config.scopes.subjects));
  if (!subjects) {
    log({
      level: 'warn',
      code: 'subjects_unreadable',
      message:
        'Assembly would not list the subjects, so aspects are named by subject number. Ask ' +
        `the school to grant the "${config.scopes.subjects}" scope to the Next Steps Sync app.`,
    });
  }
  const gradeSets = new Map<string, GradeSet | null>();

  return {
    facetName: (id) => facets.get(id) ?? null,
    async assessment(id) {
      if (!assessments.has(id)) assessments.set(id, await fetchAssessment(session, id, scope));
      return assessments.get(id) ?? null;
    },
    async gradeSet(assessmentId) {
      if (!gradeSets.has(assessmentId)) {
        gradeSets.set(assessmentId, await fetchGradeSet(session, assessmentId, scope));
      }
      return gradeSets.get(assessmentId) ?? null;
    },
    pointName: (rank) => points.get(rank) ?? null,
    subjectName: (id) => (subjects ? (subjects.get(id) ?? null) : null),
  };
}

// The subject only names the aspect; its id is in the aspect's key either way, so a school
// that has not granted subjects still syncs.
async function loadSubjects(read: () => Promise<unknown[]>): Promise<Map<string, string> | null> {
  try {
    return byId(await read(), subjectSchema, (s) => [s.id, s.name]);
  } catch (error) {
    if (isConnectorError(error) && error.code === 'http_forbidden') return null;
    throw error;
  }
}

/** An assessment created after the list was read; null if Assembly does not know it. */
async function fetchAssessment(
  session: AssemblySession,
  id: string,
  scope: string,
): Promise<Assessment | null> {
  const fetched = await orNotFound(() =>
    session.get(
      `/assessments/${encodeURIComponent(id)}`,
      {},
      {
        endpoint: { what: 'assessments', scope },
      },
    ),
  );
  if (!fetched) return null;
  const assessment = session.parse(fetched, singleSchema(assessmentSchema));
  return { name: assessment.name, family: assessment.family_name ?? null };
}

async function fetchGradeSet(
  session: AssemblySession,
  assessmentId: string,
  scope: string,
): Promise<GradeSet | null> {
  const fetched = await orNotFound(() =>
    session.get(
      `/assessments/${encodeURIComponent(assessmentId)}/grade_set`,
      {},
      {
        endpoint: { what: 'grade sets', scope },
      },
    ),
  );
  if (!fetched) return null;
  const set = session.parse(fetched, singleSchema(gradeSetSchema));
  return {
    name: set.name ?? null,
    grades: new Map(set.grades.map((grade) => [grade.id, grade.name])),
  };
}

async function orNotFound<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (isConnectorError(error) && error.code === 'http_not_found') return null;
    throw error;
  }
}

/** The records that fit the schema, by id; lookups are tolerant, a bad one is left out. */
function byId<T extends z.ZodType, V>(
  records: readonly unknown[],
  schema: T,
  entry: (record: z.output<T>) => [string, V],
): Map<string, V> {
  const map = new Map<string, V>();
  for (const record of records) {
    const parsed = schema.safeParse(record);
    if (parsed.success) map.set(...entry(parsed.data));
  }
  return map;
}
