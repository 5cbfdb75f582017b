import { LA_CODES } from './la-codes.ts';

/**
 * Unique Pupil Numbers as the DfE defines them: a check letter, the allocating LA's number
 * (characters 2-4), the school's DfE number (5-8), the year of allocation (9-10) and a serial
 * (11-13). A temporary UPN ends in a letter instead of a digit. We check strictly and never
 * repair a UPN silently: a UPN is matched across schools, so a guessed fix could join two pupils.
 */

export const UPN_PROBLEMS = [
  'upn_missing',
  'upn_whitespace',
  'upn_lower_case',
  'upn_length',
  'upn_excluded_letter',
  'upn_first_character',
  'upn_not_numeric',
  'upn_last_character',
  'upn_la_code',
  'upn_check_letter',
] as const;

export type UpnProblem = (typeof UPN_PROBLEMS)[number];

export type UpnCheck =
  | { ok: true; upn: string; kind: 'permanent' | 'temporary' }
  | { ok: false; code: UpnProblem; reason: string };

// The check letter and a temporary UPN's last letter come from these 23 letters; I, O and S are
// left out because they are too easily read as 1, 0 and 5.
const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';
const UPN_LENGTH = 13;
const LOOKALIKE_DIGIT = { I: '1', O: '0', S: '5' } as const;
// Spreadsheets add non-breaking and zero-width spaces as well as ordinary ones.
const BLANK = /[\s\u200b-\u200d]/;
const BLANKS = /[\s\u200b-\u200d]+/g;
const BLANKS_AT_ENDS = /^[\s\u200b-\u200d]+|[\s\u200b-\u200d]+$/g;

/** Checks a UPN exactly as given; the first problem found is the one reported. */
export function checkUpn(input: string): UpnCheck {
  if (input.replace(BLANKS, '') === '') return problem('upn_missing', missingReason());
  if (BLANK.test(input)) return problem('upn_whitespace', whitespaceReason(input));
  if (/[a-z]/.test(input)) return problem('upn_lower_case', lowerCaseReason(input));
  if (input.length !== UPN_LENGTH) return problem('upn_length', lengthReason(input));

  const excluded = /[IOS]/.exec(input);
  if (excluded) return problem('upn_excluded_letter', excludedReason(input, excluded.index));
  return checkCharacters(input);
}

/**
 * The UPN with blanks removed and letters in capitals, when that alone makes it valid: for a
 * "did you mean" prompt. Null when the input is already valid or the fix would not be enough.
 */
export function suggestUpnFix(input: string): string | null {
  const candidate = input.replace(BLANKS, '').toUpperCase();
  if (candidate === input) return null;
  return checkUpn(candidate).ok ? candidate : null;
}

/** The check letter for characters 2-13 of a UPN (12 characters). */
export function upnCheckLetter(rest: string): string {
  if (!/^\d{11}[0-9A-HJ-NP-RT-Z]$/.test(rest)) {
    throw new RangeError('a UPN check letter is worked out from 11 digits and a digit or letter');
  }

  let sum = 0;
  for (const [index, character] of [...rest].entries()) {
    // Character 2 of the UPN has weight 2, character 13 weight 13.
    sum += characterValue(character) * (index + 2);
  }
  return UPN_LETTERS[sum % 23]!;
}

function checkCharacters(upn: string): UpnCheck {
  if (!/^[A-Z]/.test(upn)) return problem('upn_first_character', firstCharacterReason(upn));

  const nonDigit = /\D/.exec(upn.slice(1, 12));
  if (nonDigit) return problem('upn_not_numeric', notNumericReason(upn, nonDigit.index + 2));
  if (!/[0-9A-Z]$/.test(upn)) return problem('upn_last_character', lastCharacterReason(upn));

  const laCode = upn.slice(1, 4);
  if (!LA_CODES.has(laCode)) return problem('upn_la_code', laCodeReason(upn, laCode));

  const expected = upnCheckLetter(upn.slice(1));
  if (upn[0] !== expected) return problem('upn_check_letter', checkLetterReason(upn, expected));
  return { ok: true, upn, kind: /\d$/.test(upn) ? 'permanent' : 'temporary' };
}

function characterValue(character: string): number {
  return /\d/.test(character) ? Number(character) : UPN_LETTERS.indexOf(character);
}

function problem(code: UpnProblem, reason: string): UpnCheck {
  return { ok: false, code, reason };
}

function missingReason(): string {
  return "The UPN is blank; enter the pupil's 13-character UPN from their record or CTF.";
}

function whitespaceReason(input: string): string {
  const where: string[] = [];
  if (BLANK.test(input.at(0)!)) where.push('starts with a space');
  if (BLANK.test(input.at(-1)!)) where.push('ends with a space');
  if (BLANK.test(input.replace(BLANKS_AT_ENDS, ''))) where.push('has a space inside it');
  return (
    `UPN "${input}" ${where.join(' and ')}; remove the spaces ` +
    'so that only its 13 letters and digits are left.'
  );
}

function lowerCaseReason(input: string): string {
  return `UPN ${input} has lower-case letters; type it in capitals, as ${input.toUpperCase()}.`;
}

function lengthReason(input: string): string {
  return (
    `UPN ${input} has ${input.length} characters; a UPN has 13: a letter followed by 12 digits, ` +
    'or by 11 digits and a letter for a temporary UPN.'
  );
}

function excludedReason(upn: string, index: number): string {
  const letter = upn[index] as 'I' | 'O' | 'S';
  const position = index + 1;
  if (position === 1 || position === UPN_LENGTH) {
    return (
      `UPN ${upn} has the letter ${letter} at character ${position}; UPNs never use I, O or S, ` +
      "so compare it with the pupil's record."
    );
  }
  return (
    `UPN ${upn} has the letter ${letter} at character ${position}, where a digit belongs; ` +
    `it is probably a mistyped ${LOOKALIKE_DIGIT[letter]}.`
  );
}

function firstCharacterReason(upn: string): string {
  return (
    `UPN ${upn} starts with ${upn[0]}; a UPN starts with a capital check letter, ` +
    "so compare it with the pupil's record or CTF."
  );
}

function notNumericReason(upn: string, position: number): string {
  return (
    `UPN ${upn} has ${upn[position - 1]} at character ${position}; characters 2 to 12 ` +
    "of a UPN are all digits, so compare it with the pupil's record."
  );
}

function lastCharacterReason(upn: string): string {
  return (
    `UPN ${upn} ends with ${upn[12]}; the 13th character of a UPN is a digit, ` +
    'or a capital letter for a temporary UPN.'
  );
}

function laCodeReason(upn: string, laCode: string): string {
  return (
    `UPN ${upn} has ${laCode} in characters 2 to 4, which is not a DfE local authority number; ` +
    "compare it with the pupil's CTF or the records of the school that gave it."
  );
}

function checkLetterReason(upn: string, expected: string): string {
  return (
    `UPN ${upn} starts with ${upn[0]}, but the rest of the number gives the check letter ` +
    `${expected}; a character is probably mistyped, so compare it with the pupil's record.`
  );
}
