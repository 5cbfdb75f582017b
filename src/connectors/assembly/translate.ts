import type { z } from 'zod';
import type { PullPage, RawPayload, RecordProblem, SourceDeletion } from '../contract.ts';
import { keptJson } from '../replay.ts';
import { type AssemblyConfig, hostsOf } from './config.ts';
import { endDateOf, isoTime } from './dates.ts';
import { LOOKUP_PATHS, type LookupList, type Lookups, newLookups } from './lookups.ts';
import { listSchema } from './pages.ts';
import { issueProblem } from './problems.ts';
import { translatePupils } from './pupils.ts';
import { translateResults } from './results.ts';
import {
  assessmentPointSchema,
  assessmentSchema,
  facetSchema,
  gradeSetSchema,
  singleSchema,
  studentSchema,
  subjectSchema,
} from './wire.ts';

/**
 * One translation of Assembly pages into the engine's pages, shared by a pull (page by page as
 * it reads them) and a replay (from the pages a pull kept). A page is known by the request its
 * label names: `GET /students?demographics=true&page=1&per_page=500`, `GET /facets?page=1...`,
 * `GET /assessments/12/grade_set`. The lookup pages carry no records; they fill the maps the
 * results after them are translated with.
 */

export type AssemblyList =
  | { kind: 'pupils' }
  | { kind: 'leavers' }
  | { kind: LookupList }
  | { kind: 'assessment'; id: string }
  | { kind: 'grade-set'; assessmentId: string }
  | { kind: 'results' };

export interface Translation {
  config: AssemblyConfig;
  lookups: Lookups;
  /** Pupils already passed on: a pupil inserted mid-walk shifts others onto a later page. */
  seenPupils: Set<string>;
  /** Results left out by facet name, for the run's log. */
  skipped: Map<string, number>;
  /** Pupils that came without the demographics asked for. */
  withoutDemographics: number;
  /** Whether the lookups were read, and whether the subjects were among them. */
  lookupsRead: boolean;
}

export interface TranslatedPage {
  page: PullPage;
  problems: RecordProblem[];
}

export function newTranslation(config: AssemblyConfig): Translation {
  return {
    config,
    lookups: newLookups(),
    seenPupils: new Set(),
    skipped: new Map(),
    withoutDemographics: 0,
    lookupsRead: false,
  };
}

/** Translates one page; `location` is its path and query, where its problems are. */
export function translatePage(
  t: Translation,
  list: AssemblyList,
  records: readonly unknown[],
  location: string,
): TranslatedPage {
  switch (list.kind) {
    case 'pupils':
      return pupilsOf(t, records, location);
    case 'leavers': {
      const problems: RecordProblem[] = [];
      const deletions = records.flatMap((record) => leaver(record, location, problems));
      return { page: { kind: 'deletions', deletions }, problems };
    }
    case 'results': {
      const translated = translateResults(records, location, t.lookups, t.config);
      for (const [facet, count] of translated.skipped) {
        t.skipped.set(facet, (t.skipped.get(facet) ?? 0) + count);
      }
      return {
        page: { kind: 'results', results: translated.results },
        problems: translated.problems,
      };
    }
    default:
      addLookups(t, list, records);
      return { page: { kind: 'results', results: [] }, problems: [] };
  }
}

/** Which request a kept page answered, by its label; null for none a pull keeps. */
export function listOf(label: string, config: AssemblyConfig): AssemblyList | null {
  const asked = label.replace(/^GET /, '');
  const url = new URL(asked, 'http://kept.invalid');
  const prefix = new URL(hostsOf(config).api).pathname.replace(/\/+$/, '');
  if (!url.pathname.startsWith(`${prefix}/`)) return null;
  const path = url.pathname.slice(prefix.length);

  if (path === '/students') return url.searchParams.has('demographics') ? { kind: 'pupils' } : null;
  if (path === '/students/left') return { kind: 'leavers' };
  if (path === '/results') return { kind: 'results' };
  for (const [kind, lookupPath] of Object.entries(LOOKUP_PATHS)) {
    if (path === lookupPath) return { kind: kind as LookupList };
  }
  const single = /^\/assessments\/([^/]+)(\/grade_set)?$/.exec(path);
  if (!single) return null;
  const id = decodeURIComponent(single[1]!);
  return single[2] ? { kind: 'grade-set', assessmentId: id } : { kind: 'assessment', id };
}

