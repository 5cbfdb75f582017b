import type { PullEvent, PulledPage, PullSummary, ReplayContext } from '../contract.ts';
import { KeptPageUnreadable } from '../replay.ts';
import { type PullCursor, readCheckpoint } from './checkpoint.ts';
import type { OneRosterConfig } from './config.ts';
import { logPupilTallies, logResultTallies } from './pull.ts';
import {
  idOf,
  keptRecords,
  listOf,
  newTranslation,
  partsOf,
  type RosterList,
  type Translation,
  tally,
  translatePage,
} from './translate.ts';

/**
 * A OneRoster pull again, from the pages it kept: the small lists fill the lookups as they did,
 * and each page of students or results is translated with them and split into its records and
 * its deletions as the pull split it. A page read again after the list shrank repeats records
 * of the page before it, which the pull dropped by id; so does the replay.
 */
export async function* replayOneRoster(
  ctx: ReplayContext<OneRosterConfig>,
): AsyncGenerator<PulledPage, PullSummary> {
  const { config } = ctx;
  const checkpoint = readCheckpoint(ctx.checkpoint);
  const t = newTranslation(config, checkpoint?.since ?? null);
  const recent = new Map<string, string[]>();
  let previous: RosterList | null = null;
  let scalesRead = false;

  for await (const raw of ctx.raw) {
    const list = listOf(raw.label, config);
    const records = list ? keptRecords(raw, list, config) : null;
    if (!list || !records) throw new KeptPageUnreadable(config.systemName, raw.label);
    if (previous !== list) {
      if (previous) sayTallies(t, previous, ctx.log);
      // Score scales are read before results; a provider without them answered 404 then.
      if (list === 'sessions') scalesRead = false;
      if (list === 'scales') scalesRead = true;
      if (isResults(list) && !scalesRead) tally(t, 'score_scales_missing');
    }
    previous = list;

    const translated = translatePage(t, list, dropRepeats(recent, raw.label, records), raw.label);
    for (const part of partsOf(translated)) yield { ...part, raw, checkpoint: {} };
  }
  if (previous) sayTallies(t, previous, ctx.log);

  const startedAt = checkpoint?.startedAt ?? ctx.pulledAt.toISOString();
  const cursor: PullCursor = { version: 1, startedAt };
  return { complete: ctx.mode === 'full', cursor };
}

function isResults(list: RosterList): boolean {
  return list === 'results' || list === 'assessment-results';
}

/** What the pull said at the end of a list of students or results. */
function sayTallies(t: Translation, list: RosterList, log: (event: PullEvent) => void): void {
  if (list === 'students') logPupilTallies(t, log);
  if (list === 'results') logResultTallies(t, log, 'results');
  if (list === 'assessment-results') logResultTallies(t, log, 'assessment results');
}

/** The page's records less those the page before it in the same listing held. */
function dropRepeats(
  recent: Map<string, string[]>,
  label: string,
  records: readonly unknown[],
): unknown[] {
  const listing = listingOf(label);
  const before = new Set(recent.get(listing) ?? []);
  recent.set(
    listing,
    records.map(idOf).filter((id): id is string => id !== null),
  );
  return records.filter((record) => {
    const id = idOf(record);
    return id === null || !before.has(id);
  });
}

/** A page's label without its place in the listing: the listing it belongs to. */
function listingOf(label: string): string {
  const url = new URL(label.replace(/^GET /, ''), 'http://kept.invalid');
  url.searchParams.delete('offset');
  url.searchParams.delete('limit');
  return `${url.pathname}${url.search}`;
}
