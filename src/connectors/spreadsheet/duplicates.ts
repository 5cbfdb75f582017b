import type { RecordProblem, SourcePupil, SourceResult } from '../contract.ts';
import { cellProblem, rowProblem } from './problems.ts';
import type { RowReading } from './rows.ts';
import type { FileContext } from './scope.ts';

export interface Deduplicated {
  readings: RowReading[];
  problems: RecordProblem[];
}

/**
 * Where two rows give the same pupil the same result, the later row is kept: it is most often
 * a correction pasted below. Wide rows repeat whole (the same pupil for the same assessment);
 * long rows repeat one subject at a time. Every id then appears once in a pull.
 */
export function dropDuplicates(file: FileContext, readings: RowReading[]): Deduplicated {
  return file.layout === 'wide'
    ? dropRepeatedRows(file, readings)
    : dropRepeatedResults(file, readings);
}

function dropRepeatedRows(file: FileContext, readings: RowReading[]): Deduplicated {
  const latest = new Map<string, RowReading>();
  const problems: RecordProblem[] = [];
  for (const reading of readings) {
    const key = occasionKey(reading);
    const earlier = latest.get(key);
    if (earlier) problems.push(repeatedRow(file, reading, earlier.row));
    latest.set(key, reading);
  }
  return {
    readings: readings.filter((reading) => latest.get(occasionKey(reading)) === reading),
    problems,
  };
}

function dropRepeatedResults(file: FileContext, readings: RowReading[]): Deduplicated {
  const latest = new Map<string, number>();
  const problems: RecordProblem[] = [];
  for (const reading of readings) {
    for (const result of reading.results) {
      const earlier = latest.get(result.externalId);
      if (earlier !== undefined) problems.push(repeatedResult(file, reading, result, earlier));
      latest.set(result.externalId, reading.row);
    }
  }
  const kept = readings.map((reading) => ({
    ...reading,
    results: reading.results.filter((result) => latest.get(result.externalId) === reading.row),
  }));
  return { readings: kept, problems };
}

function occasionKey({ pupil, occasion }: RowReading): string {
  return [pupil.externalId, occasion.assessedOn ?? '', occasion.periodLabel ?? ''].join('/');
}

function repeatedRow(file: FileContext, reading: RowReading, earlier: number): RecordProblem {
  return rowProblem(
    file.location,
    reading.row,
    'row_duplicate',
    `this pupil (${pupilLabel(reading.pupil)}) is also on row ${earlier} for the same ` +
      `assessment, so row ${earlier} was ignored and row ${reading.row} was read. ` +
      'Delete the row that is wrong.',
  );
}

function repeatedResult(
  file: FileContext,
  reading: RowReading,
  result: SourceResult,
  earlier: number,
): RecordProblem {
  const field = file.header.fields.subject?.header ?? 'Subject';
  return cellProblem(
    file.location,
    reading.row,
    field,
    'row_duplicate',
    `this pupil (${pupilLabel(reading.pupil)}) already has a "${result.aspect.name}" result ` +
      `for the same assessment on row ${earlier}, so row ${earlier} was ignored and ` +
      `row ${reading.row} was read. Delete the row that is wrong.`,
  );
}

function pupilLabel(pupil: SourcePupil): string {
  return pupil.upn ? `UPN ${pupil.upn}` : 'matched by name and date of birth';
}
