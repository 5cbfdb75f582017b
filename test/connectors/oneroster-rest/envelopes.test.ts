import { describe, expect, it } from 'vitest';
import { readStatusInfo } from '../../../src/connectors/oneroster-rest/status-info.ts';
import { pullError, pullFrom, startFake } from './helpers.ts';

describe('OneRoster error envelopes', () => {
  for (const shape of ['bare', 'wrapped', 'set'] as const) {
    it(`reads a ${shape} imsx_StatusInfo into the message`, async () => {
      const fake = await startFake({
        errorEnvelope: shape,
        grantedScopes: ['roster.readonly', 'roster-demographics.readonly'],
      });

      const error = pullError(await pullFrom(fake));

      expect(error).toMatchObject({ category: 'auth', code: 'http_forbidden' });
      expect(error.message).toContain('The server said: "This request needs the scope');
      expect(error.message).toMatch(/gradebook\.readonly"\.$/);
    });
  }

  for (const shape of ['bare', 'wrapped', 'set'] as const) {
    it(`treats a ${shape} failure status inside a 200 answer as the failure it names`, async () => {
      const fake = await startFake({
        errorEnvelope: shape,
        faults: { failureInOk: { endpoint: 'categories', codeMinor: 'unknownobject' } },
      });

      const error = pullError(await pullFrom(fake));

      expect(error).toMatchObject({ category: 'config', code: 'http_not_found', attempts: 1 });
      expect(error.message).toContain('gradebook categories');
      expect(error.message).toContain('The server said: "The request failed; unknownobject".');
    });
  }

  it('reads the codes of a status body cut off part-way', () => {
    const cut =
      '{"imsx_codeMajor":"failure","imsx_severity":"error","imsx_description":"Bad","imsx_' +
      'CodeMinor":{"imsx_codeMinorField":[{"imsx_codeMinorFieldName":"TargetEndSystem","imsx_' +
      'codeMinorFieldValue":"invalid_filter_field"}]';

    expect(readStatusInfo(cut)).toEqual({
      codeMajor: 'failure',
      description: 'Bad',
      codeMinor: ['invalid_filter_field'],
    });
  });

  it('finds no status in an ordinary collection answer', () => {
    expect(readStatusInfo('{"users":[]}')).toBeNull();
  });
});
