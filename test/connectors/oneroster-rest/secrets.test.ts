import { describe, expect, it } from 'vitest';
import type { OneRosterRestFake } from '../../../src/fakes/oneroster-rest/index.ts';
import type { PullOutcome } from '../support.ts';
import { configFor, connector, pullFrom, secretsFor, startFake } from './helpers.ts';

/** Everything a run keeps or shows: messages, problems, events, labels, checkpoints, cursor. */
function serialise(outcome: PullOutcome): string {
  const error = outcome.error as { toJSON?: () => unknown; message?: string; stack?: string };
  return JSON.stringify({
    error: error?.toJSON?.() ?? null,
    message: error?.message ?? null,
    stack: error?.stack ?? null,
    problems: outcome.problems,
    events: outcome.events,
    rawLabels: outcome.rawLabels,
    checkpoints: outcome.checkpoints,
    summary: outcome.summary,
  });
}

function secretsOf(fake: OneRosterRestFake): string[] {
  const basic = Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64');
  return [fake.clientSecret, encodeURIComponent(fake.clientSecret), basic, ...fake.issuedTokens];
}

function expectNoSecret(text: string, fake: OneRosterRestFake): void {
  for (const secret of secretsOf(fake)) expect(text).not.toContain(secret);
}

describe('OneRoster secrets', () => {
  it('appear nowhere in what a successful pull keeps', async () => {
    const fake = await startFake();

    const outcome = await pullFrom(fake);

    expect(outcome.error).toBeNull();
    expect(fake.issuedTokens.length).toBeGreaterThan(0);
    expectNoSecret(serialise(outcome), fake);
  });

  it('appear nowhere when a server error quotes the token back', async () => {
    const fake = await startFake({
      faults: { status: { endpoint: 'results', status: 500, echo: true } },
    });

    const outcome = await pullFrom(fake);

    expect(outcome.error).toMatchObject({ code: 'server_error' });
    expect(serialise(outcome)).toContain('Fault 500');
    expectNoSecret(serialise(outcome), fake);
  });

  it('appear nowhere when the token endpoint quotes the client secret back', async () => {
    const fake = await startFake({
      faults: { status: { endpoint: 'token', status: 503, echo: true } },
    });

    const outcome = await pullFrom(fake, { config: { clientAuth: 'body' } });

    expect(outcome.error).toMatchObject({ code: 'server_error' });
    expectNoSecret(serialise(outcome), fake);
  });

  it('appear nowhere when the client secret is refused', async () => {
    const fake = await startFake();

    const outcome = await pullFrom(fake, { secrets: { clientSecret: 'wrong-secret-value-123' } });

    expect(outcome.error).toMatchObject({ category: 'auth' });
    const text = serialise(outcome);
    expect(text).not.toContain('wrong-secret-value-123');
    expectNoSecret(text, fake);
  });

  it('appear nowhere in what a failed check says', async () => {
    const fake = await startFake({
      faults: { status: { endpoint: 'school', status: 500, echo: true } },
    });

    const result = await connector.check({
      config: configFor(fake),
      secrets: secretsFor(fake),
      signal: new AbortController().signal,
    });

    expect(result.ok).toBe(false);
    expectNoSecret(JSON.stringify(result), fake);
  });
});
