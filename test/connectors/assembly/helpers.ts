import { onTestFinished } from 'vitest';
import {
  type AssemblyConfig,
  type AssemblyConfigInput,
  type AssemblySecrets,
  assemblyConfigSchema,
} from '../../../src/connectors/assembly/index.ts';
import { type ConnectorError, isConnectorError } from '../../../src/connectors/http/index.ts';
import {
  type AssemblyFake,
  type AssemblyFakeOptions,
  startAssemblyFake,
} from '../../../src/fakes/assembly/index.ts';
import {
  generateSchool,
  lastTerms,
  type SchoolSpec,
  type SyntheticSchool,
} from '../../../src/fakes/school.ts';

const BIG: SchoolSpec = {
  seed: 2026,
  name: 'Oakfield Primary Academy',
  urn: '140123',
  la: 204,
  establishment: 2345,
  pupils: 1500,
  style: 'primary',
  terms: lastTerms(2025, 3),
  currentStartYear: 2025,
};

const cache = new Map<number, SyntheticSchool>();

/** The same synthetic primary school every time, generated once per size. */
export function schoolOf(pupils = 1500): SyntheticSchool {
  let school = cache.get(pupils);
  if (!school) {
    school = generateSchool({ ...BIG, pupils, seed: BIG.seed + pupils });
    cache.set(pupils, school);
  }
  return school;
}

/** A fake Assembly serving one school, closed when the test ends. */
export async function fakeAssembly(
  options: Partial<AssemblyFakeOptions> & { pupils?: number } = {},
): Promise<AssemblyFake> {
  const { pupils, ...rest } = options;
  const fake = await startAssemblyFake({ schools: [schoolOf(pupils ?? 60)], ...rest });
  onTestFinished(() => fake.close());
  return fake;
}

/** Settings pointing at the fake, with retries and timeouts short enough for tests. */
export function configFor(
  fake: AssemblyFake,
  overrides: Partial<AssemblyConfigInput> = {},
): AssemblyConfig {
  const { http, ...rest } = overrides;
  return assemblyConfigSchema.parse({
    clientId: fake.clientId,
    apiUrl: fake.url,
    authUrl: fake.url,
    ...rest,
    http: {
      deadlineMs: 5000,
      ...http,
      retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50, ...http?.retry },
      timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000, ...http?.timeouts },
    },
  });
}

export function secretsFor(fake: AssemblyFake, index = 0): AssemblySecrets {
  const tokens = fake.tokens(index);
  return {
    clientSecret: fake.clientSecret,
    refreshToken: tokens.refreshToken,
    accessToken: tokens.accessToken,
  };
}

/** The requests the fake saw to one path, whatever their query. */
export function requestsTo(fake: AssemblyFake, path: string): string[] {
  return fake.requests.map((r) => r.url).filter((url) => url.split('?')[0] === path);
}

export function connectorError(error: unknown): ConnectorError {
  if (isConnectorError(error)) return error;
  throw new Error(`expected a ConnectorError, got ${String(error)}`);
}
