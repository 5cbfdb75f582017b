import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  DEFAULT_RESET_HEADERS,
  nextDelayMs,
  parseResetValue,
  serverWaitMs,
} from '../../../src/connectors/http/retry.ts';

const NOW = Date.parse('2025-03-28T09:00:00Z');
const policy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

describe('reset header values', () => {
  it('reads a small number as seconds to wait', () => {
    expect(parseResetValue('30', NOW)).toBe(30_000);
    expect(parseResetValue('0.5', NOW)).toBe(500);
  });

  it('reads an HTTP date as the time to wait until', () => {
    expect(parseResetValue('Fri, 28 Mar 2025 09:00:45 GMT', NOW)).toBe(45_000);
  });

  it('reads a large number as Unix time in seconds, or in milliseconds', () => {
    expect(parseResetValue(String(NOW / 1000 + 60), NOW)).toBe(60_000);
    expect(parseResetValue(String(NOW + 2500), NOW)).toBe(2500);
  });

  it('treats a reset time already past as no wait, and nonsense as no value', () => {
    expect(parseResetValue(String(NOW / 1000 - 60), NOW)).toBe(0);
    expect(parseResetValue('soon', NOW)).toBeUndefined();
    expect(parseResetValue('', NOW)).toBeUndefined();
  });

  it('measures a reset time against the server clock when the answer has a Date', () => {
    const headers = { date: 'Fri, 28 Mar 2025 08:59:00 GMT', 'x-ratelimit-reset': '1743152370' };

    // The reset is 08:59:30 by the server's clock; ours runs a minute ahead.
    expect(serverWaitMs(headers, DEFAULT_RESET_HEADERS, NOW)).toBe(30_000);
  });

  it('takes the first listed header that parses', () => {
    const headers = { 'retry-after': 'later', 'ratelimit-reset': '7' };

    expect(serverWaitMs(headers, DEFAULT_RESET_HEADERS, NOW)).toBe(7000);
  });
});

describe('retry delays', () => {
  it('draws full jitter below an exponential ceiling capped by maxDelayMs', () => {
    expect(backoffMs(policy, 1, () => 0.999)).toBe(499);
    expect(backoffMs(policy, 4, () => 0.5)).toBe(2000);
    expect(backoffMs(policy, 12, () => 0.999)).toBe(29_970);
    expect(backoffMs(policy, 3, () => 0)).toBe(0);
  });

  it('waits at least what the server asked for', () => {
    const facts = { retryable: true, serverWaitMs: 4000 };

    const delay = nextDelayMs({ facts, policy, attempt: 1, idempotent: true, remainingMs: 60_000 });

    expect(delay).toBe(4000);
  });

  it('gives up on a final failure, on the last attempt and before the deadline', () => {
    const input = { policy, idempotent: true, remainingMs: 60_000 };

    expect(nextDelayMs({ ...input, facts: { retryable: false }, attempt: 1 })).toBeUndefined();
    expect(nextDelayMs({ ...input, facts: { retryable: true }, attempt: 5 })).toBeUndefined();
    const late = { retryable: true, serverWaitMs: 10_000 };
    expect(nextDelayMs({ ...input, facts: late, attempt: 1, remainingMs: 9000 })).toBeUndefined();
  });

  it('resends a request that is not idempotent only when it was never sent', () => {
    const input = { policy, attempt: 1, idempotent: false, remainingMs: 60_000 };

    expect(nextDelayMs({ ...input, facts: { retryable: true } })).toBeUndefined();
    expect(nextDelayMs({ ...input, facts: { retryable: true, unsent: true } })).toBeDefined();
  });
});
