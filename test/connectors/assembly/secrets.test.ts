import { describe, expect, it } from 'vitest';
import {
  type AssemblyConfig,
  type AssemblySecrets,
  assemblyConnector,
} from '../../../src/connectors/assembly/index.ts';
import type { AssemblyFake, AssemblyFaults } from '../../../src/fakes/assembly/index.ts';
import { collectPull, type PullOutcome } from '../support.ts';
import { configFor, fakeAssembly, secretsFor } from './helpers.ts';

/** Everything a run leaves for people to read: errors, problems, events, labels, checks. */
function readable(outcome: PullOutcome): string {
  const error = outcome.error as (Error & { toJSON?: () => unknown }) | null;
  return JSON.stringify({
    error: error?.toJSON?.() ?? null,
    message: error?.message ?? null,
    stack: error?.stack ?? null,
    problems: outcome.problems,
    events: outcome.events,
    labels: outcome.rawLabels,
    checkpoints: outcome.checkpoints,
    summary: outcome.summary,
  });
}

function secretValues(fake: AssemblyFake, secrets: AssemblySecrets): string[] {
  const basic = Buffer.from(`${fake.clientId}:${secrets.clientSecret}`).toString('base64');
  return [
    secrets.clientSecret,
    secrets.refreshToken,
    secrets.accessToken!,
    basic,
    ...fake.issuedTokens(),
  ];
}

async function pullWith(fake: AssemblyFake, faults: AssemblyFaults, config?: AssemblyConfig) {
  fake.setFaults(faults);
  const secrets = secretsFor(fake);
  const outcome = await collectPull(assemblyConnector, {
    config: config ?? configFor(fake),
    secrets,
  });
  return { outcome, secrets };
}

describe('Assembly secrets', () => {
  it('never shows a secret in an error, problem, event, label or check result', async () => {
    const fake = await fakeAssembly();
    const texts: string[] = [];

    const runs: AssemblyFaults[] = [
      { expireAfterRequests: 3 },
      { revoked: true },
      { serverError: { path: '/results' } },
      { tooManyRequests: { path: '/students' } },
      { missingScopes: ['results'] },
      { truncate: { path: '/facets' } },
      { loop: { path: '/students' } },
    ];
    for (const faults of runs) {
      const { outcome } = await pullWith(fake, faults);
      texts.push(readable(outcome));
    }
    const { outcome: badVersion } = await pullWith(
      fake,
      {},
      configFor(fake, { apiVersion: '7.0' }),
    );
    texts.push(readable(badVersion));

    fake.setFaults({});
    const signal = new AbortController().signal;
    const good = secretsFor(fake);
    const wrongClient = { ...good, clientSecret: 'cs_wrong_9f8e7d6c5b4a39281706' };
    for (const secrets of [
      good,
      wrongClient,
      { ...good, accessToken: 'at_unknown_0a1b2c3d4e5f' },
    ]) {
      texts.push(
        JSON.stringify(await assemblyConnector.check({ config: configFor(fake), secrets, signal })),
      );
    }

    const values = [
      ...secretValues(fake, good),
      wrongClient.clientSecret,
      'at_unknown_0a1b2c3d4e5f',
    ];
    expect(fake.issuedTokens().length).toBeGreaterThan(1);
    for (const text of texts) {
      for (const value of values) expect(text).not.toContain(value);
    }
  });
});
