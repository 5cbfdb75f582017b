import { addDays } from '../domain/iso-date.ts';
import { type NcYear, ncYearOrdinal } from '../domain/nc-year.ts';
import { englishAcademicYear, type TermKind } from '../domain/school-year.ts';
import { upnCheckLetter } from '../domain/upn.ts';

/**
 * A synthetic school, the same every time for the same seed: pupils with realistic names, UPNs
 * and year groups, and termly results in the grades such a school really records. The connector
 * fakes serve it in each system's own shape; the demo and the benchmarks use it too.
 */

export type GradeStyle = 'primary' | 'secondary' | 'special';

export interface SyntheticPupil {
  /** The source system's own stable id. */
  id: string;
  upn: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  sex: 'M' | 'F';
  ncYear: NcYear;
  senStatus: 'N' | 'K' | 'E';
  disadvantaged: boolean;
  eal: boolean;
  onRollFrom: string;
}

export interface SyntheticAspect {
  id: string;
  name: string;
  subject: 'reading' | 'writing' | 'mathematics';
  gradeSet: string;
}

export interface SyntheticResult {
  id: string;
  pupilId: string;
  aspectId: string;
  /** Undefined for a result recorded but not marked yet, as MISs hold "not submitted" marks. */
  value: string | undefined;
  assessedOn: string;
  periodLabel: string;
  modifiedAt: string;
}

export interface SyntheticSchool {
  name: string;
  urn: string;
  laestab: string;
  style: GradeStyle;
  pupils: SyntheticPupil[];
  aspects: SyntheticAspect[];
  results: SyntheticResult[];
}

export interface SchoolSpec {
  seed: number;
  name: string;
  urn: string;
  /** LA code (3 digits) and establishment number (4 digits). */
  la: number;
  establishment: number;
  pupils: number;
  style: GradeStyle;
  /** Collections to give results for, oldest first. */
  terms: readonly { startYear: number; term: TermKind }[];
  /** The academic year the pupils' year groups are for. */
  currentStartYear: number;
}

const FIRST_NAMES_F = [
  'Amara',
  'Olivia',
  'Ayesha',
  'Zofia',
  'Ellie-May',
  'Grace',
  'Fatima',
  'Isla',
  'Chloe',
  'Riya',
  'Maryam',
  'Sophie',
  'Niamh',
  'Aaliyah',
  'Freya',
  'Hana',
  'Lily',
  'Precious',
  'Ava',
  'Mia',
  'Zara',
  'Evie',
  'Ruby',
  'Chiamaka',
  'Aleksandra',
  'Poppy',
  'Ishani',
  'Sienna',
  'Nia',
  'Esme',
];
const FIRST_NAMES_M = [
  'Tomasz',
  'Callum',
  'Mohammed',
  'Oliver',
  'Kwame',
  'Harry',
  'Arjun',
  'Jack',
  'Ibrahim',
  'Noah',
  'Leo',
  'Oscar',
  'Yusuf',
  'Theo',
  'Dylan',
  'Kacper',
  'Alfie',
  'Ravi',
  'George',
  'Musa',
  'Finley',
  'Tyler',
  'Ethan',
  'Jayden',
  'Adam',
  'Reuben',
  'Luca',
  'Samuel',
  'Aarav',
  'Jamal',
];
const LAST_NAMES = [
  'Okafor',
  'Nowak',
  'Hughes',
  'Begum',
  "O'Brien",
  'Patel',
  'Smith',
  'Jones',
  'Williams',
  'Khan',
  'Taylor',
  'Brown',
  'Ali',
  'Davies',
  'Evans',
  'Wilson',
  'Thomas',
  'Roberts',
  'Hussain',
  'Wright',
  'Mensah',
  'Kowalski',
  'Walker',
  'Green',
  'Ahmed',
  'Murphy',
  'Singh',
  'Clarke',
  'Adeyemi',
  'Shah',
  'Campbell',
  'Robinson',
  'Lewis',
  'Wood',
  'Mahmood',
  'Achieng',
  'Novak',
  'Kelly',
  'Bailey',
  'Hall',
];

