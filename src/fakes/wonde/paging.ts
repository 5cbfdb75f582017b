/**
 * Wonde's paging (research 1.5): 50 a page unless `per_page` says otherwise; no pagination
 * object at all on a list of 50 or fewer unless `per_page` was sent; `per_page` echoed as a
 * string; a `next` link that keeps every parameter. `cursor=true` pages by position instead,
 * so that records removed between pages move nothing (its real meta shape is unverified).
 */

const DEFAULT_PER_PAGE = 50;

export interface PageRequest {
  perPage: number;
  /** `per_page` was sent, which forces a pagination object. */
  explicit: boolean;
  page: number;
  /** Cursor paging: the index after which this page starts (-1 for the first page). */
  after: number | null;
}

/** A list the fake can page through without building it: by index, with a filter. */
export interface Source<T> {
  length: number;
  visible(index: number): boolean;
  at(index: number): T;
  /** Nothing is filtered out, so an offset page can be cut straight from the list. */
  direct: boolean;
}

export interface Slice<T> {
  items: T[];
  more: boolean;
  /** Index of the last item served, for the next cursor. */
  last: number;
}

export function readPageRequest(params: URLSearchParams, maxPerPage: number): PageRequest {
  const asked = Number(params.get('per_page'));
  const explicit = params.has('per_page') && Number.isInteger(asked) && asked > 0;
  const perPage = explicit ? Math.min(asked, maxPerPage) : DEFAULT_PER_PAGE;
  const cursor = params.get('cursor');
  const parsed = cursor ? /^c(-?\d+)p(\d+)$/.exec(cursor) : null;
  if (cursor === 'true' || parsed) {
    return {
      perPage,
      explicit,
      page: parsed ? Number(parsed[2]) : 1,
      after: parsed ? Number(parsed[1]) : -1,
    };
  }
  const page = Math.max(1, Math.floor(Number(params.get('page') ?? '1')) || 1);
  return { perPage, explicit, page, after: null };
}

export function slicePage<T>(source: Source<T>, request: PageRequest): Slice<T> {
  const items: T[] = [];
  let index: number;
  if (request.after !== null) index = request.after + 1;
  else if (source.direct) index = (request.page - 1) * request.perPage;
  else index = skipVisible(source, (request.page - 1) * request.perPage);

  let last = index - 1;
  for (; index < source.length; index += 1) {
    if (!source.visible(index)) continue;
    if (items.length === request.perPage) return { items, more: true, last };
    items.push(source.at(index));
    last = index;
  }
  return { items, more: false, last };
}

/** The `meta` of a list page, or null when Wonde would send no pagination. */
export function pagination(
  url: URL,
  request: PageRequest,
  slice: Slice<unknown>,
  loopBack: boolean,
  shortLists: 'paged' | 'unpaged',
): Record<string, unknown> | null {
  const forced = request.explicit && shortLists === 'paged';
  if (!forced && request.page === 1 && !slice.more && !loopBack) return null;
  const next = new URL(url);
  if (request.after !== null) next.searchParams.set('cursor', `c${slice.last}p${request.page + 1}`);
  else next.searchParams.set('page', String(request.page + 1));

  const previous = new URL(url);
  previous.searchParams.set('page', String(request.page - 1));
  const base = {
    next: loopBack ? url.toString() : slice.more ? next.toString() : null,
    previous: request.page > 1 && request.after === null ? previous.toString() : null,
    more: loopBack || slice.more,
    per_page: String(request.perPage),
  };
  return request.after === null ? { ...base, current_page: request.page } : base;
}

function skipVisible<T>(source: Source<T>, count: number): number {
  let skipped = 0;
  let index = 0;
  for (; index < source.length && skipped < count; index += 1) {
    if (source.visible(index)) skipped += 1;
  }
  return index;
}
