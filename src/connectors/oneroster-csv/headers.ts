import type { RecordProblem } from '../contract.ts';
import { rowProblem } from './problems.ts';

export type OneRosterVersion = '1.1' | '1.2';

/** The CSV files this connector reads; every other file in a package is left unread. */
export type ReadFile =
  | 'users'
  | 'roles'
  | 'demographics'
  | 'academicSessions'
  | 'categories'
  | 'lineItems'
  | 'results'
  | 'scoreScales'
  | 'lineItemScoreScales'
  | 'assessmentLineItems'
  | 'assessmentResults';

interface Layout {
  /** The spec's columns in order; more than one where exporters in use differ. */
  orders: readonly (readonly string[])[];
  /** False where the order was inferred, not seen in the spec or a conformance test. */
  orderKnown: boolean;
  /** What must be there when the order is not held to. */
  needed: readonly string[];
}

const COMMON = ['sourcedId', 'status', 'dateLastModified'];
const cols = (...names: string[]) => [...COMMON, ...names];

const SESSIONS = cols('title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear');
const DEMOGRAPHICS = cols(
  'birthDate',
  'sex',
  'americanIndianOrAlaskaNative',
  'asian',
  'blackOrAfricanAmerican',
  'nativeHawaiianOrOtherPacificIslander',
  'white',
  'demographicRaceTwoOrMoreRaces',
  'hispanicOrLatinoEthnicity',
  'countryOfBirthCode',
  'stateOfBirthAbbreviation',
  'cityOfBirth',
  'publicSchoolResidenceStatus',
);
const USERS_11 = cols(
  'enabledUser',
  'orgSourcedIds',
  'role',
  'username',
  'userIds',
  'givenName',
  'familyName',
  'middleName',
  'identifier',
  'email',
  'sms',
  'phone',
  'agentSourcedIds',
  'grades',
  'password',
);
const USERS_12_HEAD = cols(
  'enabledUser',
  'username',
  'userIds',
  'givenName',
  'familyName',
  'middleName',
  'identifier',
  'email',
  'sms',
  'phone',
  'agentSourcedIds',
  'grades',
  'password',
  'userMasterIdentifier',
);
const USERS_12_TAIL = [
  'preferredGivenName',
  'preferredMiddleName',
  'preferredFamilyName',
  'primaryOrgSourcedId',
  'pronouns',
];

const known = (order: readonly string[], ...alternatives: (readonly string[])[]): Layout => ({
  orders: [order, ...alternatives],
  orderKnown: true,
  needed: order,
});

/** Column orders from research A.7 (CSV Tables 1.1.1 and the corrected CSV Binding 1.2.1). */
const LAYOUTS: Record<OneRosterVersion, Partial<Record<ReadFile, Layout>>> = {
  '1.1': {
    users: known(USERS_11),
    // The 1.1 demographics order is inferred from 1.2 (A.7, [I]): only its names are held to.
    demographics: { orders: [DEMOGRAPHICS], orderKnown: false, needed: cols('birthDate', 'sex') },
    academicSessions: known(SESSIONS),
    categories: known(cols('title')),
    lineItems: known(
      cols(
        'title',
        'description',
        'assignDate',
        'dueDate',
        'classSourcedId',
        'categorySourcedId',
        'gradingPeriodSourcedId',
        'resultValueMin',
        'resultValueMax',
      ),
    ),
    results: known(
      cols('lineItemSourcedId', 'studentSourcedId', 'scoreStatus', 'score', 'scoreDate', 'comment'),
    ),
  },
  '1.2': {
    // The first 1.2 binding had resourceSourcedIds; 1.2.1 removed it, and exporters still
    // write it (A.7 point 1), so both are read.
    users: known(
      [...USERS_12_HEAD, ...USERS_12_TAIL],
      [...USERS_12_HEAD, 'resourceSourcedIds', ...USERS_12_TAIL],
    ),
    roles: known(
      cols(
        'userSourcedId',
        'roleType',
        'role',
        'beginDate',
        'endDate',
        'orgSourcedId',
        'userProfileSourcedId',
      ),
    ),
    demographics: known(DEMOGRAPHICS),
    academicSessions: known(SESSIONS),
    categories: known(cols('title', 'weight')),
    lineItems: known(
      cols(
        'title',
        'description',
        'assignDate',
        'dueDate',
        'classSourcedId',
        'categorySourcedId',
        'academicSessionSourcedId',
        'resultValueMin',
        'resultValueMax',
        'schoolSourcedId',
      ),
    ),
    results: known(
      cols(
        'lineItemSourcedId',
        'studentSourcedId',
        'scoreStatus',
        'score',
        'scoreDate',
        'comment',
        'textScore',
        'classSourcedId',
        'inProgress',
        'incomplete',
        'late',
        'missing',
      ),
    ),
    scoreScales: known(
      cols('title', 'type', 'orgSourcedId', 'courseSourcedId', 'classSourcedId', 'scoreScaleValue'),
    ),
    lineItemScoreScales: known(cols('title', 'lineItemSourcedId', 'scoreScaleSourcedId')),
    // The Assessment Results Profile has no CSV binding that we could verify (A.4, [I]): the
    // columns follow its REST fields, named the way the gradebook files name theirs.
    assessmentLineItems: {
      orders: [cols('title', 'description', 'parentAssessmentLineItemSourcedId')],
      orderKnown: false,
      needed: ['sourcedId', 'title'],
    },
    assessmentResults: {
      orders: [cols('assessmentLineItemSourcedId', 'studentSourcedId', 'score', 'textScore')],
      orderKnown: false,
      needed: ['sourcedId', 'assessmentLineItemSourcedId', 'studentSourcedId', 'scoreDate'],
    },
  },
};