const YEARS: Record<GradeStyle, readonly NcYear[]> = {
  primary: ['R', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6'],
  secondary: ['Y7', 'Y8', 'Y9', 'Y10', 'Y11'],
  special: ['Y3', 'Y5', 'Y7', 'Y9', 'Y11', 'X'],
};

export function generateSchool(spec: SchoolSpec): SyntheticSchool {
  const random = seeded(spec.seed);
  const aspects = aspectsFor(spec.style);
  const pupils = Array.from({ length: spec.pupils }, (_, index) => makePupil(spec, index, random));
  const results: SyntheticResult[] = [];
  for (const pupil of pupils) {
    const ability = random();
    for (const [termIndex, term] of spec.terms.entries()) {
      const yearsAgo = spec.currentStartYear - term.startYear;
      for (const aspect of aspects) {
        const value = gradeFor(spec.style, pupil.ncYear, yearsAgo, ability, termIndex, random);
        if (value === null) continue;
        results.push(resultFor(pupil, aspect, term, value));
      }
    }
  }
  return {
    name: spec.name,
    urn: spec.urn,
    laestab: `${spec.la}${String(spec.establishment).padStart(4, '0')}`,
    style: spec.style,
    pupils,
    aspects,
    results,
  };
}

/** Three terms ending with the given one, oldest first. */
export function lastTerms(
  startYear: number,
  count: number,
): { startYear: number; term: TermKind }[] {
  const order: TermKind[] = ['autumn', 'spring', 'summer'];
  const terms: { startYear: number; term: TermKind }[] = [];
  let year = startYear;
  let index = 0;
  for (let n = 0; n < count; n += 1) {
    terms.unshift({ startYear: year, term: order[index]! });
    index -= 1;
    if (index < 0) {
      index = 2;
      year -= 1;
    }
  }
  return terms;
}

function makePupil(spec: SchoolSpec, index: number, random: () => number): SyntheticPupil {
  const sex = random() < 0.5 ? 'F' : 'M';
  const names = sex === 'F' ? FIRST_NAMES_F : FIRST_NAMES_M;
  const years = YEARS[spec.style];
  const ncYear = years[index % years.length]!;
  const ordinal = ncYearOrdinal(ncYear) ?? 8;
  // A pupil in year N of academic year Y was born between September of Y-N-5 and August of Y-N-4.
  const birthYear = spec.currentStartYear - ordinal - 5;
  const dateOfBirth = addDays(`${birthYear}-09-01`, Math.floor(random() * 365));
  // UPNs are unique while there are fewer than 1,000 per year of allocation: the year digits
  // move on for each further thousand pupils.
  const allocated = (birthYear + 5 + Math.floor(index / 1000)) % 100;
  const rest =
    String(spec.la).padStart(3, '0') +
    String(spec.establishment).padStart(4, '0') +
    String(allocated).padStart(2, '0') +
    String(index % 1000).padStart(3, '0');
  return {
    id: `${spec.urn}-${String(index + 1).padStart(5, '0')}`,
    upn: upnCheckLetter(rest) + rest,
    firstName: pick(names, random),
    lastName: pick(LAST_NAMES, random),
    dateOfBirth,
    sex,
    ncYear,
    senStatus: spec.style === 'special' ? 'E' : random() < 0.14 ? 'K' : random() < 0.03 ? 'E' : 'N',
    disadvantaged: random() < 0.27,
    eal: random() < 0.22,
    onRollFrom: `${spec.currentStartYear - Math.min(ordinal, 6)}-09-01`,
  };
}

function aspectsFor(style: GradeStyle): SyntheticAspect[] {
  const names: Record<GradeStyle, [string, string, string]> = {
    primary: ['Reading Attainment', 'Writing Attainment', 'Maths Attainment'],
    secondary: ['English Reading', 'English Writing', 'Mathematics Working At'],
    special: ['Reading (B Squared)', 'Writing (B Squared)', 'Maths (B Squared)'],
  };
  const subjects = ['reading', 'writing', 'mathematics'] as const;
  return subjects.map((subject, index) => ({
    id: `${style}-${subject}`,
    name: names[style][index]!,
    subject,
    gradeSet: style === 'secondary' ? 'GCSE' : style === 'special' ? 'Pre-key stage' : 'Primary',
  }));
}

function gradeFor(
  style: GradeStyle,
  ncYear: NcYear,
  yearsAgo: number,
  ability: number,
  termIndex: number,
  random: () => number,
): string | null | undefined {
  // A few results are simply not entered yet: the missing-pupil report must find them.
  if (random() < 0.02) return null;
  const ordinal = (ncYearOrdinal(ncYear) ?? 8) - yearsAgo;
  const drift = ability + (random() - 0.5) * 0.2;
  if (style === 'special') {
    const step = Math.min(6, Math.max(1, Math.round(1 + drift * 5)));
    return random() < 0.08 ? `Step ${step}${'abc'[termIndex % 3]}` : `PK${step}`;
  }
  if (style === 'secondary') {
    if (ordinal >= 10) return String(Math.min(9, Math.max(1, Math.round(1 + drift * 8))));
    // A pupil working below the scheme's first band has a mark slot with nothing in it yet.
    if (drift < 0) return undefined;
    return ['Emerging', 'Developing', 'Secure', 'Mastered'][Math.min(3, Math.floor(drift * 4))]!;
  }
  if (ordinal <= 0) return null;
  const band = drift < 0.25 ? 0 : drift < 0.8 ? 1 : 2;
  if (ordinal === 2 || ordinal === 6) return ['WTS', 'EXS', 'GDS'][band]!;
  if (ordinal === 1) return ['WTS', 'EXS', 'GDS'][band]!;
  // Years 3 to 5: the school's own tracker scheme, which only its own rules can map.
  return `Y${ordinal} ${['Emerging', 'Secure', 'Mastery'][band]}`;
}

function resultFor(
  pupil: SyntheticPupil,
  aspect: SyntheticAspect,
  term: { startYear: number; term: TermKind },
  value: string | undefined,
): SyntheticResult {
  const year = englishAcademicYear(term.startYear);
  const termDates = year.terms.find((t) => t.kind === term.term)!;
  const assessedOn = addDays(termDates.endsOn, -10);
  const calendarYear = term.term === 'autumn' ? term.startYear : term.startYear + 1;
  const label = `${term.term[0]!.toUpperCase()}${term.term.slice(1)} ${calendarYear}`;
  return {
    id: `${pupil.id}-${aspect.id}-${term.startYear}-${term.term}`,
    pupilId: pupil.id,
    aspectId: aspect.id,
    value,
    assessedOn,
    periodLabel: label,
    modifiedAt: `${assessedOn}T16:30:00.000Z`,
  };
}

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)]!;
}

/** mulberry32: small, fast and the same on every machine. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
