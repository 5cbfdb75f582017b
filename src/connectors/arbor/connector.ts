import type {
  CheckContext,
  CheckResult,
  ConnectorKind,
  PullContext,
  PulledPage,
  PullSummary,
} from '../contract.ts';
import type { HttpEvent } from '../http/index.ts';
import { pullChanges } from './changes.ts';
import { checkArbor } from './check.ts';
import {
  type ChangesCheckpoint,
  changesFrom,
  type FullCheckpoint,
  freshFull,
  readCheckpoint,
} from './checkpoint.ts';
import { createArborClient, labelOf } from './client.ts';
import {
  type ArborConfig,
  type ArborSecrets,
  arborConfigSchema,
  arborSecretsSchema,
} from './config.ts';
import { ukToday } from './dates.ts';
import { pullEverything } from './full.ts';
import { RawLog } from './raw.ts';
import { Resolver } from './records.ts';
import { replayArbor } from './replay.ts';
import type { PullRun } from './run.ts';

/** Arbor MIS, read through its REST API ("rest-v2") with the school's app credentials. */
export const arborConnector: ConnectorKind<ArborConfig, ArborSecrets> = {
  kind: 'arbor',
  label: 'Arbor MIS',
  transport: 'api',
  configSchema: arborConfigSchema,
  secretsSchema: arborSecretsSchema,
  check: (ctx: CheckContext<ArborConfig, ArborSecrets>): Promise<CheckResult> => checkArbor(ctx),
  pull,
  replay: replayArbor,
};

async function* pull(
  ctx: PullContext<ArborConfig, ArborSecrets>,
): AsyncGenerator<PulledPage, PullSummary> {
  const raw = new RawLog();
  const arbor = createArborClient(ctx.config, ctx.secrets, ctx.signal, retryLog(ctx));
  const run: PullRun = {
    arbor,
    config: ctx.config,
    raw,
    signal: ctx.signal,
    resolver: new Resolver(arbor, raw),
    today: ukToday(),
    log: (event) => ctx.log(event),
  };
  try {
    const start = startingPoint(ctx);
    if (start.mode === 'incremental') return yield* pullChanges(run, start);
    return yield* pullEverything(run, start);
  } finally {
    await arbor.close();
  }
}

/** A failed run's checkpoint, else the cursor's changes, else everything. */
function startingPoint(
  ctx: PullContext<ArborConfig, ArborSecrets>,
): FullCheckpoint | ChangesCheckpoint {
  const first = ctx.config.paging.firstPageNumber;
  if (ctx.resumeFrom) {
    // An incremental run with no cursor falls back to a full pull, whose checkpoint it resumes.
    const resumed = readCheckpoint(ctx.resumeFrom);
    if (resumed && (resumed.mode === ctx.mode || resumed.mode === 'full')) return resumed;
    ctx.log({
      level: 'warn',
      code: 'checkpoint_unreadable',
      message: 'The saved place of the last Arbor run could not be used; this run starts over.',
    });
  }
  if (ctx.mode === 'incremental') {
    const changes = changesFrom(ctx.cursor, first);
    if (changes) return changes;
    ctx.log({
      level: 'info',
      code: 'no_cursor',
      message: 'No earlier complete Arbor pull to continue from, so this one reads everything.',
    });
  }
  return freshFull(first);
}

// A retry is worth a line in the run's log: a school whose Arbor keeps failing shows it there.
function retryLog(ctx: PullContext<ArborConfig, ArborSecrets>) {
  return (event: HttpEvent): void => {
    if (event.type !== 'retry_scheduled') return;
    const status = event.status ? ` (${event.status})` : '';
    ctx.log({
      level: 'info',
      code: 'arbor_retry',
      message:
        `Arbor failed ${event.method} ${labelOf(new URL(event.url))} with ${event.reason}` +
        `${status}; trying again in ${event.delayMs} ms.`,
    });
  };
}
