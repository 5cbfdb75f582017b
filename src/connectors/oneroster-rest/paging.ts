import type { RawPayload } from '../contract.ts';
import type { ConnectorErrorCode } from '../http/index.ts';
import { type Endpoint, endpointUrl } from './endpoints.ts';
import type { Fetched, Session } from './session.ts';
import { isFailure, readStatusInfo } from './status-info.ts';
import { describeRead } from './wording.ts';

/**
 * Reading a OneRoster collection page by page with `limit` and `offset` (research A.3). The
 * offset moves on by the records actually received, since a server may cap `limit` without
 * saying so. The end is where the `Link` header has no `next`, or, without Link, where
 * `X-Total-Count` is reached, or, with neither, at a short page.
 *
 * Offsets shift when records are removed while the list is read. When `X-Total-Count` drops
 * between pages, the reader steps back by the drop and drops the repeats by id, so that no
 * record is skipped; the ids of the last page are kept for that.
 */

/** Where a listing stands; stored in checkpoints. */
// A type, not an interface, so that a checkpoint built from it is a plain JSON record.
export type Position = {
  offset: number;
  /** `X-Total-Count` when this offset was reached, if the server sends it. */
  total: number | null;
  /** Ids already handed on from around this offset, to drop if the server sends them again. */
  recentIds: string[];
};

export const START: Position = { offset: 0, total: null, recentIds: [] };

export interface Listing {
  endpoint: Endpoint;
  /** `filter`, `fields`, `sort`, `orderBy`; undefined values are left out. */
  query: Record<string, string | undefined>;
}

export interface ListedPage {
  /** The page's records not handed on before, in the server's order. */
  records: unknown[];
  raw: RawPayload;
  /** Where this page was read from. */
  at: Position;
  /** Where the listing goes on, or null at its end. */
  next: Position | null;
}

/** Says that the list shrank while it was read, and how far the reader stepped back. */
export type OnShift = (endpoint: Endpoint, removed: number) => void;

export async function* readListing(
  session: Session,
  listing: Listing,
  from: Position,
  signal: AbortSignal,
  onShift: OnShift,
): AsyncGenerator<ListedPage> {
  let position = from;
  for (;;) {
    if (signal.aborted) throw aborted(session, listing);
    let fetched = await fetchPage(session, listing, position.offset, signal);
    let stepped = false;

    const removed = shrinkage(position, fetched.total);
    if (removed > 0 && position.offset > 0) {
      onShift(listing.endpoint, removed);
      position = { ...position, offset: Math.max(0, position.offset - removed) };
      fetched = await fetchPage(session, listing, position.offset, signal);
      stepped = true;
    }

    const page = toPage(session, listing, position, fetched, stepped);
    yield page;
    if (!page.next) return;
    position = page.next;
  }
}

interface PageAnswer {
  url: URL;
  fetched: Fetched;
  records: unknown[];
  total: number | null;
  links: Map<string, string> | null;
}

function toPage(
  session: Session,
  listing: Listing,
  at: Position,
  answer: PageAnswer,
  stepped: boolean,
): ListedPage {
  const { records, total, links, url } = answer;
  const recent = new Set(at.recentIds);
  const ids = records.map(idOf).filter((id): id is string => id !== null);
  const fresh = records.filter((record) => {
    const id = idOf(record);
    return id === null || !recent.has(id);
  });

  const grew = total !== null && at.total !== null && total > at.total;
  // A server that ignores `offset` sends the last page again: the same ids, none new.
  const samePage = records.length > 0 && fresh.length === 0 && ids.length === recent.size;
  if (samePage && !stepped && !grew) {
    throw loop(session, listing, url, at.offset, 'sent a page it had already sent');
  }
  const nextLink = links?.get('next');
  if (nextLink !== undefined) checkNextLink(session, listing, url, at.offset, nextLink);

  const received = records.length;
  const more = hasMore(received, at.offset, total, links, listingPageSize(url));
  const next = more ? { offset: at.offset + received, total, recentIds: ids } : null;
  const raw: RawPayload = {
    label: answer.fetched.label,
    contentType: String(answer.fetched.headers['content-type'] ?? 'application/json'),
    body: answer.fetched.body,
  };
  return { records: fresh, raw, at: { ...at, total: total ?? at.total }, next };
}

function hasMore(
  received: number,
  offset: number,
  total: number | null,
  links: Map<string, string> | null,
  pageSize: number,
): boolean {
  if (received === 0) return false;
  if (links) return links.has('next');
  if (total !== null) return offset + received < total;
  return received >= pageSize;
}

