import type { SourcePupil } from '../contract.ts';
import type { Cell } from './cells.ts';
import { cellText } from './cells.ts';

/** A translated cell: `undefined` means the cell held something that is not a known code. */
export type Translated<T> = T | null | undefined;

type Sex = SourcePupil['sex'];
type SenStatus = SourcePupil['senStatus'];

const SEX_CODES = new Map<string, NonNullable<Sex>>([
  ['m', 'M'],
  ['male', 'M'],
  ['boy', 'M'],
  ['f', 'F'],
  ['female', 'F'],
  ['girl', 'F'],
]);

/**
 * The DfE codes N, K and E and how schools write them. School Action and School Action Plus
 * (A, P) became SEN support (K) in the 2014 SEND reforms, and statements became EHC plans.
 */
const SEN_CODES = new Map<string, NonNullable<SenStatus>>([
  ['n', 'N'],
  ['no', 'N'],
  ['none', 'N'],
  ['nosen', 'N'],
  ['nosend', 'N'],
  ['nospecialeducationalneed', 'N'],
  ['k', 'K'],
  ['sensupport', 'K'],
  ['support', 'K'],
  ['a', 'K'],
  ['p', 'K'],
  ['schoolaction', 'K'],
  ['schoolactionplus', 'K'],
  ['e', 'E'],
  ['ehcp', 'E'],
  ['ehc', 'E'],
  ['ehcplan', 'E'],
  ['educationhealthandcareplan', 'E'],
  ['s', 'E'],
  ['statement', 'E'],
]);

const FLAG_CODES = new Map<string, boolean>([
  ['y', true],
  ['yes', true],
  ['true', true],
  ['1', true],
  ['n', false],
  ['no', false],
  ['false', false],
  ['0', false],
]);

/** "N - No special educational need", as some systems export the code with its meaning. */
const CODE_WITH_MEANING = /^([nke])\s*[-–:]/i;

export function readSex(cell: Cell): Translated<Sex> {
  const key = codeKey(cell);
  if (key === '') return null;
  return SEX_CODES.get(key);
}

export function readSenStatus(cell: Cell): Translated<SenStatus> {
  const text = cellText(cell);
  if (text === '') return null;
  const prefixed = CODE_WITH_MEANING.exec(text);
  if (prefixed) return SEN_CODES.get(prefixed[1]!.toLowerCase());
  return SEN_CODES.get(codeKey(cell));
}

export function readFlag(cell: Cell): Translated<boolean> {
  if (typeof cell === 'boolean') return cell;
  const key = codeKey(cell);
  if (key === '') return null;
  return FLAG_CODES.get(key);
}

function codeKey(cell: Cell): string {
  return cellText(cell)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}
