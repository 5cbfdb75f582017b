import type { PulledPage, PullSummary, ReplayContext } from '../contract.ts';
import { KeptPageUnreadable } from '../replay.ts';
import { readPosition } from './checkpoint.ts';
import type { WondeConfig } from './config.ts';
import { logSkipped } from './pull.ts';
import { keptRecords, listOf, newTranslation, translatePage } from './translate.ts';

/**
 * A Wonde pull again, from the pages it kept: each page is translated as the pull translated
 * it, with the catalogue and pupil map built up from the pages before it, as they were then.
 */
export async function* replayWonde(
  ctx: ReplayContext<WondeConfig>,
): AsyncGenerator<PulledPage, PullSummary> {
  const position = readPosition(ctx.checkpoint);
  const startedAt = position?.runStartedAt ?? ctx.pulledAt.toISOString();
  const t = newTranslation(ctx.config, startedAt);

  for await (const raw of ctx.raw) {
    const list = listOf(raw.label, ctx.config);
    const records = list ? keptRecords(raw) : null;
    if (!list || !records) throw new KeptPageUnreadable('Wonde', raw.label);
    const { page, problems } = translatePage(t, list, records, raw.label);
    yield { page, problems, raw, checkpoint: {} };
  }
  logSkipped(t, ctx.log);

  // A deletion while the pull read page by page may have moved a page: the pull said so then.
  const moved = ctx.config.paging === 'page' && t.tally.duringRun > 0;
  return {
    complete: ctx.mode === 'full' && t.pupils > 0 && !moved,
    cursor: { version: 1, schoolId: ctx.config.schoolId, since: startedAt },
  };
}