// A `next` link must move forward: one that points back at this page, or before it, would
// have a client that follows it read forever.
function checkNextLink(
  session: Session,
  listing: Listing,
  url: URL,
  offset: number,
  link: string,
): void {
  let next: URL;
  try {
    next = new URL(link, url);
  } catch {
    return;
  }
  const nextOffset = Number(next.searchParams.get('offset') ?? Number.NaN);
  const samePage = next.pathname === url.pathname && next.search === url.search;
  if (samePage || (Number.isFinite(nextOffset) && nextOffset <= offset)) {
    throw loop(session, listing, url, offset, 'gave a next page that points back at this one');
  }
}

async function fetchPage(
  session: Session,
  listing: Listing,
  offset: number,
  signal: AbortSignal,
): Promise<PageAnswer> {
  const url = pageUrl(session, listing, offset);
  const fetched = await session.get(listing.endpoint, url, signal);
  const records = collectionOf(session, listing.endpoint, url, fetched);
  return {
    url,
    fetched,
    records,
    total: totalCount(fetched),
    links: parseLinks(fetched.headers.link),
  };
}

export function pageUrl(session: Session, listing: Listing, offset: number): URL {
  const url = endpointUrl(session.config, listing.endpoint);
  url.searchParams.set('limit', String(session.config.pageSize));
  url.searchParams.set('offset', String(offset));
  for (const [name, value] of Object.entries(listing.query)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url;
}

/** The list under the endpoint's key; a failure status inside a 200 is thrown as one. */
export function collectionOf(
  session: Session,
  endpoint: Endpoint,
  url: URL,
  fetched: Fetched,
): unknown[] {
  if (fetched.body.length === 0) return [];
  const text = fetched.body.toString('utf8').replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw session.fail({
      code: 'invalid_json',
      url: url.toString(),
      status: fetched.status,
      detail: String(fetched.headers['content-type'] ?? 'no content type'),
    });
  }
  const list = (parsed as Record<string, unknown> | null)?.[endpoint.key];
  if (Array.isArray(list)) return list;

  // Some providers answer a failure with 200 and a status body (research A.5).
  const info = readStatusInfo(text);
  if (isFailure(info)) {
    const code = codeForMinor(info!.codeMinor);
    const excerpt = text.length <= 2000 ? text : undefined;
    throw session.fail(
      { code, url: url.toString(), status: fetched.status, bodyExcerpt: excerpt },
      describeRead(session.config, endpoint),
    );
  }
  throw session.fail({
    code: 'schema_mismatch',
    url: url.toString(),
    detail: `the answer for ${endpoint.path} has no "${endpoint.key}" list`,
  });
}

// The minor codes of the 1.2 OpenAPI and the HTTP statuses it pairs them with (research A.5).
function codeForMinor(codeMinor: readonly string[]): ConnectorErrorCode {
  if (codeMinor.includes('unauthorisedrequest')) return 'http_unauthorized';
  if (codeMinor.includes('forbidden')) return 'http_forbidden';
  if (codeMinor.includes('unknownobject')) return 'http_not_found';
  if (codeMinor.includes('server_busy')) return 'rate_limited';
  if (codeMinor.includes('internal_server_error')) return 'server_error';
  return 'http_bad_request';
}

function totalCount(fetched: Fetched): number | null {
  const header = fetched.headers['x-total-count'];
  const value = Number(Array.isArray(header) ? header[0] : header);
  return header !== undefined && Number.isInteger(value) && value >= 0 ? value : null;
}

/** RFC 8288 links by relation: `<url>; rel="next", <url>; rel="last"`. Null without a header. */
export function parseLinks(header: string | string[] | undefined): Map<string, string> | null {
  if (header === undefined) return null;
  const text = Array.isArray(header) ? header.join(', ') : header;
  const links = new Map<string, string>();
  for (const match of text.matchAll(/<([^>]*)>((?:\s*;\s*[^,;]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(match[2] ?? '')?.[1];
    for (const name of rel?.trim().split(/\s+/) ?? []) links.set(name.toLowerCase(), match[1]!);
  }
  return links;
}

function shrinkage(position: Position, total: number | null): number {
  if (position.total === null || total === null) return 0;
  return Math.max(0, position.total - total);
}

function listingPageSize(url: URL): number {
  return Number(url.searchParams.get('limit'));
}

function idOf(record: unknown): string | null {
  const id = (record as { sourcedId?: unknown } | null)?.sourcedId;
  return typeof id === 'string' && id !== '' ? id : null;
}

function loop(session: Session, listing: Listing, url: URL, offset: number, what: string) {
  return session.fail({
    code: 'pagination_loop',
    url: url.toString(),
    detail: `it ${what}, reading ${listing.endpoint.what} at offset ${offset}`,
  });
}

function aborted(session: Session, listing: Listing) {
  const url = endpointUrl(session.config, listing.endpoint).toString();
  return session.fail({ code: 'aborted', url });
}
