import { isIsoDate } from '../../domain/iso-date.ts';
import type { SourcePupil } from '../contract.ts';

/** A value read from a cell: `undefined` means the cell held something we cannot read. */
export type Read<T> = T | null | undefined;

export type Status = 'active' | 'deleted';

/**
 * Blank in a bulk file (research A.8), `active` or `tobedeleted` in a delta. 1.1 dropped
 * `inactive`, and a legacy `inactive` means `tobedeleted` (A.4).
 */
export function readStatus(text: string): Read<Status> {
  const status = text.trim().toLowerCase();
  if (status === '') return null;
  if (status === 'active') return 'active';
  if (status === 'tobedeleted' || status === 'inactive') return 'deleted';
  return undefined;
}

/** CSV dates are `YYYY-MM-DD` (A.8); a 1.2 exporter sometimes sends a date-time instead. */
export function readDate(text: string): Read<string> {
  const value = text.trim();
  if (value === '') return null;
  const date = value.slice(0, 10);
  if (!isIsoDate(date)) return undefined;
  if (value.length > 10 && readDateTime(value) === undefined) return undefined;
  return date;
}

const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO 8601 moment as an ISO timestamp. OneRoster asks for UTC with a `Z`; a plain date, or
 * a time without a zone (the OAT sample's "2017-05-06 08:01:05"), is taken as UTC (A.8).
 */
export function readDateTime(text: string): Read<string> {
  const value = text.trim();
  if (value === '') return null;
  const match = DATE_TIME.exec(value);
  if (!match || !isIsoDate(match[1]!)) return undefined;
  const [, date, hours = '00', minutes = '00', seconds = '00', fraction = '', zone = 'Z'] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const moment = new Date(`${date}T${hours}:${minutes}:${seconds}${fraction}${zoneOf(zone)}`);
  return Number.isNaN(moment.getTime()) ? undefined : moment.toISOString();
}

function zoneOf(zone: string): string {
  if (zone === 'Z' || zone.includes(':')) return zone;
  return `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

/** `{type:identifier}` pairs, several in one quoted cell: `{LDAP:12},{UPN:H801200001001}`. */
export function readUserIds(text: string): Map<string, string> {
  const ids = new Map<string, string>();
  for (const match of text.matchAll(/\{\s*([^:{}]+?)\s*:\s*([^{}]*?)\s*\}/g)) {
    const type = match[1]!.toLowerCase();
    if (!ids.has(type)) ids.set(type, match[2]!);
  }
  return ids;
}

/** A comma-separated list inside one field (A.8): grades, org ids, term ids. */
export function readList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** The demographics vocabulary is `male`, `female`, `other`, `unspecified` (US CEDS). */
const SEX = new Map<string, SourcePupil['sex']>([
  ['male', 'M'],
  ['m', 'M'],
  ['female', 'F'],
  ['f', 'F'],
  ['other', null],
  ['unspecified', null],
]);

export function readSex(text: string): Read<SourcePupil['sex']> {
  const key = text.trim().toLowerCase();
  if (key === '') return null;
  return SEX.has(key) ? SEX.get(key) : undefined;
}

/** DfE codes: N no SEN, K SEN support, E EHC plan. */
export function readSen(text: string): Read<SourcePupil['senStatus']> {
  const code = text.trim().toUpperCase();
  if (code === '') return null;
  return code === 'N' || code === 'K' || code === 'E' ? code : undefined;
}

/** OneRoster booleans are `true`/`false` (A.8); Y/N and 1/0 are how exporters write flags. */
const FLAGS = new Map<string, boolean>([
  ['true', true],
  ['y', true],
  ['yes', true],
  ['1', true],
  ['false', false],
  ['n', false],
  ['no', false],
  ['0', false],
]);

export function readFlag(text: string): Read<boolean> {
  const key = text.trim().toLowerCase();
  if (key === '') return null;
  return FLAGS.get(key);
}
