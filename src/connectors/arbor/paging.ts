import type { ArborClient, Query, Row } from './client.ts';
import type { ArborConfig } from './config.ts';
import type { RawLog } from './raw.ts';
import { idOf, isRow, listRows } from './records.ts';

/**
 * Arbor's REST paging: `page-size` and a page number, with no total and no next link
 * (research 2, "Filters"). A page shorter than asked for is the last one; a page longer than
 * asked for means the server ignored the page size and sent everything. A page that repeats the
 * one before means the server ignored the page number, and would do so for ever.
 */

export interface RunIo {
  arbor: ArborClient;
  config: ArborConfig;
  raw: RawLog;
  signal: AbortSignal;
}

export interface PageOfRows {
  rows: Row[];
  page: number;
  last: boolean;
}

export function firstPage(config: ArborConfig): number {
  return config.paging.firstPageNumber;
}

/** The pages of a listing from `fromPage` on; the answers go to the run's raw log. */
export function listingPages(
  io: RunIo,
  path: string,
  filters: Query,
  fromPage: number,
): AsyncGenerator<PageOfRows> {
  const query = { ...filters, 'order-property': io.config.paging.orderProperty };
  return pages(io, path, query, fromPage);
}

/** The changes to a resource since a revision, page by page (research 2, "Incremental"). */
export async function* changelogPages(
  io: RunIo,
  path: string,
  fromRevision: number,
  fromPage: number,
): AsyncGenerator<PageOfRows> {
  const changelog = `${path}/changelog`;
  const query = { 'from-revision': fromRevision };
  if (io.config.paging.pageChangelogs) return yield* pages(io, changelog, query, fromPage);

  stopIfCancelled(io, changelog);
  yield { rows: await fetchRows(io, changelog, query), page: fromPage, last: true };
}

async function* pages(
  io: RunIo,
  path: string,
  base: Query,
  fromPage: number,
): AsyncGenerator<PageOfRows> {
  const { paging, pageSize } = io.config;
  let previous: Row[] | null = null;
  for (let page = fromPage; ; page += 1) {
    stopIfCancelled(io, path);
    const query: Query = { ...base, 'page-size': pageSize, [paging.pageNumberParam]: page };
    const rows = await fetchRows(io, path, query);
    if (previous && repeats(previous, rows)) throw loop(io, path, page);
    const last = rows.length !== pageSize;
    yield { rows, page, last };
    if (last) return;
    previous = rows;
  }
}

/** Every record a filtered listing holds: for joins, which a page of pupils bounds. */
export async function listAll(io: RunIo, path: string, filters: Query): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const page of listingPages(io, path, filters, firstPage(io.config))) {
    rows.push(...page.rows);
  }
  return rows;
}

export function stopIfCancelled(io: RunIo, path: string): void {
  if (io.signal.aborted) throw io.arbor.error({ code: 'aborted', path });
}

async function fetchRows(io: RunIo, path: string, query: Query): Promise<Row[]> {
  const fetched = await io.arbor.get(path, query);
  if (!fetched) return [];
  io.raw.add(fetched.part);
  const rows = listRows(fetched.body);
  if (rows === null) {
    throw io.arbor.error({ code: 'schema_mismatch', path, detail: 'the answer holds no list' });
  }
  return rows;
}

function repeats(previous: readonly Row[], rows: readonly Row[]): boolean {
  if (rows.length === 0 || rows.length !== previous.length) return false;
  return (
    signature(previous[0]!) === signature(rows[0]!) &&
    signature(previous.at(-1)!) === signature(rows.at(-1)!)
  );
}

function signature(row: Row): string {
  const subject = isRow(row.changedObject) ? row.changedObject : row;
  return `${String(subject.href ?? idOf(subject))}@${String(row.toRevision ?? '')}`;
}

function loop(io: RunIo, path: string, page: number) {
  return io.arbor.error({
    code: 'pagination_loop',
    path,
    detail: `page ${page} repeats page ${page - 1}`,
  });
}
