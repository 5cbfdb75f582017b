import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type {
  Checkpoint,
  PulledPage,
  PullSummary,
  UploadedFile,
} from '../../../../src/connectors/contract.ts';
import {
  type CtfConfig,
  ctfConfigSchema,
  ctfConnector,
} from '../../../../src/connectors/ctf/index.ts';
import { collectPull, type PullOptions, type PullOutcome } from '../../support.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);

/** An upload as the engine hands it over: the whole file as one buffer. */
export function upload(fileName: string, bytes: Buffer | string): UploadedFile {
  const body = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return { fileName, byteSize: body.length, open: () => Readable.from([body]) };
}

export function fixture(name: string): UploadedFile {
  return upload(name, readFileSync(new URL(name, FIXTURES)));
}

export function config(overrides: Partial<CtfConfig> = {}): CtfConfig {
  return ctfConfigSchema.parse(overrides);
}

export function pullCtf(
  file: UploadedFile,
  options: Omit<Partial<PullOptions<CtfConfig, Record<string, never>>>, 'file'> = {},
): Promise<PullOutcome> {
  return collectPull(ctfConnector, {
    config: config(),
    secrets: {},
    ...options,
    file,
  });
}

/** Problems without the file name, which every one of them carries. */
export function problemsOf(outcome: PullOutcome) {
  return outcome.problems.map(({ row, field, code, message }) => ({ row, field, code, message }));
}

export interface PagesRead {
  pages: PulledPage[];
  summary: PullSummary | null;
  error: unknown;
}

/**
 * The pages of a pull, stopping after `limit` of them as a run does when its worker dies; the
 * last page's checkpoint is then what the engine would have saved.
 */
export async function pullPages(
  file: UploadedFile,
  options: { limit?: number; resumeFrom?: Checkpoint | null; config?: CtfConfig } = {},
): Promise<PagesRead> {
  const read: PagesRead = { pages: [], summary: null, error: null };
  const pull = ctfConnector.pull({
    config: options.config ?? config(),
    secrets: {},
    mode: 'full',
    resumeFrom: options.resumeFrom ?? null,
    cursor: null,
    file,
    signal: new AbortController().signal,
    log: () => {},
  });
  try {
    for (;;) {
      if (read.pages.length === options.limit) {
        await pull.return({ complete: false, cursor: {} });
        return read;
      }
      const step = await pull.next();
      if (step.done) {
        read.summary = step.value;
        return read;
      }
      read.pages.push(step.value);
    }
  } catch (error) {
    read.error = error;
    return read;
  }
}
