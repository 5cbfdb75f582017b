import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Checkpoint, PulledPage, UploadedFile } from '../../../src/connectors/contract.ts';
import {
  type OneRosterCsvConfig,
  oneRosterCsvConfigSchema,
  oneRosterCsvConnector,
} from '../../../src/connectors/oneroster-csv/index.ts';
import { collectPull, type PullOutcome } from '../support.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url);

export function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

/** An upload as the engine hands it over: the stored bytes, opened as a stream. */
export function upload(name: string, bytes = fixtureBytes(name)): UploadedFile {
  return { fileName: name, byteSize: bytes.length, open: () => Readable.from([bytes]) };
}

export function config(settings: Record<string, unknown> = {}): OneRosterCsvConfig {
  return oneRosterCsvConfigSchema.parse(settings);
}

export interface FixturePull {
  settings?: Record<string, unknown>;
  resumeFrom?: Checkpoint | null;
  mode?: 'full' | 'incremental';
  bytes?: Buffer;
  signal?: AbortSignal;
}

export function pullFixture(name: string, options: FixturePull = {}): Promise<PullOutcome> {
  return collectPull(oneRosterCsvConnector, {
    config: config(options.settings),
    secrets: {},
    file: upload(name, options.bytes),
    mode: options.mode ?? 'full',
    resumeFrom: options.resumeFrom ?? null,
    signal: options.signal,
  });
}

/** The problems as "file row field code", the way a test names what it expects. */
export function problemKeys(outcome: PullOutcome): string[] {
  return outcome.problems.map((p) => `${p.location} ${p.row ?? '-'} ${p.field ?? '-'} ${p.code}`);
}

export interface Cut {
  pages: PulledPage[];
  checkpoint: Checkpoint;
}

/** A pull that dies after `count` pages: what the engine staged, and its last checkpoint. */
export async function pullDiesAfter(
  name: string,
  count: number,
  settings: Record<string, unknown> = {},
): Promise<Cut> {
  const pull = oneRosterCsvConnector.pull({
    config: config(settings),
    secrets: {},
    mode: 'full',
    resumeFrom: null,
    cursor: null,
    file: upload(name),
    signal: new AbortController().signal,
    log: () => {},
  });
  const pages: PulledPage[] = [];
  while (pages.length < count) {
    const step = await pull.next();
    if (step.done) throw new Error(`${name} has only ${pages.length} pages`);
    pages.push(step.value);
  }
  await pull.return({ complete: false, cursor: {} });
  return { pages, checkpoint: pages.at(-1)!.checkpoint };
}
