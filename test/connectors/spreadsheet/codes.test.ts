import { describe, expect, it } from 'vitest';
import { readFlag, readSenStatus, readSex } from '../../../src/connectors/spreadsheet/codes.ts';

describe('translating codes', () => {
  it('reads sex as M or F from the ways schools write it', () => {
    expect(['M', 'male', 'Boy', 'f', 'FEMALE', 'girl'].map(readSex)).toEqual([
      'M',
      'M',
      'M',
      'F',
      'F',
      'F',
    ]);
  });

  it('gives undefined for a sex it does not know and null for a blank', () => {
    expect([readSex('X'), readSex('')]).toEqual([undefined, null]);
  });

  it('reads SEN status from codes, phrases and codes with their meaning', () => {
    const written = ['N', 'None', 'SEN Support', 'K', 'EHCP', 'EHC plan', 'Statement'];
    expect(written.map(readSenStatus)).toEqual(['N', 'N', 'K', 'K', 'E', 'E', 'E']);
    expect(readSenStatus('E - Education, health and care plan')).toBe('E');
  });

  it('reads the pre-2014 School Action codes as SEN support', () => {
    expect([readSenStatus('A'), readSenStatus('P')]).toEqual(['K', 'K']);
  });

  it('reads flags from Y/N, Yes/No, TRUE/FALSE, 1/0 and booleans', () => {
    const written = ['Y', 'no', 'TRUE', 'false', '1', '0', true, false, 1, 0];
    expect(written.map(readFlag)).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
  });
});
