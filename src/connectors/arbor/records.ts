import type { ArborClient, Fetched, Row } from './client.ts';
import type { RawLog } from './raw.ts';

/**
 * Reading Arbor's REST shapes. A listing is `{ "<pluralCamel>": [ ... ] }` and one record is
 * `{ "<camel>": { ... } }` (research 2, "REST shape"); the root key is not needed, so any
 * spelling of a module resource's name (UkDfe_...) reads the same. Relations are
 * `{entityType, href, ...}` refs which may or may not carry the related record's properties.
 */

export function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The records of a listing answer, or null when it holds no list at all. */
export function listRows(body: Row): Row[] | null {
  for (const [key, value] of Object.entries(body)) {
    if (key === 'response' || !Array.isArray(value)) continue;
    return value.filter(isRow);
  }
  return null;
}

/** The record of a single-record answer. */
export function oneRow(body: Row): Row | null {
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'response' && isRow(value)) return value;
  }
  return null;
}

/** The href of a ref or record, when it is a path on this server. */
export function hrefOf(value: unknown): string | null {
  if (!isRow(value) || typeof value.href !== 'string') return null;
  // Only a path is followed: an absolute URL in a ref would send the school's credentials to
  // whichever host it names.
  return value.href.startsWith('/') && !value.href.startsWith('//') ? value.href : null;
}

/** The Arbor id of a ref or record: the last segment of its href, as the SDK reads it. */
export function idOf(value: unknown): string | null {
  const href = isRow(value) && typeof value.href === 'string' ? value.href : null;
  const fromHref = href ? /\/(\d+)\/?$/.exec(href)?.[1] : undefined;
  if (fromHref) return fromHref;
  const id = isRow(value) ? value.id : undefined;
  return typeof id === 'number' || (typeof id === 'string' && id !== '') ? String(id) : null;
}

export function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number') return String(value);
  return null;
}

/** The first of these properties that holds text. */
export function firstText(row: Row | null | undefined, names: readonly string[]): string | null {
  if (!row) return null;
  for (const name of names) {
    const found = text(row[name]);
    if (found !== null) return found;
  }
  return null;
}

/** Whether a ref carries these properties (null counts: Arbor sent it, and it is empty). */
export function hasAll(row: Row, names: readonly string[]): boolean {
  return names.every((name) => row[name] !== undefined);
}

export function maxRevision(rows: readonly Row[]): number | null {
  let max: number | null = null;
  const visit = (row: Row): void => {
    const revision = Number(row.revisionId);
    if (Number.isFinite(revision) && (max === null || revision > max)) max = revision;
  };
  for (const row of rows) {
    visit(row);
    for (const value of Object.values(row)) if (isRow(value)) visit(value);
  }
  return max;
}

// Enough for every catalogue record of a school (grades, assessments, periods, statuses, ...);
// past it the cache starts again rather than grow.
const CACHE_LIMIT = 20_000;
// Refs fetched at once: the client queues the rest, but each waits inside its own deadline.
const BATCH = 16;

/**
 * Fetches the records behind refs that arrive without the properties needed. Catalogue records
 * (grades, assessments, statuses) are cached for the run; pupils' records never are, so that no
 * more than a page of pupils is held at a time.
 */
export class Resolver {
  private readonly cache = new Map<string, Row | null>();

  constructor(
    private readonly arbor: ArborClient,
    private readonly raw: RawLog,
  ) {}

  /** The ref itself when it has every one of `needs`, else the record fetched, or null. */
  async resolve(ref: unknown, needs: readonly string[], cache: boolean): Promise<Row | null> {
    if (!isRow(ref)) return null;
    if (hasAll(ref, needs)) return ref;
    const href = hrefOf(ref);
    if (!href) return null;
    if (cache && this.cache.has(href)) return this.cache.get(href) ?? null;

    const fetched = await this.arbor.get(href, {}, { missingIsNull: true });
    const row = this.keep(fetched);
    if (cache) this.remember(href, row);
    return row;
  }

  /** Resolves many refs, a few at a time, in the order given. */
  async resolveAll(
    refs: readonly unknown[],
    needs: readonly string[],
    cache: boolean,
  ): Promise<(Row | null)[]> {
    const resolved: (Row | null)[] = [];
    for (let start = 0; start < refs.length; start += BATCH) {
      const batch = refs.slice(start, start + BATCH);
      resolved.push(...(await Promise.all(batch.map((ref) => this.resolve(ref, needs, cache)))));
    }
    return resolved;
  }

  /** The records as they are now, each fetched; one deleted since is left out. */
  async fetchAll(hrefs: readonly string[]): Promise<Row[]> {
    const rows: Row[] = [];
    for (let start = 0; start < hrefs.length; start += BATCH) {
      const batch = hrefs.slice(start, start + BATCH);
      const fetched = await Promise.all(
        batch.map((href) => this.arbor.get(href, {}, { missingIsNull: true })),
      );
      for (const answer of fetched) {
        const row = this.keep(answer);
        if (row) rows.push(row);
      }
    }
    return rows;
  }

  /** Fetches each distinct catalogue ref once, so that later lookups are cache hits. */
  async prefetch(refs: readonly unknown[], needs: readonly string[]): Promise<void> {
    const distinct = new Map<string, unknown>();
    for (const ref of refs) {
      const href = hrefOf(ref);
      if (href && !distinct.has(href) && !this.cache.has(href)) distinct.set(href, ref);
    }
    await this.resolveAll([...distinct.values()], needs, true);
  }

  /** A cached catalogue record, or the ref itself when it already carried what is needed. */
  lookup(ref: unknown, needs: readonly string[]): Row | null {
    if (!isRow(ref)) return null;
    if (hasAll(ref, needs)) return ref;
    const href = hrefOf(ref);
    return href ? (this.cache.get(href) ?? null) : null;
  }

  private keep(fetched: Fetched | null): Row | null {
    if (!fetched) return null;
    this.raw.add(fetched.part);
    return oneRow(fetched.body);
  }

  private remember(href: string, row: Row | null): void {
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(href, row);
  }
}
