/**
 * Suggesting which trust subject a school's assessment aspect feeds, from the aspect's name. A
 * suggestion is only ever shown to a person to confirm (6.2); when the name could mean more than
 * one subject, or none, nothing is guessed.
 */

export interface SubjectSuggestion {
  subjectCode: string | null;
  /** True when the aspect records something other than attainment and should not be mapped. */
  ignore: boolean;
  reason: string;
}

export interface SubjectOption {
  code: string;
  name: string;
}

interface NotAttainment {
  words: readonly string[];
  reason: string;
}

// Trackers hold much besides attainment; the collection asks for attainment only (8.1, 8.2),
// so an aspect named for one of these is proposed for ignoring, whatever subject it names.
const NOT_ATTAINMENT: readonly NotAttainment[] = [
  {
    words: ['effort'],
    reason: 'An effort grade records how hard a pupil works, so it is not attainment.',
  },
  {
    words: ['target', 'targets', 'aspirational'],
    reason: 'A target is where a pupil is aimed, so it is not attainment.',
  },
  {
    words: ['predicted', 'prediction', 'predictions', 'projected', 'projection', 'forecast'],
    reason: 'A prediction is an expected outcome, so it is not attainment.',
  },
  {
    words: ['estimate', 'estimated', 'estimates'],
    reason: 'An estimate is an expected outcome, so it is not attainment.',
  },
  {
    words: ['behaviour', 'behavior', 'attitude', 'attitudes'],
    reason: 'Behaviour and attitude to learning are not attainment.',
  },
  {
    words: ['age'],
    reason:
      'A reading or spelling age compares a pupil with their age, not with the curriculum, ' +
      'so it is not attainment.',
  },
  {
    words: ['attendance', 'homework'],
    reason: 'Attendance and homework are not attainment.',
  },
];

// Other names by which schools call a subject, keyed by the subject's own name in lower case.
// English, GPS and SPaG are deliberately absent: each could feed reading or writing or neither.
const OTHER_NAMES: ReadonlyMap<string, readonly string[]> = new Map([
  ['mathematics', ['maths', 'math']],
  ['maths', ['mathematics', 'math']],
]);

/** A subject for the aspect, a proposal to ignore it, or null when a person must decide. */
export function suggestSubject(
  aspectName: string,
  subjects: readonly SubjectOption[],
): SubjectSuggestion | null {
  const words = wordsOf(aspectName);
  if (words.length === 0) return null;

  const notAttainment = NOT_ATTAINMENT.find((kind) => kind.words.some((w) => words.includes(w)));
  if (notAttainment) return { subjectCode: null, ignore: true, reason: notAttainment.reason };

  const named = subjects.filter((subject) =>
    namesOf(subject).some((name) => contains(words, name)),
  );
  // One name matching two subjects ("English Reading" where the trust also has English) is a
  // choice for a person, not for the name's word order.
  const subject = named[0];
  if (!subject || named.length > 1) return null;

  const reason = `The aspect name mentions ${subject.name}; confirm before it is used.`;
  return { subjectCode: subject.code, ignore: false, reason };
}

function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

function namesOf(subject: SubjectOption): string[][] {
  const name = wordsOf(subject.name).join(' ');
  const others = OTHER_NAMES.get(name) ?? [];
  return [name, ...others].map(wordsOf).filter((words) => words.length > 0);
}

// Whole words in order, so that "Reading" does not match inside "Proofreading" and a subject
// named "Design and Technology" needs all three words.
function contains(words: readonly string[], phrase: readonly string[]): boolean {
  for (let start = 0; start + phrase.length <= words.length; start += 1) {
    if (phrase.every((word, offset) => words[start + offset] === word)) return true;
  }
  return false;
}
