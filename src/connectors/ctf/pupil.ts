import { createHash } from 'node:crypto';
import { checkUpn } from '../../domain/upn.ts';
import type { RecordProblem, SourcePupil, SourceResult } from '../contract.ts';
import { type AssessmentNaming, readAssessment } from './assessments.ts';
import type { CtfConfig } from './config.ts';
import { type Place, problem } from './problems.ts';
import type { PupilRecord } from './record.ts';
import {
  checkedDate,
  disadvantaged,
  englishAsAdditional,
  type FileFacts,
  onRoll,
  senStatus,
  type Where,
} from './status.ts';

/**
 * One `<Pupil>` as a source pupil and their results. The UPN is the pupil's key: a CTF has no
 * other stable id, and the UPN is what it exists to carry between schools. A pupil whose UPN is
 * not valid is keyed by a hash of name and date of birth instead, which carries no name.
 */

export interface PupilReading {
  index: number;
  /** Null when the record names nobody, or repeats a pupil already read. */
  pupil: SourcePupil | null;
  results: SourceResult[];
  problems: RecordProblem[];
}

export type PupilSettings = AssessmentNaming & Pick<CtfConfig, 'languageUnknownCodes' | 'fsmYears'>;

export function readPupil(
  record: PupilRecord,
  facts: FileFacts,
  settings: PupilSettings,
  seen: Set<string>,
): PupilReading {
  const place: Place = { location: facts.location, line: record.line };
  const problems = unexpandedProblems(record, place);
  const identity = identify(record, place, problems);
  if (!identity) return { index: record.index, pupil: null, results: [], problems };
  if (seen.has(identity.externalId)) {
    problems.push(repeatedProblem(place, identity.who));
    return { index: record.index, pupil: null, results: [], problems };
  }
  seen.add(detached(identity.externalId));

  const where: Where = { place, who: identity.who, problems };
  const dateOfBirth = checkedDate(record.dob, 'DOB', where) ? record.dob : null;
  const roll = onRoll(record.schools, facts, where);
  const pupil: SourcePupil = {
    externalId: identity.externalId,
    upn: identity.upn,
    formerUpn: formerUpn(record, where),
    firstName: record.forename ?? '',
    lastName: record.surname ?? '',
    dateOfBirth,
    sex: sexOf(record.sex, where),
    // NCyearActual is "R", "N1", "4" or "X"; the engine reads year groups in every spelling.
    ncYear: record.ncYear,
    senStatus: senStatus(record.sen, facts, where),
    disadvantaged: disadvantaged(record.fsm, facts, settings.fsmYears, where),
    eal: englishAsAdditional(record.languages, settings.languageUnknownCodes),
    onRollFrom: roll.from,
    onRollTo: roll.to,
  };
  const results = resultsOf(record, identity, facts.location, settings, problems);
  return { index: record.index, pupil, results, problems };
}

interface Identity {
  externalId: string;
  upn: string | null;
  who: string;
}

function identify(record: PupilRecord, place: Place, problems: RecordProblem[]): Identity | null {
  const check = record.upn === null ? null : checkUpn(record.upn);
  if (check?.ok) return { externalId: check.upn, upn: check.upn, who: `Pupil ${check.upn}` };

  const who = `Pupil ${record.index + 1} in the file`;
  const named = record.surname !== null && record.forename !== null;
  const said = check ? `${who}: ${check.reason}` : `${who} has no UPN.`;
  if (!named) {
    const message =
      `${said} With no surname and forename either, the pupil cannot be matched to anyone, ` +
      "so neither they nor their results were read. Add the UPN in the school's MIS and " +
      'export the CTF again.';
    problems.push(problem(place, 'UPN', 'pupil_unidentified', message));
    return null;
  }
  const matched = record.dob ? 'surname, forename and date of birth' : 'surname and forename';
  const code = check && !check.ok ? check.code : 'upn_missing';
  problems.push(problem(place, 'UPN', code, `${said} The pupil is matched by ${matched} instead.`));
  return { externalId: nameKey(record), upn: null, who };
}

function formerUpn(record: PupilRecord, where: Where): string | null {
  if (record.formerUpn === null) return null;
  const check = checkUpn(record.formerUpn);
  if (check.ok) return check.upn;
  where.problems.push(
    problem(
      where.place,
      'BasicDetails/FormerUPN',
      check.code,
      `${where.who}: the former UPN is not valid, so it was left out. ${check.reason}`,
    ),
  );
  return null;
}

function sexOf(sex: string | null, where: Where): SourcePupil['sex'] {
  if (sex === null) return null;
  const upper = sex.toUpperCase();
  if (upper === 'M' || upper === 'F') return upper;
  where.problems.push(
    problem(
      where.place,
      'Sex',
      'sex_unrecognised',
      `${where.who}: sex "${sex}" is not M or F, so it was left blank.`,
    ),
  );
  return null;
}

function resultsOf(
  record: PupilRecord,
  identity: Identity,
  location: string,
  naming: AssessmentNaming,
  problems: RecordProblem[],
): SourceResult[] {
  const scope = { location, pupilId: identity.externalId, who: identity.who, naming };
  const byId = new Map<string, SourceResult>();
  for (const keyStage of record.keyStages) {
    for (const assessment of keyStage.assessments) {
      const reading = readAssessment(scope, keyStage.stage, assessment);
      problems.push(...reading.problems);
      const result = reading.result;
      if (!result) continue;
      const earlier = byId.get(result.externalId);
      if (!earlier) {
        byId.set(result.externalId, result);
      } else if (earlier.value !== result.value) {
        const place = { location, line: assessment.line };
        problems.push(repeatedAssessment(place, identity.who, earlier, result));
      }
    }
  }
  return [...byId.values()];
}

function unexpandedProblems(record: PupilRecord, place: Place): RecordProblem[] {
  return record.unexpanded.map((field) =>
    problem(
      place,
      field,
      'xml_entity_unexpanded',
      `Pupil ${record.index + 1} in the file: ${field} uses an entity (&name;), which is never ` +
        'expanded, so its text was not read.',
    ),
  );
}

function repeatedProblem(place: Place, who: string): RecordProblem {
  return problem(
    place,
    'UPN',
    'pupil_repeated',
    `${who} appears more than once in the file; the first record was read and this one, ` +
      'with its results, was not. Ask the school that made the CTF to merge the two records.',
  );
}

function repeatedAssessment(
  place: Place,
  who: string,
  earlier: SourceResult,
  later: SourceResult,
): RecordProblem {
  return problem(
    place,
    'StageAssessment',
    'assessment_repeated',
    `${who}: ${earlier.aspect.name} for ${earlier.periodLabel} is given twice, as ` +
      `"${earlier.value}" and "${later.value}"; the first was kept. Ask the school that made ` +
      'the CTF which is right.',
  );
}

/**
 * A copy that owns its characters. V8 keeps a UPN cut from the parser's text as a slice of that
 * whole 64 KB chunk, so a set of keys for a large file would otherwise hold every chunk of it.
 */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** Case, spacing and curly apostrophes do not make a different pupil. */
function nameKey(record: PupilRecord): string {
  const parts = [record.surname, record.forename, record.dob].map((part) =>
    (part ?? '')
      .normalize('NFC')
      .toLocaleLowerCase('en-GB')
      .replace(/[’‘`]/g, "'")
      .replace(/\s+/g, ' '),
  );
  const digest = createHash('sha256').update(parts.join('|')).digest('hex');
  return `name:${digest.slice(0, 24)}`;
}
