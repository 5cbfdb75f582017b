import { createHash } from 'node:crypto';
import type { SourcePupil } from '../contract.ts';
import { type Cell, cellText } from './cells.ts';
import { readFlag, readSenStatus, readSex, type Translated } from './codes.ts';
import type { ReturnField } from './fields.ts';
import { type ProblemCode, rowProblem } from './problems.ts';
import { fieldCell, fieldDate, fieldText, type RowScope, report } from './scope.ts';

const UPN_LENGTH = 13;
/** A letter, then the LA, school, year and serial digits; a temporary UPN ends in a letter. */
const UPN_SHAPE = /^[A-Z]\d{11}[0-9A-Z]$/;
const ADD_UPN = "Add the pupil's 13-character UPN.";
const COPY_UPN = "Copy the UPN from the school's MIS.";

interface CodedField<T> {
  field: ReturnField;
  read: (cell: Cell) => Translated<T>;
  code: ProblemCode;
  fix: string;
}

const SEX: CodedField<SourcePupil['sex']> = {
  field: 'sex',
  read: readSex,
  code: 'sex_unrecognised',
  fix: 'is not a recognised sex, so it was left blank. Write M or F.',
};

const SEN_STATUS: CodedField<SourcePupil['senStatus']> = {
  field: 'senStatus',
  read: readSenStatus,
  code: 'sen_unrecognised',
  fix:
    'is not a SEN status, so it was left blank. ' +
    'Write N (no SEN), K (SEN support) or E (EHC plan).',
};

const flag = (field: ReturnField): CodedField<boolean> => ({
  field,
  read: readFlag,
  code: 'flag_unrecognised',
  fix: 'is not Y or N, so it was left blank. Write Y or N.',
});

/**
 * The pupil a row is about, or null when it names nobody. A pupil without a UPN-shaped UPN is
 * keyed by a hash of name and date of birth, so that the key, which reaches logs, carries no
 * name.
 */
export function readPupil(scope: RowScope): SourcePupil | null {
  const upn = fieldText(scope, 'upn').toUpperCase();
  const lastName = fieldText(scope, 'surname');
  const firstName = fieldText(scope, 'forename');
  const named = lastName !== '' && firstName !== '';
  if (upn === '' && !named) return unidentified(scope);

  const dateOfBirth = fieldDate(scope, 'dateOfBirth');
  const byName = named && !UPN_SHAPE.test(upn);
  checkUpn(scope, upn, byName ? nameMatch(dateOfBirth) : 'the UPN as written');
  return {
    externalId: byName ? nameKey(lastName, firstName, dateOfBirth) : upn,
    upn: upn || null,
    formerUpn: null,
    firstName,
    lastName,
    dateOfBirth,
    sex: coded(scope, SEX),
    ncYear: fieldText(scope, 'yearGroup') || null,
    senStatus: coded(scope, SEN_STATUS),
    disadvantaged: coded(scope, flag('disadvantaged')),
    eal: coded(scope, flag('eal')),
    onRollFrom: null,
    onRollTo: null,
  };
}

function unidentified(scope: RowScope): null {
  scope.problems.push(
    rowProblem(
      scope.file.location,
      scope.row.number,
      'pupil_unidentified',
      'the row has neither a UPN nor a surname and forename, so it cannot be matched to a ' +
        "pupil and was not read. Add the pupil's UPN (or surname and forename).",
    ),
  );
  return null;
}

/**
 * The engine validates UPNs fully (check letter and all); what is plainly not one is reported
 * here, and the pupil is matched by name, so that placeholders such as "TBC" do not merge
 * pupils into one.
 */
function checkUpn(scope: RowScope, upn: string, matchedBy: string): void {
  const column = scope.file.header.fields.upn;
  if (!column || UPN_SHAPE.test(upn)) return;

  const matched = `so this pupil is matched by ${matchedBy}`;
  if (upn === '') {
    report(scope, column, 'upn_missing', `the UPN is blank, ${matched}. ${ADD_UPN}`);
  } else if (upn.length !== UPN_LENGTH) {
    const length = `"${upn}" has ${upn.length} characters, but a UPN has ${UPN_LENGTH}`;
    report(scope, column, 'upn_length', `${length}, ${matched}. ${COPY_UPN}`);
  } else {
    const shape = `"${upn}" is not a UPN (a letter, 11 digits, then a digit or letter)`;
    report(scope, column, 'upn_malformed', `${shape}, ${matched}. ${COPY_UPN}`);
  }
}

function nameMatch(dateOfBirth: string | null): string {
  return dateOfBirth ? 'surname, forename and date of birth' : 'surname and forename only';
}

function coded<T>(scope: RowScope, spec: CodedField<T>): T | null {
  const cell = fieldCell(scope, spec.field);
  const value = spec.read(cell);
  if (value !== undefined) return value;

  const column = scope.file.header.fields[spec.field];
  if (column) report(scope, column, spec.code, `"${cellText(cell)}" ${spec.fix}`);
  return null;
}

/** Case, spacing and curly apostrophes do not make a different pupil. */
export function nameKey(lastName: string, firstName: string, dateOfBirth: string | null): string {
  const parts = [lastName, firstName, dateOfBirth ?? ''].map((part) =>
    part.normalize('NFC').toLocaleLowerCase('en-GB').replace(/[’‘`]/g, "'").replace(/\s+/g, ' '),
  );
  const digest = createHash('sha256').update(parts.join('|')).digest('hex');
  return `name:${digest.slice(0, 24)}`;
}
