/**
 * The ways the fake can misbehave, as real OneRoster providers do. A rule picks requests by
 * endpoint and page, and fires a number of times (every time by default); `setFaults` replaces
 * all rules and starts their counts again.
 */

export type FakeEndpoint =
  | 'token'
  | 'school'
  | 'schools'
  | 'students'
  | 'demographics'
  | 'academicSessions'
  | 'categories'
  | 'scoreScales'
  | 'lineItems'
  | 'results'
  | 'assessmentLineItems'
  | 'assessmentResults';

export interface FaultRule {
  /** The endpoint it applies to; every endpoint but the token one when left out. */
  endpoint?: FakeEndpoint;
  /** Only this page (1-based, worked out from `offset` and `limit`). */
  page?: number;
  /** Fires this many times, then stops. */
  times?: number;
}

export interface StatusFault extends FaultRule {
  /** 500, 503, 429, 401, 403... answered with the error envelope of the fake. */
  status: number;
  /** Sent as `Retry-After` when given. */
  retryAfter?: string;
  /** Quotes the request's Authorization header and body in the error, as careless servers do. */
  echo?: boolean;
}

export interface SlowFault extends FaultRule {
  /** Waits this long before the answer's headers. */
  delayMs: number;
}

export interface RemoveFault extends FaultRule {
  /** After serving the page, removes this many records from the start of the list. */
  count: number;
}

export interface OneRosterFaults {
  status?: StatusFault | StatusFault[];
  slow?: SlowFault;
  /** Sends the headers and a few bytes, then never finishes the body. */
  stall?: FaultRule;
  /** Sends part of the body and drops the connection. */
  truncate?: FaultRule;
  /** The `next` link points back at the page just served. */
  selfLink?: FaultRule;
  /** Serves the first page whatever the offset. */
  ignoreOffset?: FaultRule;
  /** Records deleted (hard) between pages, so later offsets shift. */
  removeAfterPage?: RemoveFault;
  /** Answers 200 with a failure status body instead of the list. */
  failureInOk?: FaultRule & { codeMinor: string };
  omitTotalCount?: boolean;
  omitLink?: boolean;
  /** Serves every record whatever `filter` says (some providers honour only a status filter). */
  ignoreFilter?: boolean;
  /** Refuses any `filter` with 400 `invalid_filter_field`. */
  rejectFilter?: boolean;
  /** Refuses any `fields` with 400 `invalid_selection_field`. */
  rejectFields?: boolean;
}

/** Where a request is, for matching rules. */
export interface RequestSpot {
  endpoint: FakeEndpoint;
  page: number;
}

/** Counts each rule's firings; a new set of faults gets a new counter. */
export class FaultCounter {
  private readonly fired = new Map<FaultRule, number>();

  /** True when the rule applies here and has firings left; counts the firing. */
  fire(rule: FaultRule | undefined, spot: RequestSpot): boolean {
    if (!rule || !applies(rule, spot)) return false;
    const count = this.fired.get(rule) ?? 0;
    if (rule.times !== undefined && count >= rule.times) return false;
    this.fired.set(rule, count + 1);
    return true;
  }
}

function applies(rule: FaultRule, spot: RequestSpot): boolean {
  const endpoint = rule.endpoint ? rule.endpoint === spot.endpoint : spot.endpoint !== 'token';
  return endpoint && (rule.page === undefined || rule.page === spot.page);
}

export function statusRules(faults: OneRosterFaults): StatusFault[] {
  if (!faults.status) return [];
  return Array.isArray(faults.status) ? faults.status : [faults.status];
}
