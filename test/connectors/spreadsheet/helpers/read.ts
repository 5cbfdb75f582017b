import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type {
  PulledPage,
  PullSummary,
  RecordProblem,
  SourcePupil,
  SourceResult,
  UploadedFile,
} from '../../../../src/connectors/contract.ts';
import {
  type ReadSpreadsheetOptions,
  readSpreadsheet,
} from '../../../../src/connectors/spreadsheet/index.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);

export interface Pulled {
  pages: PulledPage[];
  pupils: SourcePupil[];
  results: SourceResult[];
  problems: RecordProblem[];
  summary: PullSummary;
}

/** An upload as the web layer hands it over: a name, a size and a stream of the bytes. */
export function upload(fileName: string, bytes: Buffer): UploadedFile {
  return { fileName, byteSize: bytes.length, open: () => Readable.from([bytes]) };
}

export function fixture(name: string): UploadedFile & { bytes: Buffer } {
  const bytes = readFileSync(new URL(name, FIXTURES));
  return { ...upload(name, bytes), bytes };
}

export async function pullAll(pages: AsyncGenerator<PulledPage, PullSummary>): Promise<Pulled> {
  const pulled: Omit<Pulled, 'summary'> = { pages: [], pupils: [], results: [], problems: [] };
  for (;;) {
    const next = await pages.next();
    if (next.done) return { ...pulled, summary: next.value };
    collect(pulled, next.value);
  }
}

function collect(pulled: Omit<Pulled, 'summary'>, page: PulledPage): void {
  pulled.pages.push(page);
  pulled.problems.push(...page.problems);
  if (page.page.kind === 'pupils') pulled.pupils.push(...page.page.pupils);
  if (page.page.kind === 'results') pulled.results.push(...page.page.results);
}

export function readFixture(name: string, options?: ReadSpreadsheetOptions): Promise<Pulled> {
  return pullAll(readSpreadsheet(fixture(name), options));
}

/** Problems without their location, which is always the file name. */
export function problemsOf(pulled: Pulled): Omit<RecordProblem, 'location'>[] {
  return pulled.problems.map(({ row, field, code, message }) => ({ row, field, code, message }));
}

export function valuesOf(pulled: Pulled): Record<string, string> {
  return Object.fromEntries(pulled.results.map((result) => [result.externalId, result.value]));
}
