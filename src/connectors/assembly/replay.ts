import type { PulledPage, PullSummary, ReplayContext } from '../contract.ts';
import { KeptPageUnreadable } from '../replay.ts';
import { cursorAfter, readCheckpoint } from './checkpoint.ts';
import type { AssemblyConfig } from './config.ts';
import { subjectsUnreadable } from './lookups.ts';
import { reportSkipped, warnWithoutDemographics } from './pull.ts';
import { keptRecords, listOf, locationOf, newTranslation, translatePage } from './translate.ts';

/**
 * An Assembly pull again, from the pages it kept: pupils, leavers, then the lookups and the
 * results they name, each translated as the pull translated it, with the lookups as they stood
 * when that page was read.
 */
export async function* replayAssembly(
  ctx: ReplayContext<AssemblyConfig>,
): AsyncGenerator<PulledPage, PullSummary> {
  const t = newTranslation(ctx.config);
  const warned = new Set<string>();
  const warn = (code: string, message: string) => {
    if (warned.has(code)) return;
    warned.add(code);
    ctx.log({ level: 'warn', code, message });
  };

  for await (const raw of ctx.raw) {
    const list = listOf(raw.label, ctx.config);
    const records = list ? keptRecords(raw, list) : null;
    if (!list || !records) throw new KeptPageUnreadable('Assembly', raw.label);
    if (list.kind === 'results' && t.lookupsRead && t.lookups.subjects === null) {
      const said = subjectsUnreadable(ctx.config);
      warn(said.code, said.message);
    }
    const { page, problems } = translatePage(t, list, records, locationOf(raw));
    if (list.kind === 'pupils') warnWithoutDemographics(t, warn);
    yield { page, problems, raw, checkpoint: {} };
  }
  reportSkipped(t, ctx.log);

  // The pull knew from Assembly's totals whether the roll moved as it read; the engine asks
  // whether the replayed run was complete before it marks anyone as left.
  const state = readCheckpoint(ctx.checkpoint);
  const start = ctx.pulledAt.toISOString();
  return {
    complete: ctx.mode === 'full' && state?.rosterChanged !== true,
    cursor: state
      ? cursorAfter(state, ctx.config.deltaOverlapSeconds, start)
      : { v: 1, since: start, leftEtag: null },
  };
}
