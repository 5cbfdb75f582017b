import type { ArborRecord } from './store.ts';

/**
 * The REST query string as the Arbor SDK builds it: `filters.{property}.{operator}=value`, a
 * model given by its href, and `NULL` for a missing value (research 2, "Filters").
 */

export interface Filter {
  property: string;
  operator: string;
  value: string;
  /** The values of an `in` filter, split once. */
  values: ReadonlySet<string>;
}

const OPERATORS = new Set(['equals', 'in', 'from', 'to', 'after', 'before', 'search', 'like']);

export function readFilters(params: URLSearchParams): Filter[] | string {
  const filters: Filter[] = [];
  for (const [name, value] of params) {
    if (!name.startsWith('filters.')) continue;
    const parts = name.split('.');
    const operator = parts.at(-1) ?? '';
    const property = parts.slice(1, -1).join('.');
    if (!property || !OPERATORS.has(operator)) return `unknown filter ${name}`;
    filters.push({ property, operator, value, values: new Set(value.split(',')) });
  }
  return filters;
}

export function matches(record: ArborRecord, filters: readonly Filter[]): boolean {
  return filters.every((filter) => matchOne(record, filter));
}

function matchOne(record: ArborRecord, filter: Filter): boolean {
  const actual = comparable(record[filter.property]);
  const wanted = filter.value === 'NULL' ? null : filter.value;
  switch (filter.operator) {
    case 'equals':
      return actual === wanted;
    case 'in':
      return actual !== null && filter.values.has(actual);
    case 'from':
      return actual !== null && wanted !== null && compare(actual, wanted) >= 0;
    case 'to':
      return actual !== null && wanted !== null && compare(actual, wanted) <= 0;
    case 'after':
      return actual !== null && wanted !== null && compare(actual, wanted) > 0;
    case 'before':
      return actual !== null && wanted !== null && compare(actual, wanted) < 0;
    default:
      return actual?.toLowerCase().includes((wanted ?? '').toLowerCase()) === true;
  }
}

function comparable(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && 'href' in value) return String(value.href);
  return String(value);
}

function compare(a: string, b: string): number {
  const numbers = /^-?\d+(\.\d+)?$/;
  if (numbers.test(a) && numbers.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
