import { describe, expect, it } from 'vitest';
import { LA_CODES } from '../../src/domain/la-codes.ts';

describe('LA_CODES', () => {
  it.each([
    ['201', 'City of London'],
    ['213', 'Westminster'],
    ['320', 'Waltham Forest'],
    ['420', 'Isles of Scilly'],
    ['681', 'Cardiff'],
    ['839', 'Bournemouth, Christchurch and Poole'],
    ['886', 'Kent'],
    ['943', 'Westmorland and Furness'],
  ])('holds %s (%s)', (code) => {
    expect(LA_CODES.has(code)).toBe(true);
  });

  it.each([
    ['820', 'Bedfordshire, abolished in 2009'],
    ['875', 'Cheshire, abolished in 2009'],
    ['835', 'Dorset before the 2019 reorganisation'],
    ['909', 'Cumbria, abolished in 2023'],
    ['928', 'Northamptonshire, abolished in 2021'],
  ])('keeps the historic number %s (%s)', (code) => {
    expect(LA_CODES.has(code)).toBe(true);
  });

  it.each([
    ['000', "DfE's placeholder for 'does not apply'"],
    ['999', "DfE's test authority"],
    ['900', 'never allocated'],
    ['214', 'past the last inner London borough'],
  ])('leaves out %s (%s)', (code) => {
    expect(LA_CODES.has(code)).toBe(false);
  });

  it('holds only three-digit numbers', () => {
    expect([...LA_CODES].every((code) => /^\d{3}$/.test(code))).toBe(true);
  });
});
