import { describe, expect, it } from 'vitest';
import { arborConnector } from '../../../src/connectors/arbor/index.ts';
import type { ArborFaults } from '../../../src/fakes/arbor/index.ts';
import { FAKE_USERNAME } from '../../../src/fakes/arbor/index.ts';
import { configFor, fakeArbor, pull, SECRETS } from './helpers.ts';

const CREDENTIAL = Buffer.from(`${FAKE_USERNAME}:${SECRETS.password}`).toString('base64');

const FAULTS: Record<string, ArborFaults> = {
  none: {},
  rotated: { credentials: 'rotated' },
  revoked: { credentials: 'revoked' },
  forbidden: { forbidden: ['uk-dfe_pupil-premium-recipients'] },
  'server error': { serverError: {} },
  'rate limited': { rateLimit: {} },
  truncated: { truncate: {} },
  loop: { ignorePageNumber: { resource: 'student-progress-assessment-marks' } },
};

function serialise(value: unknown): string {
  return JSON.stringify(value, (_key, inner) =>
    inner instanceof Error ? { ...inner, message: inner.message, stack: inner.stack } : inner,
  );
}

describe('Arbor secrets', () => {
  for (const [name, faults] of Object.entries(FAULTS)) {
    it(`never appear in what a pull leaves behind (${name})`, async () => {
      const fake = await fakeArbor({ faults });

      const outcome = await pull(configFor(fake));
      const checked = await arborConnector.check({
        config: configFor(fake),
        secrets: SECRETS,
        signal: new AbortController().signal,
      });

      const left = serialise({
        error: outcome.error,
        message: (outcome.error as Error | null)?.message,
        problems: outcome.problems,
        events: outcome.events,
        labels: outcome.rawLabels,
        checkpoints: outcome.checkpoints,
        summary: outcome.summary,
        checked,
      });
      expect(left).not.toContain(SECRETS.password);
      expect(left).not.toContain(CREDENTIAL);
    });
  }

  it('never appear in a message about a password Arbor refused', async () => {
    const fake = await fakeArbor();
    const wrong = { password: 'Tr0ub4dor&3-not-it' };

    const checked = await arborConnector.check({
      config: configFor(fake),
      secrets: wrong,
      signal: new AbortController().signal,
    });

    expect(serialise(checked)).not.toContain(wrong.password);
  });
});
