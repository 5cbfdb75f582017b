/**
 * How the fake can be told to misbehave, the ways research 6 and 7 say such servers do. A
 * target picks the requests: by path, by page, and from the n-th matching one for k of them.
 */
export interface FaultTarget {
  /** The request path, exactly; or a prefix when it ends in `*`. Any path when left out. */
  path?: string;
  /** The `page` asked for (1 when the request names none). */
  page?: number;
  /** The first matching request the fault hits, counting from 1. */
  from?: number;
  /** How many matching requests it hits; all of them when left out. */
  times?: number;
}

export interface AssemblyFaults {
  serverError?: FaultTarget & { status?: number };
  /** A 429 of our choosing, besides the documented limit the fake always enforces. */
  tooManyRequests?: FaultTarget & { retryAfter?: string };
  /** Waits this long before answering. */
  slow?: FaultTarget & { delayMs: number };
  /** Never answers. */
  hang?: FaultTarget;
  /** Promises the whole body, sends half of it and drops the connection. */
  truncate?: FaultTarget;
  /** Next-Page points back at the page just served. */
  loop?: FaultTarget;
  /** After serving this page of /students, that many pupils already served leave the school. */
  leaveBetweenPages?: { afterPage: number; count: number };
  /** Every token in use expires after this many API requests (counted from setFaults). */
  expireAfterRequests?: number;
  /** The school has removed the app: access and refresh tokens are refused. */
  revoked?: boolean;
  /** Scopes the school has not granted. */
  missingScopes?: string[];
}

export type FaultName = 'serverError' | 'tooManyRequests' | 'slow' | 'hang' | 'truncate' | 'loop';

/** Counts matching requests per fault, so that `from` and `times` can be honoured. */
export function createFaultCounter() {
  const seen = new Map<FaultName, number>();
  return {
    hits(name: FaultName, target: FaultTarget | undefined, path: string, page: number): boolean {
      if (!target || !matches(target, path, page)) return false;
      const count = (seen.get(name) ?? 0) + 1;
      seen.set(name, count);
      const from = target.from ?? 1;
      return count >= from && count < from + (target.times ?? Number.POSITIVE_INFINITY);
    },
    reset: () => seen.clear(),
  };
}

function matches(target: FaultTarget, path: string, page: number): boolean {
  if (target.page !== undefined && target.page !== page) return false;
  if (target.path === undefined) return true;
  if (target.path.endsWith('*')) return path.startsWith(target.path.slice(0, -1));
  return path === target.path;
}
