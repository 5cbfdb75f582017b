import { afterEach, describe, expect, it } from 'vitest';
import { wondeConnector } from '../../../src/connectors/wonde/index.ts';
import type { WondeFake, WondeFaults } from '../../../src/fakes/wonde/index.ts';
import { collectPull, type PullOutcome } from '../support.ts';
import { configFor, fakeWith, schoolOf } from './helpers.ts';

const TOKEN = 'wnd-SECRET-7f3a9c1e5b2d4f6a8c0e';
const FORMS = [TOKEN, Buffer.from(`${TOKEN}:`).toString('base64'), encodeURIComponent(TOKEN)];

let fake: WondeFake;

afterEach(async () => {
  await fake.close();
});

// Everything a run keeps or shows: errors with their stack, problems, events, labels, places.
function serialised(outcome: PullOutcome): string {
  const error = outcome.error as (Error & { toJSON?: () => unknown }) | null;
  return JSON.stringify({
    error: error ? { json: error.toJSON?.(), message: error.message, stack: error.stack } : null,
    problems: outcome.problems,
    events: outcome.events,
    labels: outcome.rawLabels,
    checkpoints: outcome.checkpoints,
    summary: outcome.summary,
  });
}

const CASES: [string, WondeFaults, Record<string, unknown>][] = [
  ['a successful pull', {}, {}],
  ['a revoked token', { token: 'revoked' }, {}],
  ['a withheld permission', { missingScopes: ['extended_details'] }, {}],
  ['a withheld endpoint', { missingScopes: ['assessment'] }, {}],
  ['lasting 500s', { serverError: { endpoint: 'results' } }, {}],
  ['429s with retries', { rateLimit: { times: 2 } }, {}],
  ['a truncated body', { truncate: { endpoint: 'students' } }, {}],
  ['a pagination loop', { loop: { endpoint: 'results', page: 1 } }, {}],
  ['the wrong region', { wrongRegion: true }, {}],
  ['Basic auth and a revoked token', { token: 'revoked' }, { authScheme: 'basic' }],
];

describe('the Wonde token', () => {
  it.each(CASES)('never appears in what a run keeps after %s', async (_name, faults, overrides) => {
    fake = await fakeWith(schoolOf(60), { token: TOKEN, faults });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake, overrides),
      secrets: { token: TOKEN },
    });
    const text = serialised(outcome);
    for (const form of FORMS) expect(text).not.toContain(form);
    expect(fake.requests.length).toBeGreaterThan(0);
  });

  it('never appears in what check says', async () => {
    fake = await fakeWith(schoolOf(10), { token: TOKEN, faults: { token: 'revoked' } });
    const result = await wondeConnector.check({
      config: configFor(fake),
      secrets: { token: TOKEN },
      signal: new AbortController().signal,
    });
    expect(result.ok).toBe(false);
    for (const form of FORMS) expect(JSON.stringify(result)).not.toContain(form);
  });
});
