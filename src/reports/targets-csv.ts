import { parse } from 'csv-parse/sync';
import type { SubjectRef } from './attainment.ts';
import {
  OUTCOME_YEARS,
  PHONICS_YEAR,
  PROJECTION_TEXT,
  type Projection,
  type TargetChange,
  type TargetPupil,
} from './targets.ts';

/**
 * Targets as a CSV a school fills in: UPN, Surname, Forename, Year group, a column per subject
 * (an NX code) and one for the phonics projection. Pupils are matched by UPN within the school.
 * A blank cell clears that target; a column left out changes nothing.
 */

const PHONICS_HEADER = 'Phonics projection';

const PROJECTION_WORDS: ReadonlyMap<string, Projection> = new Map([
  ['expected to pass', 'expected_to_pass'],
  ['expected', 'expected_to_pass'],
  ['pass', 'expected_to_pass'],
  ['yes', 'expected_to_pass'],
  ['y', 'expected_to_pass'],
  ['not expected to pass', 'not_expected_to_pass'],
  ['not expected', 'not_expected_to_pass'],
  ['not pass', 'not_expected_to_pass'],
  ['no', 'not_expected_to_pass'],
  ['n', 'not_expected_to_pass'],
]);

export interface ParsedTargets {
  changes: TargetChange[];
  problems: string[];
}

/** The rows of a targets CSV as changes; rows that cannot be read are problems, by row. */
export function parseTargetsCsv(
  text: string,
  cohort: readonly TargetPupil[],
  subjects: readonly SubjectRef[],
): ParsedTargets {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, trim: true });
  } catch (error) {
    return {
      changes: [],
      problems: [`The file is not a CSV we can read: ${(error as Error).message}`],
    };
  }
  const [header, ...body] = records;
  if (!header) return { changes: [], problems: ['The file is empty.'] };
  const columns = header.map(normalise);
  const upnColumn = columns.indexOf('upn');
  if (upnColumn === -1) return { changes: [], problems: ['The file has no UPN column.'] };
  const subjectColumns = subjects
    .map((subject) => ({ subject, index: columns.indexOf(normalise(subject.name)) }))
    .filter((column) => column.index !== -1);
  const phonicsColumn = columns.indexOf(normalise(PHONICS_HEADER));
  if (subjectColumns.length === 0 && phonicsColumn === -1) {
    return {
      changes: [],
      problems: [`The file has no subject columns (${subjects.map((s) => s.name).join(', ')}).`],
    };
  }

  const byUpn = new Map(
    cohort.filter((p) => p.upn).map((pupil) => [pupil.upn!.toUpperCase(), pupil]),
  );
  const changes: TargetChange[] = [];
  const problems: string[] = [];
  body.forEach((record, index) => {
    const where = `row ${index + 2}`;
    const cell = (column: number) => (record[column] ?? '').trim();
    if (record.every((value) => value.trim() === '')) return;
    const upn = cell(upnColumn).toUpperCase();
    const pupil = byUpn.get(upn);
    if (!pupil) {
      problems.push(`${where}: no pupil on roll here in Y1, Y2, Y4 or Y6 has UPN "${upn}".`);
      return;
    }
    if (OUTCOME_YEARS.includes(pupil.year)) {
      for (const { subject, index: column } of subjectColumns) {
        changes.push({
          pupilId: pupil.pupilId,
          subjectId: subject.id,
          value: cell(column) || null,
          where,
        });
      }
    }
    if (pupil.year === PHONICS_YEAR && phonicsColumn !== -1) {
      const value = cell(phonicsColumn);
      const projection = value ? PROJECTION_WORDS.get(normalise(value)) : null;
      if (value && !projection) {
        problems.push(
          `${where}: "${value}" is not a projection; write ` +
            `"${PROJECTION_TEXT.expected_to_pass}" or "${PROJECTION_TEXT.not_expected_to_pass}".`,
        );
        return;
      }
      changes.push({ pupilId: pupil.pupilId, subjectId: null, value: projection ?? null, where });
    }
  });
  return { changes, problems };
}

/** The template: every pupil who needs a target, with what they have so far. */
export function targetsTemplate(
  cohort: readonly TargetPupil[],
  subjects: readonly SubjectRef[],
): string[][] {
  const header = [
    'UPN',
    'Surname',
    'Forename',
    'Year group',
    ...subjects.map((s) => s.name),
    PHONICS_HEADER,
  ];
  const rows = cohort
    .filter((pupil) => pupil.onRoll)
    .map((pupil) => [
      pupil.upn ?? '',
      pupil.lastName,
      pupil.firstName,
      pupil.year,
      ...subjects.map((subject) =>
        OUTCOME_YEARS.includes(pupil.year) ? (pupil.outcomes.get(subject.id)?.code ?? '') : '',
      ),
      pupil.year === PHONICS_YEAR && pupil.phonics ? PROJECTION_TEXT[pupil.phonics] : '',
    ]);
  return [header, ...rows];
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
