import { z } from 'zod';
import { connectorKind } from '../../connectors/registry.ts';
import { currentCollection } from '../../reports/collections.ts';
import type { Collection } from './queries.ts';

/** Small helpers the console's pages share: which collection to show, and a source's kind. */

export const collectionQuery = z.object({
  collection: z.coerce.number().int().positive().optional().catch(undefined),
});

/** The collection asked for, else the current one (see currentCollection). */
export function pickCollection(
  all: readonly Collection[],
  today: string,
  requested: number | null,
): Collection | null {
  return currentCollection(all, today, requested);
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
