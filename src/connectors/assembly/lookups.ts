import type { z } from 'zod';
import type { PullEvent } from '../contract.ts';
import { isConnectorError } from '../http/index.ts';
import type { AssemblyConfig } from './config.ts';
import { type ListPage, type ListRequest, walkList } from './pages.ts';
import type { AssemblySession } from './session.ts';

/**
 * What a result names only by id: its facet, assessment, grade, assessment point and subject.
 * Assembly forces the join, so these small maps are held for the run. They are read as pages,
 * which the run keeps like any other, so that a replay builds the same maps from the same
 * pages; grade sets, and assessments created after the list was read, are fetched one at a
 * time, only for the results that need them.
 */
export interface Lookups {
  facets: Map<string, string>;
  assessments: Map<string, Assessment>;
  points: Map<string, string>;
  /** Null until the subjects are read: a school may not have granted them. */
  subjects: Map<string, string> | null;
  /** By assessment id. */
  gradeSets: Map<string, GradeSet>;
}

export interface Assessment {
  name: string;
  family: string | null;
}

export interface GradeSet {
  name: string | null;
  grades: Map<string, string>;
}

/** The lookup lists, read whole before any result. */
export type LookupList = 'facets' | 'assessments' | 'points' | 'subjects';

export const LOOKUP_PATHS: Record<LookupList, string> = {
  facets: '/facets',
  assessments: '/assessments',
  points: '/assessment_points',
  subjects: '/subjects',
};

const LOOKUP_PAGE = 1500;

export function newLookups(): Lookups {
  return {
    facets: new Map(),
    assessments: new Map(),
    points: new Map(),
    subjects: null,
    gradeSets: new Map(),
  };
}

/** The pages of every lookup list, each with the list it belongs to. */
export async function* lookupPages(
  session: AssemblySession,
  config: AssemblyConfig,
  log: (event: PullEvent) => void,
): AsyncGenerator<{ list: LookupList; page: ListPage }> {
  const scope = config.scopes.assessments;
  const request = (list: LookupList, what: string, listScope = scope): ListRequest => ({
    path: LOOKUP_PATHS[list],
    query: {},
    perPage: LOOKUP_PAGE,
    endpoint: { what, scope: listScope },
  });
  for (const [list, what] of [
    ['facets', 'facets'],
    ['assessments', 'assessments'],
    ['points', 'assessment points'],
  ] as const) {
    for await (const page of walkList(session, request(list, what))) yield { list, page };
  }

  // The subject only names the aspect; its id is in the aspect's key either way, so a school
  // that has not granted subjects still syncs.
  try {
    const subjects = request('subjects', 'subjects', config.scopes.subjects);
    for await (const page of walkList(session, subjects)) yield { list: 'subjects', page };
  } catch (error) {
    if (!isConnectorError(error) || error.code !== 'http_forbidden') throw error;
    log(subjectsUnreadable(config));
  }
}

/** Said when the subjects could not be read, by a pull and by its replay. */
export function subjectsUnreadable(config: AssemblyConfig): PullEvent {
  return {
    level: 'warn',
    code: 'subjects_unreadable',
    message:
      'Assembly would not list the subjects, so aspects are named by subject number. Ask ' +
      `the school to grant the "${config.scopes.subjects}" scope to the Next Steps Sync app.`,
  };
}

/** One assessment, or its grade set, as a page; null when Assembly does not know it. */
export async function fetchOne(
  session: AssemblySession,
  path: string,
  endpoint: { what: string; scope: string },
  schema: z.ZodType,
): Promise<ListPage | null> {
  try {
    const fetched = await session.get(path, {}, { endpoint });
    if (fetched.body === null) return null;
    // An answer of another shape stops the pull, as bad data, before it is passed on.
    const record: unknown = session.parse(fetched, schema);
    return {
      page: 1,
      location: fetched.path,
      records: [record],
      raw: {
        label: fetched.label,
        contentType: String(fetched.headers['content-type'] ?? 'application/json'),
        body: fetched.body,
      },
      next: null,
      total: null,
      etag: null,
    };
  } catch (error) {
    if (isConnectorError(error) && error.code === 'http_not_found') return null;
    throw error;
  }
}
