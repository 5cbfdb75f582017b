import { type WondeConfig, wondeConfigSchema } from '../../../src/connectors/wonde/index.ts';
import {
  type GradeStyle,
  generateSchool,
  lastTerms,
  type SyntheticSchool,
} from '../../../src/fakes/school.ts';
import {
  startWondeFake,
  type WondeFake,
  type WondeFakeOptions,
} from '../../../src/fakes/wonde/index.ts';

/** Retries in milliseconds, but undici timeouts of a second: its timers tick every 500 ms. */
export const QUICK_HTTP = {
  attempts: 3,
  baseDelayMs: 5,
  maxDelayMs: 50,
  connectMs: 1000,
  headersMs: 1000,
  bodyMs: 1000,
  deadlineMs: 5000,
};

const schools = new Map<string, SyntheticSchool>();

/** A synthetic school with three subjects over three terms; the same one for the same size. */
export function schoolOf(pupils: number, style: GradeStyle = 'primary'): SyntheticSchool {
  const key = `${pupils}:${style}`;
  const known = schools.get(key);
  if (known) return known;
  const school = generateSchool({
    seed: 42 + pupils,
    name: 'Oakfield Primary Academy',
    urn: '141234',
    la: 330,
    establishment: 2401,
    pupils,
    style,
    terms: lastTerms(2025, 3),
    currentStartYear: 2025,
  });
  schools.set(key, school);
  return school;
}

export async function fakeWith(
  school: SyntheticSchool,
  options: Partial<WondeFakeOptions> = {},
): Promise<WondeFake> {
  return startWondeFake({ schools: [{ school }], ...options });
}

/** The connector's config for a fake: quick retries, no pause between pages. */
export function configFor(fake: WondeFake, overrides: Record<string, unknown> = {}): WondeConfig {
  return wondeConfigSchema.parse({
    baseUrl: fake.url,
    schoolId: fake.store().id,
    pageDelayMs: 0,
    http: QUICK_HTTP,
    ...overrides,
  });
}

export function secretsFor(fake: WondeFake): { token: string } {
  return { token: fake.token };
}

/** Requests the fake saw for one endpoint path (after `schools/{id}/`). */
export function requestsTo(fake: WondeFake, path: string): number {
  const id = fake.store().id;
  return fake.requests.filter((request) => {
    const pathname = new URL(request.url, 'http://fake').pathname;
    return pathname === `/v1.0/schools/${id}${path ? `/${path}` : ''}`;
  }).length;
}
