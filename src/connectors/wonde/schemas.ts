import { z } from 'zod';

/**
 * The shapes Wonde answers in, as far as they are known. Records are checked one by one by the
 * translators, so that one bad pupil is a problem and not a failed page.
 */

// `per_page` comes back as a string ("200") and `current_page` as a number (research 1.5).
const paginationSchema = z.looseObject({
  next: z.string().nullable().optional(),
  more: z.boolean().nullable().optional(),
  per_page: z.union([z.string(), z.number()]).nullable().optional(),
  current_page: z.union([z.string(), z.number()]).nullable().optional(),
});

// PHP writes an empty associative array as `[]`, and both official iterators once crashed on a
// response whose meta was empty or had no pagination (research 1.12).
const metaSchema = z.union([
  z.looseObject({ pagination: paginationSchema.nullable().optional() }),
  z.array(z.unknown()),
]);

export const listSchema = z.looseObject({
  data: z.array(z.unknown()),
  meta: metaSchema.nullable().optional(),
});

export type WondeList = z.infer<typeof listSchema>;

/** A single-object GET answers `{data: {...}}`; the wrong regional host answers `{data: []}`. */
export const singleSchema = z.looseObject({
  data: z.union([z.looseObject({}), z.array(z.unknown())]),
});

export const schoolSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullable().optional(),
  region: z
    .looseObject({
      code: z.string().nullable().optional(),
      domain: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
});

export type WondeSchool = z.infer<typeof schoolSchema>;

/** The pagination object of a list page, or null when Wonde sent none. */
export function paginationOf(list: WondeList): z.infer<typeof paginationSchema> | null {
  const meta = list.meta;
  if (!meta || Array.isArray(meta)) return null;
  return meta.pagination ?? null;
}

/** Wonde ids look like "A1930499544"; a relation holds one, or `{data: {...}}` when included. */
export function relationId(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  const inner = included(value);
  const id = inner?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

/** The object of an included to-one relation, `{data: {...}}`, or null. */
export function included(value: unknown): Record<string, unknown> | null {
  if (typeof value !== 'object' || value === null) return null;
  const inner = (value as { data?: unknown }).data;
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return null;
  return inner as Record<string, unknown>;
}

/** The first of the named fields that holds something, with its name. */
export function firstField(
  record: Record<string, unknown>,
  names: readonly string[],
): { name: string; value: unknown } | null {
  for (const name of names) {
    const value = record[name];
    if (value !== undefined && value !== null && value !== '') return { name, value };
  }
  return null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A trimmed string, a number as written, or null for anything blank. */
export function textOf(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}
