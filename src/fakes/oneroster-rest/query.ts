import type { Json } from './data.ts';

/**
 * OneRoster's collection query parameters (research A.3): `filter` with one optional AND or OR,
 * `fields`, `sort` and `orderBy`. A filter on a field the collection does not have, or a field
 * list naming one, is refused the way the OpenAPI says: 400 with `invalid_filter_field` or
 * `invalid_selection_field`.
 */

export class QueryError extends Error {
  constructor(
    readonly codeMinor: 'invalid_filter_field' | 'invalid_selection_field',
    message: string,
  ) {
    super(message);
  }
}

interface Condition {
  field: string;
  operator: string;
  value: string;
}

const CONDITION = /^\s*([A-Za-z][A-Za-z0-9.]*)\s*(<=|>=|!=|=|<|>|~)\s*'((?:[^']|'')*)'\s*$/;

/** A predicate for the filter, or null without one. */
export function parseFilter(
  filter: string | null,
  known: ReadonlySet<string>,
): ((record: Json) => boolean) | null {
  if (filter === null || filter.trim() === '') return null;
  const join = / (AND|OR) /.exec(filter);
  const parts = join
    ? [filter.slice(0, join.index), filter.slice(join.index + join[0].length)]
    : [filter];
  const conditions = parts.map((part) => parseCondition(part, known));
  const tests = conditions.map((condition) => (record: Json) => holds(record, condition));
  if (join?.[1] === 'OR') return (record) => tests.some((test) => test(record));
  return (record) => tests.every((test) => test(record));
}

function parseCondition(text: string, known: ReadonlySet<string>): Condition {
  const match = CONDITION.exec(text);
  if (!match) throw new QueryError('invalid_filter_field', `cannot read the filter "${text}"`);
  const [, field, operator, quoted] = match;
  if (!known.has(field!.split('.')[0]!)) {
    throw new QueryError('invalid_filter_field', `no field ${field} to filter on`);
  }
  return { field: field!, operator: operator!, value: quoted!.replaceAll("''", "'") };
}

function holds(record: Json, condition: Condition): boolean {
  const actual = dotted(record, condition.field);
  if (actual === undefined || actual === null) return condition.operator === '!=';
  const text = String(actual);
  const order = compare(text, condition.value, condition.field === 'dateLastModified');
  switch (condition.operator) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    default:
      return text.toLowerCase().includes(condition.value.toLowerCase());
  }
}

function compare(a: string, b: string, asTime: boolean): number {
  if (asTime) return Math.sign(Date.parse(a) - Date.parse(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

function dotted(record: Json, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Json)[key];
  }
  return value;
}

/** The requested fields, checked against the collection's; null means every field. */
export function parseFields(fields: string | null, known: ReadonlySet<string>): string[] | null {
  if (fields === null || fields.trim() === '') return null;
  const names = fields.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !known.has(name));
  if (unknown !== undefined) {
    throw new QueryError('invalid_selection_field', `no field ${unknown} to select`);
  }
  return names;
}

export function select(record: Json, fields: string[] | null): Json {
  if (fields === null) return record;
  return Object.fromEntries(fields.filter((f) => f in record).map((f) => [f, record[f]]));
}

export function sortRecords(records: Json[], sort: string | null, orderBy: string | null): Json[] {
  if (!sort) return records;
  const sorted = [...records].sort((a, b) => compare(String(a[sort]), String(b[sort]), false));
  return orderBy === 'desc' ? sorted.reverse() : sorted;
}
