import type { PulledPage, PullPage, PullSummary, RawPayload, ReplayContext } from '../contract.ts';
import { ConnectorError } from '../http/index.ts';
import { KeptPageUnreadable } from '../replay.ts';
import { changesIn, removedIn, report } from './changes.ts';
import {
  CHANGE_STEPS,
  type ChangeStep,
  cursorAfterFull,
  type FullCheckpoint,
  freshFull,
  readCheckpoint,
} from './checkpoint.ts';
import {
  type ArborClient,
  type Fetched,
  labelOf,
  parseObject,
  type Query,
  type Row,
  requestUrl,
} from './client.ts';
import { type ArborConfig, arborBaseUrl, displayHost } from './config.ts';
import { ukToday } from './dates.ts';
import { summarise } from './full.ts';
import { buildPupils } from './pupils.ts';
import { DELETIONS_NOTE, RawLog, type RawPart, readBundle } from './raw.ts';
import { listRows, Resolver } from './records.ts';
import { buildResults } from './results.ts';
import type { PullRun } from './run.ts';

/**
 * An Arbor pull again, from the pages it kept. Each kept page holds every answer it was built
 * from, so the same builders run on it unchanged: the answers are served to them, in place of
 * Arbor, by a stand-in that asks nothing of the school's system. The catalogue they fetch once
 * (grades, assessments, statuses) is held between pages as the pull held it.
 */
export async function* replayArbor(
  ctx: ReplayContext<ArborConfig>,
): AsyncGenerator<PulledPage, PullSummary> {
  const kept = new KeptAnswers(ctx.config);
  const raw = new RawLog();
  const run: PullRun = {
    arbor: kept,
    config: ctx.config,
    raw,
    signal: ctx.signal,
    resolver: new Resolver(kept, raw),
    today: ukToday(ctx.pulledAt),
    log: (event) => ctx.log(event),
  };
  const tally = { notSubmitted: 0, untraced: 0, pupilsRemoved: 0, marksRemoved: 0 };

  for await (const stored of ctx.raw) {
    const parts = readBundle(stored);
    const first = parts?.[0];
    const page = first ? pageOf(kept, stored, first) : null;
    if (!parts || !page) throw new KeptPageUnreadable('Arbor', stored.label);
    kept.serve(parts);
    const built = await rebuild(run, page, tally);
    raw.drop();
    if (built) yield { page: built.page, problems: built.problems, raw: stored, checkpoint: {} };
  }
  return summary(ctx, run, tally);
}

type KeptPage =
  | { kind: 'pupils' | 'marks'; rows: Row[] }
  | { kind: 'deletions' | 'changes'; step: ChangeStep; rows: Row[] };

interface Tally {
  notSubmitted: number;
  untraced: number;
  pupilsRemoved: number;
  marksRemoved: number;
}

/** What a kept page is, by the request its first answer came from. */
function pageOf(kept: KeptAnswers, stored: RawPayload, first: RawPart): KeptPage | null {
  const body = parseObject(first.body);
  const rows = body ? listRows(body) : null;
  if (!rows) return null;
  const path = new URL(first.label.replace(/^GET /, ''), 'http://kept.invalid').pathname;
  const { resources } = kept.config;
  if (path === kept.pathOf(resources.students)) return { kind: 'pupils', rows };
  if (path === kept.pathOf(resources.marks)) return { kind: 'marks', rows };
  const step = CHANGE_STEPS.find((s) => path === kept.pathOf(`${resources[s]}/changelog`));
  if (!step) return null;
  const deletions = stored.label.endsWith(DELETIONS_NOTE);
  return deletions ? { kind: 'deletions', step, rows } : { kind: 'changes', step, rows };
}

async function rebuild(
  run: PullRun,
  page: KeptPage,
  tally: Tally,
): Promise<{ page: PullPage; problems: PulledPage['problems'] } | null> {
  const { rows } = page;
  switch (page.kind) {
    case 'pupils': {
      const built = await buildPupils(run, rows);
      return { page: { kind: 'pupils', pupils: built.records }, problems: built.problems };
    }
    case 'marks': {
      const built = await buildResults(run, rows);
      tally.notSubmitted += built.notSubmitted;
      return { page: { kind: 'results', results: built.records }, problems: built.problems };
    }
    case 'deletions': {
      const deletions = removedIn(page.step, rows);
      if (page.step === 'students') tally.pupilsRemoved += deletions.length;
      if (page.step === 'marks') tally.marksRemoved += deletions.length;
      return { page: { kind: 'deletions', deletions }, problems: [] };
    }
    case 'changes': {
      const built = await changesIn(run, page.step, rows);
      tally.notSubmitted += built.notSubmitted;
      tally.untraced += built.untraced;
      return built.page ? { page: built.page, problems: built.problems } : null;
    }
  }
}

/** What the pull said at its end, from the same pages; a full pull's by its checkpoint. */
function summary(ctx: ReplayContext<ArborConfig>, run: PullRun, tally: Tally): PullSummary {
  const saved = readCheckpoint(ctx.checkpoint);
  const mode = saved?.mode ?? ctx.mode;
  if (mode === 'incremental') {
    report(run, tally);
    const revisions = saved?.mode === 'incremental' ? saved.revisions : {};
    return { complete: false, cursor: { v: 1, revisions } };
  }
  const floor = saved?.mode === 'full' ? saved.floor : null;
  const checkpoint: FullCheckpoint = {
    ...freshFull(ctx.config.paging.firstPageNumber),
    floor,
    notSubmitted: tally.notSubmitted,
    pupilsRemoved: tally.pupilsRemoved,
    marksRemoved: tally.marksRemoved,
  };
  const said = summarise(run, checkpoint);
  return { complete: said.complete, cursor: cursorAfterFull(floor) };
}

/**
 * The school's Arbor as a kept page saw it: each request is answered with the answer the pull
 * received for it. A record the pull found gone (a 404) has no answer, and is gone again.
 */
class KeptAnswers implements ArborClient {
  readonly host: string;
  private readonly base: URL;
  private answers = new Map<string, RawPart>();

  constructor(readonly config: ArborConfig) {
    const base = arborBaseUrl(config.host);
    if (!base) throw new TypeError('the Arbor host setting was not validated');
    this.base = base;
    this.host = displayHost(config.host);
  }

  /** The path on the school's Arbor that a resource's requests go to. */
  pathOf(resource: string): string {
    return requestUrl(this.base, resource).pathname;
  }

  serve(parts: readonly RawPart[]): void {
    this.answers = new Map(parts.map((part) => [part.label, part]));
  }

  async get(path: string, query?: Query, options?: { missingIsNull?: boolean }) {
    const label = `GET ${labelOf(requestUrl(this.base, path, query))}`;
    const part = this.answers.get(label);
    const body = part ? parseObject(part.body) : null;
    if (part && body) return { body, part } satisfies Fetched;
    if (options?.missingIsNull) return null;
    throw new KeptPageUnreadable('Arbor', label);
  }

  error(details: Parameters<ArborClient['error']>[0]): ConnectorError {
    const { path, ...rest } = details;
    return new ConnectorError({ ...rest, system: 'Arbor', url: requestUrl(this.base, path).href });
  }

  async close(): Promise<void> {}
}
