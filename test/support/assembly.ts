import type { Db } from '../../src/db/index.ts';
import { type AssemblyFake, startAssemblyFake } from '../../src/fakes/assembly/index.ts';
import { generateSchool, lastTerms, type SyntheticSchool } from '../../src/fakes/school.ts';
import { createSource as addSource } from '../../src/sync/sources.ts';
import { ANALYST } from './engine.ts';

/** A synthetic primary school as Assembly would serve it, with results for three terms. */
export function assemblySchool(seed: number, pupils: number, urn = '140123'): SyntheticSchool {
  return generateSchool({
    seed,
    name: 'Oakfield Primary Academy',
    urn,
    la: 801,
    establishment: Number(urn.slice(-4)),
    pupils,
    style: 'primary',
    terms: lastTerms(2026, 3),
    currentStartYear: 2026,
  });
}

export function startFake(schools: SyntheticSchool[], options: { slowMs?: number } = {}) {
  return startAssemblyFake({
    schools,
    targets: false,
    ...(options.slowMs ? { faults: { slow: { path: '/results', delayMs: options.slowMs } } } : {}),
  });
}

/** An Assembly source at a school, pointing at the fake, with short retries for tests. */
export async function assemblySource(
  db: Db,
  secretKey: Buffer,
  fake: AssemblyFake,
  schoolId: string,
  index = 0,
) {
  const tokens = fake.tokens(index);
  return addSource(db, secretKey, ANALYST, {
    schoolId,
    kind: 'assembly',
    name: 'Assembly Platform',
    config: {
      clientId: fake.clientId,
      apiUrl: fake.url,
      authUrl: fake.url,
      studentsPerResultsRequest: 50,
      http: {
        deadlineMs: 5000,
        retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 50 },
        timeouts: { connectMs: 1000, headersMs: 2000, bodyMs: 2000 },
      },
    },
    secrets: {
      clientSecret: fake.clientSecret,
      refreshToken: tokens.refreshToken,
      accessToken: tokens.accessToken,
    },
  });
}
