import type {
  CheckResult,
  ConnectorKind,
  PullContext,
  PulledPage,
  PullSummary,
} from '../contract.ts';
import {
  type SpreadsheetConfig,
  spreadsheetConfigSchema,
  spreadsheetSecretsSchema,
} from './config.ts';
import { SpreadsheetSourceError } from './failure.ts';
import { readSpreadsheet } from './read.ts';

type Secrets = Record<string, never>;

/** The trust's spreadsheet, for a school whose own system cannot be reached (Appendix 3, 7). */
export const spreadsheetConnector: ConnectorKind<SpreadsheetConfig, Secrets> = {
  kind: 'spreadsheet',
  label: 'Trust spreadsheet (CSV or XLSX upload)',
  transport: 'file',
  configSchema: spreadsheetConfigSchema,
  secretsSchema: spreadsheetSecretsSchema,
  check,
  pull,
};

async function check(): Promise<CheckResult> {
  return {
    ok: true,
    category: null,
    message:
      'A spreadsheet source needs no connection: the school uploads its return each term, ' +
      'and the file is checked when it is read.',
    details: {},
  };
}

/**
 * Every pull reads the whole file again: a re-read is cheap and gives the same pages in the same
 * order, so a resumed pull skips the pages its run already saved and goes on from there.
 */
async function* pull(
  ctx: PullContext<SpreadsheetConfig, Secrets>,
): AsyncGenerator<PulledPage, PullSummary> {
  if (!ctx.file) {
    throw new SpreadsheetSourceError(
      'config',
      'file_missing',
      'No spreadsheet has been uploaded for this source. ' +
        "Upload the school's return and run it again.",
    );
  }
  const { layout, periodLabel, sheetName, subjects } = ctx.config;
  const pages = readSpreadsheet(ctx.file, {
    layout,
    periodLabel,
    sheetName,
    subjects,
    signal: ctx.signal,
  });
  const saved = Number(ctx.resumeFrom?.page ?? 0);
  let index = 0;
  let step = await pages.next();
  while (!step.done) {
    index += 1;
    if (index > saved)
      yield { ...step.value, checkpoint: { ...step.value.checkpoint, page: index } };
    step = await pages.next();
  }
  return step.value;
}
