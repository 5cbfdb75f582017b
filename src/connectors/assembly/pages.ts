import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { RawPayload } from '../contract.ts';
import type { QueryValue } from '../http/index.ts';
import type { Endpoint } from './messages.ts';
import type { AssemblySession } from './session.ts';

/** One paged list endpoint, asked with `page` and `per_page`. */
export interface ListRequest {
  path: string;
  query: Record<string, QueryValue>;
  perPage: number;
  endpoint: Endpoint;
  /** Conditional headers for a delta: If-Modified-Since, If-None-Match. */
  headers?: Record<string, string | undefined>;
  /**
   * Without pagination headers, take a full page to mean that more follow. Off for an
   * endpoint documented without paging, which would answer every page with the same list.
   */
  guessNext?: boolean;
}

export interface ListPage {
  page: number;
  /** The path and query asked, redacted: where a problem in this page is. */
  location: string;
  records: unknown[];
  raw: RawPayload;
  /** The page to ask for next, or null after the last one. */
  next: number | null;
  /** The size of the whole list as Assembly counted it, where it says. */
  total: number | null;
  etag: string | null;
}

const count = z.union([z.int(), z.string().regex(/^\d+$/).transform(Number)]).nullish();

// v1.1 pages in headers; v1.0 wrapped each page in an envelope with the same facts (research 4).
// Either body is read, and a bare array too, as the SDKs' return types suggest.
export const listSchema = z.union([
  z.array(z.unknown()).transform((records) => ({ records })),
  z
    .looseObject({
      data: z.array(z.unknown()),
      next_page: count,
      total_pages: count,
      total_count: count,
    })
    .transform((envelope) => ({
      records: envelope.data,
      nextPage: envelope.next_page,
      totalPages: envelope.total_pages,
      totalCount: envelope.total_count,
    })),
]);

type Envelope = z.output<typeof listSchema> & {
  nextPage?: number | null;
  totalPages?: number | null;
  totalCount?: number | null;
};

/**
 * Walks a list from `firstPage` to its end, a page at a time. A 304 Not Modified on a delta
 * yields nothing: nothing changed. A next page that goes back stops the run as a loop.
 */
export async function* walkList(
  session: AssemblySession,
  request: ListRequest,
  firstPage = 1,
): AsyncGenerator<ListPage> {
  const asked = new Set<number>();
  for (let page = firstPage; ; ) {
    asked.add(page);
    const query = { ...request.query, page, per_page: request.perPage };
    const fetched = await session.get(request.path, query, {
      endpoint: request.endpoint,
      headers: request.headers,
    });
    if (fetched.body === null) return;

    const envelope: Envelope = session.parse(fetched, listSchema);
    const guess = request.guessNext ?? true;
    const next = nextPage(fetched.headers, envelope, page, guess ? request.perPage : null);
    if (next !== null && (next <= page || asked.has(next))) {
      throw session.fail('pagination_loop', {
        path: fetched.path,
        detail: `page ${page} of ${request.path} points on to page ${next}`,
        message:
          `Assembly kept sending the same pages of ${request.endpoint.what}: page ${page} of ` +
          `${request.path} points on to page ${next}. The run was stopped so that nothing is ` +
          'read twice. Report this to the Next Steps team.',
      });
    }

    yield {
      page,
      location: fetched.path,
      records: envelope.records,
      raw: {
        label: fetched.label,
        contentType: header(fetched.headers, 'content-type') ?? 'application/json',
        body: fetched.body,
      },
      next,
      total: intHeader(fetched.headers, 'total') ?? envelope.totalCount ?? null,
      etag: header(fetched.headers, 'etag') ?? null,
    };
    if (next === null) return;
    page = next;
  }
}

/** Reads every page of a small list, such as the facets, into one array. */
export async function readWholeList(
  session: AssemblySession,
  request: ListRequest,
): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const list of walkList(session, request)) records.push(...list.records);
  return records;
}

function nextPage(
  headers: IncomingHttpHeaders,
  envelope: Envelope,
  page: number,
  perPage: number | null,
): number | null {
  // An empty page ends the list whatever it says next, so a bad link cannot walk on forever.
  if (envelope.records.length === 0) return null;

  const next = header(headers, 'next-page');
  if (next !== undefined) return /^\d+$/.test(next.trim()) ? Number(next) : null;
  if (envelope.nextPage !== undefined) return envelope.nextPage ?? null;

  const totalPages = intHeader(headers, 'total-pages') ?? envelope.totalPages;
  if (totalPages !== undefined && totalPages !== null) return page < totalPages ? page + 1 : null;
  return perPage !== null && envelope.records.length >= perPage ? page + 1 : null;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function intHeader(headers: IncomingHttpHeaders, name: string): number | undefined {
  const value = header(headers, name)?.trim();
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}
