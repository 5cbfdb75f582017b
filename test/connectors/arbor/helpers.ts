import { onTestFinished } from 'vitest';
import { type ArborConfig, arborConnector } from '../../../src/connectors/arbor/index.ts';
import {
  type ArborFake,
  type ArborFakeOptions,
  FAKE_PASSWORD,
  FAKE_USERNAME,
  startArborFake,
} from '../../../src/fakes/arbor/index.ts';
import { generateSchool, lastTerms, type SyntheticSchool } from '../../../src/fakes/school.ts';
import { collectPull, type PullOptions } from '../support.ts';

export const SECRETS = { password: FAKE_PASSWORD };

let large: SyntheticSchool | undefined;

/** 1,500 pupils, reading, writing and maths, three terms: built once per test file. */
export function largeSchool(): SyntheticSchool {
  large ??= generateSchool({
    seed: 2025,
    name: 'Greenfield Primary',
    urn: '141234',
    la: 330,
    establishment: 2101,
    pupils: 1500,
    style: 'primary',
    terms: lastTerms(2025, 3),
    currentStartYear: 2025,
  });
  return large;
}

export function smallSchool(pupils = 60): SyntheticSchool {
  return generateSchool({
    seed: 11,
    name: 'Brookside Academy',
    urn: '145678',
    la: 207,
    establishment: 4002,
    pupils,
    style: 'primary',
    terms: lastTerms(2025, 2),
    currentStartYear: 2025,
  });
}

/** A fake that closes when the test ends. */
export async function fakeArbor(options: Partial<ArborFakeOptions> = {}): Promise<ArborFake> {
  const fake = await startArborFake({ school: options.school ?? smallSchool(), ...options });
  onTestFinished(() => fake.close());
  return fake;
}

/** The connector's config for a fake, with test-sized delays and timeouts. */
export function configFor(fake: ArborFake, overrides: Record<string, unknown> = {}): ArborConfig {
  const { http, ...rest } = overrides;
  return arborConnector.configSchema.parse({
    host: fake.url,
    username: FAKE_USERNAME,
    pageSize: 25,
    http: {
      attempts: 3,
      baseDelayMs: 5,
      maxDelayMs: 50,
      deadlineMs: 5000,
      connectMs: 1000,
      headersMs: 1500,
      bodyMs: 1500,
      ...(http as object | undefined),
    },
    ...rest,
  });
}

export function pull(
  config: ArborConfig,
  options: Partial<PullOptions<ArborConfig, typeof SECRETS>> = {},
) {
  return collectPull(arborConnector, { config, secrets: SECRETS, ...options });
}

/** Requests to a resource's listing or changelog, by path segment. */
export function requestsTo(fake: ArborFake, resource: string): string[] {
  return fake.requests
    .map((request) => request.url)
    .filter(
      (url) => url.startsWith(`/rest-v2/${resource}?`) || url.startsWith(`/rest-v2/${resource}/`),
    );
}