/** The records of a kept page, as the pull read them from its body; null when unreadable. */
export function keptRecords(raw: RawPayload, list: AssemblyList): unknown[] | null {
  const json = keptJson(raw);
  if (json === undefined) return null;
  if (list.kind === 'assessment' || list.kind === 'grade-set') return [json];
  const parsed = listSchema.safeParse(json);
  return parsed.success ? parsed.data.records : null;
}

/** A kept page's path and query: where the pull said its problems were. */
export function locationOf(raw: RawPayload): string {
  return raw.label.replace(/^GET /, '');
}

function pupilsOf(t: Translation, records: readonly unknown[], location: string): TranslatedPage {
  const translated = translatePupils(records, location, t.config);
  t.withoutDemographics += translated.withoutDemographics;
  const fresh = translated.pupils.filter((pupil) => once(t.seenPupils, pupil.externalId));
  return { page: { kind: 'pupils', pupils: fresh }, problems: translated.problems };
}

/** A pupil Assembly lists as left: the engine ends their time on roll. */
function leaver(record: unknown, location: string, problems: RecordProblem[]): SourceDeletion[] {
  const parsed = studentSchema.safeParse(record);
  if (!parsed.success) {
    problems.push(issueProblem(location, record, parsed.error, 'Leaver'));
    return [];
  }
  const left = endDateOf(parsed.data.end_date) ? isoTime(parsed.data.end_date) : null;
  return [{ entity: 'pupil', externalId: parsed.data.id, at: left }];
}

// Lookups are tolerant: a record that does not fit is left out, and a result that needs it
// says so as a problem of its own.
function addLookups(
  t: Translation,
  list: Exclude<AssemblyList, { kind: 'pupils' | 'leavers' | 'results' }>,
  records: readonly unknown[],
): void {
  const { lookups } = t;
  t.lookupsRead = true;
  switch (list.kind) {
    case 'facets':
      each(records, facetSchema, (f) => lookups.facets.set(f.id, f.name));
      break;
    case 'assessments':
      each(records, assessmentSchema, (a) =>
        lookups.assessments.set(a.id, { name: a.name, family: a.family_name ?? null }),
      );
      break;
    case 'points':
      each(records, assessmentPointSchema, (p) => lookups.points.set(p.rank, p.name));
      break;
    case 'subjects': {
      const subjects = lookups.subjects ?? new Map<string, string>();
      lookups.subjects = subjects;
      each(records, subjectSchema, (s) => subjects.set(s.id, s.name));
      break;
    }
    case 'assessment':
      each(records, singleSchema(assessmentSchema), (a) =>
        lookups.assessments.set(list.id, { name: a.name, family: a.family_name ?? null }),
      );
      break;
    case 'grade-set':
      each(records, singleSchema(gradeSetSchema), (set) =>
        lookups.gradeSets.set(list.assessmentId, {
          name: set.name ?? null,
          grades: new Map(set.grades.map((grade) => [grade.id, grade.name])),
        }),
      );
      break;
  }
}

function each<T extends z.ZodType>(
  records: readonly unknown[],
  schema: T,
  add: (record: z.output<T>) => void,
): void {
  for (const record of records) {
    const parsed = schema.safeParse(record);
    if (parsed.success) add(parsed.data);
  }
}

function once(seen: Set<string>, id: string): boolean {
  if (seen.has(id)) return false;
  seen.add(id);
  return true;
}
