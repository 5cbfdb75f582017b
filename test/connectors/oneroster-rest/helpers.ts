import { onTestFinished } from 'vitest';
import type { ConnectorError } from '../../../src/connectors/http/index.ts';
import { isConnectorError } from '../../../src/connectors/http/index.ts';
import {
  type OneRosterConfig,
  type OneRosterSecrets,
  oneRosterRestConnector,
} from '../../../src/connectors/oneroster-rest/index.ts';
import {
  type OneRosterRestFake,
  type OneRosterRestFakeOptions,
  startOneRosterRestFake,
} from '../../../src/fakes/oneroster-rest/index.ts';
import { generateSchool, lastTerms, type SyntheticSchool } from '../../../src/fakes/school.ts';
import { collectPull, type PullOptions } from '../support.ts';

export const connector = oneRosterRestConnector;

/** The school of the brief: 1,500 pupils, three subjects, three terms. */
export const BIG_SCHOOL = generateSchool({
  seed: 1205,
  name: 'Oakfield Primary Academy',
  urn: '140001',
  la: 801,
  establishment: 2001,
  pupils: 1500,
  style: 'primary',
  terms: lastTerms(2025, 3),
  currentStartYear: 2025,
});

/** A small school, for tests about behaviour rather than volume. */
export const SMALL_SCHOOL = generateSchool({
  seed: 77,
  name: 'Brookside Academy',
  urn: '140002',
  la: 801,
  establishment: 2002,
  pupils: 60,
  style: 'secondary',
  terms: lastTerms(2025, 3),
  currentStartYear: 2025,
});

export const OTHER_SCHOOL = generateSchool({
  seed: 78,
  name: 'Hillcrest Primary',
  urn: '140003',
  la: 801,
  establishment: 2003,
  pupils: 40,
  style: 'primary',
  terms: lastTerms(2025, 3),
  currentStartYear: 2025,
});

/** A fake that closes when the test ends. */
export async function startFake(
  options: Partial<OneRosterRestFakeOptions> = {},
): Promise<OneRosterRestFake> {
  const fake = await startOneRosterRestFake({ schools: [SMALL_SCHOOL], ...options });
  onTestFinished(() => fake.close());
  return fake;
}

/** Retry delays of a few milliseconds; undici's timeouts tick every 500 ms, so 1 s and more. */
export const TEST_HTTP = {
  retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 },
  timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000 },
  deadlineMs: 8000,
};

export function configFor(
  fake: OneRosterRestFake,
  overrides: Record<string, unknown> = {},
): OneRosterConfig {
  return connector.configSchema.parse({
    baseUrl: fake.url,
    tokenUrl: fake.tokenUrl,
    clientId: fake.clientId,
    schoolSourcedId: fake.schoolId(),
    http: TEST_HTTP,
    ...overrides,
  });
}

export function secretsFor(fake: OneRosterRestFake): OneRosterSecrets {
  return { clientSecret: fake.clientSecret };
}

type Options = Omit<PullOptions<OneRosterConfig, OneRosterSecrets>, 'config' | 'secrets'>;

/** A pull against the fake with the test settings and any overrides. */
export function pullFrom(
  fake: OneRosterRestFake,
  options: Options & { config?: Record<string, unknown>; secrets?: OneRosterSecrets } = {},
) {
  const { config, secrets, ...rest } = options;
  return collectPull(connector, {
    config: configFor(fake, config),
    secrets: secrets ?? secretsFor(fake),
    ...rest,
  });
}

/** The error a pull ended with; a pull that succeeded fails the test. */
export function pullError(outcome: { error: unknown }): ConnectorError {
  if (isConnectorError(outcome.error)) return outcome.error;
  throw new Error(`expected a ConnectorError, got ${String(outcome.error)}`);
}

/** Requests to one endpoint's path, to count attempts at the fake. */
export function requestsTo(fake: OneRosterRestFake, pathEnd: string) {
  return fake.requests.filter((request) =>
    new URL(request.url, fake.url).pathname.endsWith(pathEnd),
  );
}

/**
 * The results a pull should give: the synthetic school leaves a few secondary results without
 * a value, which the fake serves as "not submitted" and the connector leaves out.
 */
export function markedResults(school: SyntheticSchool) {
  return school.results.filter((result) => typeof result.value === 'string');
}
