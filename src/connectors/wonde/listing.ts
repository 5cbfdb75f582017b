import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryValue } from '../http/index.ts';
import type { WondeAnswer, WondeClient } from './client.ts';
import { listSchema, paginationOf } from './schemas.ts';

/** One page of a Wonde list, and the reference of the page after it. */
export interface ListedPage {
  records: unknown[];
  answer: WondeAnswer;
  /** Path and query of the next page, or null at the end of the list. */
  next: string | null;
}

export interface ListStart {
  /** A path under the school (`students`), or a stored `next` reference to carry on from. */
  ref: string;
  query?: Record<string, QueryValue>;
}

export interface ListOptions {
  signal: AbortSignal;
  pageDelayMs: number;
}

/**
 * Reads a list page by page by following `meta.pagination.next`, which keeps every original
 * parameter and works for offset and cursor paging alike (research 1.5). A page with no
 * pagination object is the last one: Wonde leaves it out for 50 records or fewer.
 */
export async function* listPages(
  client: WondeClient,
  start: ListStart,
  options: ListOptions,
): AsyncGenerator<ListedPage> {
  const visited = new Set<string>();
  let ref = start.ref;
  let query = start.query;

  for (let page = 1; ; page += 1) {
    if (options.signal.aborted) {
      throw client.error({ code: 'aborted', url: client.resolve(ref).toString() });
    }
    const answer = await client.get(ref, query, options.signal);
    visited.add(pageKey(client.resolve(answer.ref)));

    const list = readList(client, answer);
    const next = nextRef(client, list, answer, visited, page);
    yield { records: list.data, answer, next };

    if (next === null) return;
    ref = next;
    query = undefined;
    // A cancelled pause is not an error: the check at the top of the loop says why it stopped.
    if (options.pageDelayMs > 0) {
      await sleep(options.pageDelayMs, undefined, { signal: options.signal }).catch(() => {});
    }
  }
}

function readList(client: WondeClient, answer: WondeAnswer) {
  const parsed = listSchema.safeParse(answer.json);
  if (parsed.success) return parsed.data;
  throw client.error({
    code: 'schema_mismatch',
    url: client.resolve(answer.ref).toString(),
    detail: `${answer.label} has no "data" list`,
  });
}

function nextRef(
  client: WondeClient,
  list: ReturnType<typeof readList>,
  answer: WondeAnswer,
  visited: Set<string>,
  page: number,
): string | null {
  const pagination = paginationOf(list);
  // `more: false` ends the list even if a link is left behind; a null link ends it too.
  if (!pagination?.next || pagination.more === false) return null;

  // Wonde numbers its pages; a resumed list counts from where it resumed.
  page = Number(pagination.current_page) || page;
  const url = client.resolve(pagination.next);
  const here = client.resolve(answer.ref).toString();
  // The link is followed with the token, so it must stay on the host the school is on.
  if (url.origin !== client.resolve('/').origin) {
    throw client.error({
      code: 'schema_mismatch',
      url: here,
      detail: `page ${page} of ${listName(answer)} links to another host (${url.host})`,
    });
  }
  if (visited.has(pageKey(url))) {
    throw client.error({
      code: 'pagination_loop',
      url: here,
      detail: `page ${page} of ${listName(answer)} links back to a page already read`,
    });
  }
  // An empty page that still points on would be followed for ever.
  if (list.data.length === 0) {
    throw client.error({
      code: 'pagination_loop',
      url: here,
      detail: `page ${page} of ${listName(answer)} is empty but links to another`,
    });
  }
  return `${url.pathname}${url.search}`;
}

// The same page asked for with its parameters in another order is still the same page.
function pageKey(url: URL): string {
  const params = [...url.searchParams].sort(
    ([a, x], [b, y]) => a.localeCompare(b) || x.localeCompare(y),
  );
  return `${url.origin}${url.pathname}?${new URLSearchParams(params).toString()}`;
}

function listName(answer: WondeAnswer): string {
  const path = answer.label.replace(/^GET /, '').split('?')[0] ?? '';
  return path.split('/').slice(-1)[0] || 'the list';
}
