import { z } from 'zod';
import { connectorKind } from '../../connectors/registry.ts';
import type { Collection } from './queries.ts';

/** Small helpers the console's pages share: which collection to show, and a source's kind. */

export const collectionQuery = z.object({
  collection: z.coerce.number().int().positive().optional().catch(undefined),
});

/**
 * The collection asked for, else the current one: during a term, that term's collection (the one
 * schools are working towards); in a holiday, the one just held; before any, the first to come.
 */
export function pickCollection(
  all: readonly Collection[],
  today: string,
  requested: number | null,
): Collection | null {
  const asked = all.find((collection) => collection.id === requested);
  if (asked) return asked;
  const current = all.find((c) => c.termStartsOn <= today && today <= c.date);
  if (current) return current;
  const past = all.filter((collection) => collection.date <= today);
  return past.at(-1) ?? all.find((collection) => collection.date > today) ?? null;
}

export function collectionChoices(all: readonly Collection[]) {
  return all.map((collection) => ({ value: String(collection.id), label: collection.label }));
}

/** A source kind's label and transport; a kind this build does not know reads as its name. */
export function kindInfo(kind: string): { label: string; transport: 'api' | 'file' } {
  const known = connectorKind(kind);
  if (known) return { label: known.label, transport: known.transport };
  return { label: kind.charAt(0).toUpperCase() + kind.slice(1), transport: 'api' };
}