export type HeaderCheck =
  | { ok: true; columns: ReadonlyMap<string, number> }
  | { ok: false; problem: RecordProblem };

/** Checks a header row against its version's layout; extension columns are `metadata.*`. */
export function checkHeader(
  location: string,
  version: OneRosterVersion,
  file: ReadFile,
  header: readonly string[],
  order: 'exact' | 'names',
): HeaderCheck {
  const layout = LAYOUTS[version][file];
  if (!layout) throw new Error(`no ${version} layout for ${file}.csv`);
  const names = header.map((name) => name.trim());
  const columns = new Map(names.map((name, index) => [name, index] as const));

  const repeated = names.find((name, index) => name !== '' && names.indexOf(name) !== index);
  if (repeated) {
    return mismatch(location, repeated, `the column "${repeated}" appears twice`, version, names);
  }
  const fault =
    order === 'exact' && layout.orderKnown
      ? orderFault(layout, names, version)
      : missingFault(layout.needed, columns, version);
  if (fault) return mismatch(location, fault.field, fault.detail, version, names, file);
  return { ok: true, columns };
}

interface Fault {
  field: string;
  detail: string;
}

/** The first place where the header leaves the nearest of the layout's orders. */
function orderFault(layout: Layout, names: string[], version: OneRosterVersion): Fault | null {
  const firstExtension = names.findIndex((name) => name.startsWith('metadata.'));
  const spec = firstExtension === -1 ? names : names.slice(0, firstExtension);
  const misplaced = names.slice(spec.length).find((name) => !name.startsWith('metadata.'));
  if (layout.orders.some((expected) => sameColumns(spec, expected)) && !misplaced) return null;
  if (misplaced) {
    return {
      field: misplaced,
      detail: `"${misplaced}" comes after the metadata columns, which must come last`,
    };
  }

  const nearest = [...layout.orders].sort((a, b) => agreed(b, spec) - agreed(a, spec))[0]!;
  const at = agreed(nearest, spec);
  const expected = nearest[at];
  const found = spec[at];
  if (expected === undefined) {
    return {
      field: found!,
      detail: `column ${at + 1} "${found}" is not a OneRoster ${version} column here`,
    };
  }
  if (found === undefined) {
    return {
      field: expected,
      detail: `the header stops after column ${at}, where OneRoster ${version} has "${expected}"`,
    };
  }
  return {
    field: expected,
    detail: `column ${at + 1} is "${found}" where OneRoster ${version} has "${expected}"`,
  };
}

function missingFault(
  needed: readonly string[],
  columns: ReadonlyMap<string, number>,
  version: OneRosterVersion,
): Fault | null {
  const missing = needed.find((name) => !columns.has(name));
  if (!missing) return null;
  return { field: missing, detail: `there is no "${missing}" column (OneRoster ${version})` };
}

function mismatch(
  location: string,
  field: string,
  detail: string,
  version: OneRosterVersion,
  names: string[],
  file?: ReadFile,
): HeaderCheck {
  const other: OneRosterVersion = version === '1.1' ? '1.2' : '1.1';
  const otherLayout = file ? LAYOUTS[other][file] : undefined;
  const isOther = otherLayout?.orders.some(
    (order) => names.slice(0, order.length).join() === order.join(),
  );
  const hint = isOther
    ? ` These are the OneRoster ${other} columns, but manifest.csv says ${version}: export ` +
      'the package again so that the two agree.'
    : ' Export the file again from the school system; column names are case-sensitive and ' +
      'must come in the order the OneRoster specification gives.';
  return {
    ok: false,
    problem: rowProblem(
      location,
      1,
      field,
      'headers_mismatch',
      `The header row does not match OneRoster ${version}: ${detail}, so this file was not ` +
        `read.${hint}`,
    ),
  };
}

function sameColumns(spec: readonly string[], expected: readonly string[]): boolean {
  return spec.length === expected.length && spec.every((name, index) => name === expected[index]);
}

function agreed(expected: readonly string[], spec: readonly string[]): number {
  let at = 0;
  while (at < expected.length && at < spec.length && expected[at] === spec[at]) at += 1;
  return at;
}
