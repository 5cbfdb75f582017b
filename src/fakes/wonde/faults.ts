/**
 * How the fake misbehaves, in the ways the research says the real Wonde does or may (research
 * 1.10, 6, 7). Every fault can be given at start and changed while the fake runs.
 */

export type Endpoint =
  | 'schools'
  | 'school'
  | 'students'
  | 'leavers'
  | 'deletions'
  | 'counts'
  | 'aspects'
  | 'resultsets'
  | 'templates'
  | 'results';

/** Where a fault applies: an endpoint, a page of it (1-based), or everywhere. */
export interface Where {
  endpoint?: Endpoint;
  page?: number;
}

/**
 * Wonde scopes a school may withhold. A whole endpoint the school did not share answers 403;
 * a property it did not share comes back as `null` (research 1.3, 6.5).
 */
export type WondeScope =
  | 'students'
  | 'assessment'
  | 'deletions'
  | 'education_details'
  | 'extended_details'
  | 'year'
  | 'date_of_birth'
  | 'gender';

export interface WondeFaults {
  /** Every request answers 401: the token expired (another app's) or the trust's was revoked. */
  token?: 'expired' | 'revoked' | null;
  missingScopes?: WondeScope[];
  /** Behaves as another region's host would: 200 with `{"data": []}` (research 1.2). */
  wrongRegion?: boolean;
  /** 429s, with Retry-After when `retryAfterSeconds` is given. */
  rateLimit?: (Where & { times: number; retryAfterSeconds?: number }) | null;
  /** 500s (or `status`): always when `times` is absent, else the first `times` matching. */
  serverError?: (Where & { times?: number; status?: number }) | null;
  /** Waits before answering. */
  slow?: (Where & { delayMs: number }) | null;
  /** Never answers. */
  hang?: Where | null;
  /** Sends half the body under the full Content-Length, then drops the connection. */
  truncate?: (Where & { times?: number }) | null;
  /** The `next` link of this page points back at the page itself. */
  loop?: (Where & { endpoint: Endpoint; page: number }) | null;
  /**
   * After serving this page of students, removes `count` pupils from pages already served, as
   * a school deleting records mid-sync would: with offset paging the rest move up a page.
   */
  deleteBetweenPages?: { afterPage: number; count: number } | null;
}

/** A fault whose `times` runs down as it fires. */
export interface Countdown {
  remaining: number;
}

export function matches(
  where: Where | null | undefined,
  endpoint: Endpoint,
  page: number,
): boolean {
  if (!where) return false;
  if (where.endpoint !== undefined && where.endpoint !== endpoint) return false;
  if (where.page !== undefined && where.page !== page) return false;
  return true;
}
