import { describe, expect, it } from 'vitest';
import { createBudget, describeBudget } from '../../../src/connectors/http/budget.ts';

function clock(start = 0) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number): void => {
      now += ms;
    },
  };
}

describe('request budget', () => {
  it('lets the allowance through at once, then books each next send a window later', () => {
    const time = clock();
    const budget = createBudget({ requests: 3, perMs: 200 }, time.now);

    const waits = [0, 1, 2, 3, 4].map(() => budget.reserve(10_000));

    expect(waits).toEqual([0, 0, 0, 200, 200]);
  });

  it('slides: a send leaves the window perMs after it went', () => {
    const time = clock();
    const budget = createBudget({ requests: 2, perMs: 100 }, time.now);
    budget.reserve(1000);
    time.advance(60);
    budget.reserve(1000);

    time.advance(50);

    expect(budget.reserve(1000)).toBe(0);
    expect(budget.reserve(1000)).toBe(50);
  });

  it('books nothing when the wait is longer than the caller can give', () => {
    const time = clock();
    const budget = createBudget({ requests: 1, perMs: 300_000 }, time.now);
    budget.reserve(0);

    expect(budget.reserve(120_000)).toBeUndefined();
    time.advance(300_000);
    expect(budget.reserve(0)).toBe(0);
  });

  it('describes the allowance in words', () => {
    expect(describeBudget({ requests: 600, perMs: 300_000 })).toBe('600 requests per 5 minutes');
    expect(describeBudget({ requests: 3, perMs: 200 })).toBe('3 requests per 200 ms');
  });
});
