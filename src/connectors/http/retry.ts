import type { IncomingHttpHeaders } from 'node:http';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** What the retry loop needs to know about one failed attempt. */
export interface RetryFacts {
  retryable: boolean;
  /** The request cannot have reached the server, so even a POST may be sent again. */
  unsent?: boolean;
  /** The wait the server asked for, from Retry-After or a rate-limit reset header. */
  serverWaitMs?: number;
}

export const DEFAULT_RESET_HEADERS = ['retry-after', 'x-ratelimit-reset', 'ratelimit-reset'];

// Below this a bare number is a count of seconds; above it, a Unix time. 1e9 seconds is
// September 2001, and no server asks for a wait of 31 years.
const EPOCH_SECONDS_FLOOR = 1e9;
const EPOCH_MILLISECONDS_FLOOR = 1e12;

/** Full jitter: a random wait between zero and the exponential ceiling for this attempt. */
export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait before the next attempt, or undefined to give up: the failure is final, the
 * attempts are used up, or the wait is longer than maxDelayMs or would run past the deadline.
 */
export function nextDelayMs(input: {
  facts: RetryFacts;
  policy: RetryPolicy;
  attempt: number;
  idempotent: boolean;
  remainingMs: number;
}): number | undefined {
  const { facts, policy, attempt } = input;
  if (!facts.retryable) return undefined;
  if (!input.idempotent && !facts.unsent) return undefined;
  if (attempt >= policy.attempts) return undefined;

  // A server wait longer than maxDelayMs ends the request rather than being cut short: a retry
  // before the time the server gave would only be refused again, and adds to its load.
  const serverWait = facts.serverWaitMs ?? 0;
  if (serverWait > policy.maxDelayMs) return undefined;

  const delay = Math.max(serverWait, backoffMs(policy, attempt));
  return delay < input.remainingMs ? delay : undefined;
}

/** The first reset header that parses, as milliseconds to wait from now. */
export function serverWaitMs(
  headers: IncomingHttpHeaders,
  names: readonly string[],
  now = Date.now(),
): number | undefined {
  // Measure dates against the server's own clock when it sent one, so that clock skew
  // between us and the school's system does not shorten or stretch the wait.
  const serverNow = parseHttpDate(first(headers.date)) ?? now;
  for (const name of names) {
    const wait = parseResetValue(first(headers[name.toLowerCase()]), serverNow);
    if (wait !== undefined) return wait;
  }
  return undefined;
}

/** A reset value as a wait: seconds to wait, an HTTP date, or Unix time in s or ms. */
export function parseResetValue(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text)) return untilMs(parseHttpDate(text), now);

  const number = Number(text);
  if (number >= EPOCH_MILLISECONDS_FLOOR) return untilMs(number, now);
  if (number >= EPOCH_SECONDS_FLOOR) return untilMs(number * 1000, now);
  return Math.ceil(number * 1000);
}

function parseHttpDate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

function untilMs(time: number | undefined, now: number): number | undefined {
  if (time === undefined) return undefined;
  return Math.max(0, time - now);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
