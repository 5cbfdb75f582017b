import type { PullPage, RawPayload, RecordProblem } from '../contract.ts';
import { keptJson } from '../replay.ts';
import type { WondeConfig } from './config.ts';
import {
  type DeletionTally,
  newTally,
  translateDeletionLog,
  translateLeavers,
} from './deletions.ts';
import { translateStudents } from './pupils.ts';
import {
  addAspects,
  addResultSets,
  type Catalogue,
  newSkipped,
  type SkippedResults,
  translateResults,
} from './results.ts';
import { listSchema } from './schemas.ts';

/**
 * One translation of Wonde pages into the engine's pages, shared by a pull (page by page as it
 * reads them) and a replay (from the pages a pull kept). A page is known by the list it came
 * from, which its label names: `GET /v1.0/schools/A1/students?...`.
 */

/** The lists a pull reads, each translated its own way. */
export type WondeList =
  | 'students'
  | 'student-index'
  | 'aspects'
  | 'result-sets'
  | 'results'
  | 'leavers'
  | 'deletions';

/** Marks the pages of the roll read only for its ids, which carry no pupil news. */
export const INDEX_NOTE = ' (pupil ids only)';

export interface Translation {
  config: WondeConfig;
  catalogue: Catalogue;
  skipped: SkippedResults;
  tally: DeletionTally;
  /** The Wonde server's clock when the pull began: a deletion after it may have moved a page. */
  runStartedAt: string;
  /** Pupils translated this time round (a resumed pull counts the earlier attempts itself). */
  pupils: number;
}

export interface TranslatedPage {
  page: PullPage;
  problems: RecordProblem[];
}

export function newTranslation(config: WondeConfig, runStartedAt: string): Translation {
  return {
    config,
    catalogue: { aspects: new Map(), resultSets: new Map(), pupils: new Map() },
    skipped: newSkipped(),
    tally: newTally(),
    runStartedAt,
    pupils: 0,
  };
}

/** Translates one page of a list; `label` is where its problems are said to be. */
export function translatePage(
  t: Translation,
  list: WondeList,
  records: readonly unknown[],
  label: string,
): TranslatedPage {
  const { config, catalogue } = t;
  const { assessment } = config;
  switch (list) {
    case 'students': {
      const page = translateStudents(records, label, config);
      for (const [wondeId, upi] of page.ids) catalogue.pupils.set(wondeId, upi);
      t.pupils += page.pupils.length;
      return { page: { kind: 'pupils', pupils: page.pupils }, problems: page.problems };
    }
    case 'student-index':
      for (const [wondeId, upi] of translateStudents(records, label, config).ids) {
        catalogue.pupils.set(wondeId, upi);
      }
      return { page: { kind: 'pupils', pupils: [] }, problems: [] };
    case 'aspects': {
      const problems = addAspects(records, label, assessment, catalogue.aspects);
      return { page: { kind: 'results', results: [] }, problems };
    }
    case 'result-sets':
      addResultSets(records, catalogue.resultSets);
      return { page: { kind: 'results', results: [] }, problems: [] };
    case 'results': {
      const page = translateResults(records, label, assessment, catalogue, t.skipped);
      return { page: { kind: 'results', results: page.results }, problems: page.problems };
    }
    case 'leavers': {
      const page = translateLeavers(records, label, catalogue.pupils, t.tally);
      return { page: { kind: 'deletions', deletions: page.deletions }, problems: page.problems };
    }
    case 'deletions': {
      const page = translateDeletionLog(records, catalogue.pupils, t.tally, t.runStartedAt);
      return { page: { kind: 'deletions', deletions: page.deletions }, problems: page.problems };
    }
  }
}

/** Which list a kept page came from, by the path in its label; null for none we read. */
export function listOf(label: string, config: WondeConfig): WondeList | null {
  const path = label.replace(/^GET /, '').split('?')[0] ?? '';
  const school = `/schools/${encodeURIComponent(config.schoolId)}/`;
  const at = path.indexOf(school);
  if (at < 0) return null;
  const rest = path.slice(at + school.length);
  const { assessment } = config;
  if (rest === 'students') return label.endsWith(INDEX_NOTE) ? 'student-index' : 'students';
  if (rest === 'students-leaver') return 'leavers';
  if (rest === 'deletions') return 'deletions';
  if (rest === assessment.aspectsPath) return 'aspects';
  if (rest === assessment.resultSetsPath) return 'result-sets';
  if (rest === assessment.resultsPath) return 'results';
  return null;
}

/** The records of a kept page, as the pull read them from its body. */
export function keptRecords(raw: RawPayload): unknown[] | null {
  const parsed = listSchema.safeParse(keptJson(raw));
  return parsed.success ? parsed.data.data : null;
}
