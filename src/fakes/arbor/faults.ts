/**
 * What the fake Arbor can be told to get wrong, at start or at runtime. Each fault is the fake's
 * version of something a real school's Arbor can do to a sync (research 2, 6 and 7).
 */

/** Which requests a fault hits: a resource (its path segment) and a page number, or any. */
export interface Target {
  resource?: string;
  /** The page as Arbor numbers it in `page-number`. */
  page?: number;
  /** How many requests it hits before it heals; unset means every one. */
  times?: number;
}

export interface ArborFaults {
  /**
   * 'rotated': the app's password was regenerated in the Arbor Developers Portal, so the old one
   * gets 401 (Basic credentials do not expire; this is how they stop working). 'revoked': the
   * school switched the app off, so every resource answers 403.
   */
  credentials?: 'rotated' | 'revoked';
  /** Resources the app has no permission for: 403 with Arbor's error body. */
  forbidden?: readonly string[];
  /** Resources the app can list but not read: bare refs, as a third-party client reports. */
  stripped?: readonly string[];
  rateLimit?: Target & { retryAfterSeconds?: number };
  serverError?: Target & { status?: number };
  /** Waits this long before answering. */
  slowMs?: number;
  /** Never answers the targeted requests. */
  hang?: Target;
  /** Sends half the body and drops the connection. */
  truncate?: Target;
  /** Ignores the page number and serves the first page again: a paging loop. */
  ignorePageNumber?: Target;
  /** After serving this page of a listing, deletes records from its start. */
  deleteBetweenPages?: { resource: string; afterPage: number; count: number };
  /** No Arbor school answers at this host: every path is an HTML 404 page. */
  wrongSchool?: boolean;
}

/** Whether a targeted fault hits this request, counting it down when it does. */
export function hits(target: Target | undefined, resource: string, page: number | null): boolean {
  if (!target) return false;
  if (target.resource !== undefined && target.resource !== resource) return false;
  if (target.page !== undefined && target.page !== page) return false;
  if (target.times === undefined) return true;
  if (target.times <= 0) return false;
  target.times -= 1;
  return true;
}
