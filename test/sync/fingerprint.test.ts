import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/sync/fingerprint.ts';

/**
 * Staged rows keep their fingerprints between runs: a result is unchanged when today's pull gives
 * the fingerprint stored last term. These are fingerprints stored by earlier versions; a change
 * to how records are written out would make every kept result look changed.
 */
describe('fingerprints', () => {
  it('are those stored before, for a result and for a pupil record', () => {
    const result = {
      pupil: 'A1',
      aspect: 'rd',
      value: 'Y4 Secure',
      assessedOn: '2026-11-27',
      periodLabel: null,
      collection: null,
    };
    expect(fingerprint(result)).toBe('X4vGcWMEO2olWNleUR4sIz5c1SCDlSMxFcyN_OrAFeg');
    const pupil = {
      externalId: 'S1',
      firstName: 'Zoë',
      lastName: "O'Neil",
      dateOfBirth: '2018-01-02',
      upn: undefined,
      flags: [1, null, 'x', { b: 1, a: [undefined] }],
    };
    expect(fingerprint(pupil)).toBe('ou_H7O73GwVJA_cOXg7NDnT6lTP9wfRv8maoeAdjlks');
  });

  it('do not depend on the order of keys, and leave out what is undefined', () => {
    expect(fingerprint({ b: 2, a: 1, c: undefined })).toBe(fingerprint({ a: 1, b: 2 }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: '1' }));
  });
});
