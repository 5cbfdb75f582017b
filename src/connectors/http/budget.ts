export interface BudgetOptions {
  /** Requests allowed in any window of `perMs`; Assembly allows 600 per 300_000 ms. */
  requests: number;
  perMs: number;
}

/** A sliding-window allowance of requests, shared by every request of one client. */
export interface Budget {
  /**
   * Books the next free send time and returns the wait until it, or undefined (booking
   * nothing) if that is further off than maxWaitMs.
   */
  reserve(maxWaitMs: number): number | undefined;
}

export function createBudget(options: BudgetOptions, clock = Date.now): Budget {
  assertBudget(options);
  // Send times in booking order, which is also time order; some are still in the future. A
  // booking is never given back, even if its request is then cancelled: returning it could
  // leave a later booking too close to others, and a wasted slot is only a short delay.
  const sends: number[] = [];

  const forget = (now: number): void => {
    while (sends.length > 0 && sends[0]! <= now - options.perMs) sends.shift();
  };

  return {
    reserve(maxWaitMs) {
      const now = clock();
      forget(now);
      const blocker = sends[sends.length - options.requests];
      const at = blocker === undefined ? now : Math.max(now, blocker + options.perMs);
      if (at - now > maxWaitMs) return undefined;

      sends.push(at);
      return at - now;
    },
  };
}

function assertBudget(options: BudgetOptions): void {
  const valid = Number.isInteger(options.requests) && options.requests > 0 && options.perMs > 0;
  if (!valid) throw new RangeError('budget needs a positive whole number of requests per period');
}

/** The allowance as a school data lead reads it: "600 requests per 5 minutes". */
export function describeBudget(options: BudgetOptions): string {
  return `${options.requests} requests per ${describePeriod(options.perMs)}`;
}

function describePeriod(ms: number): string {
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`;
  if (ms % 1000 === 0) return ms === 1000 ? 'second' : `${ms / 1000} seconds`;
  return `${ms} ms`;
}
