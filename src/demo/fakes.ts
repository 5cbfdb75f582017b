import { FAKE_PASSWORD, FAKE_USERNAME, startArborFake } from '../fakes/arbor/index.ts';
import { startAssemblyFake } from '../fakes/assembly/index.ts';
import { startOneRosterRestFake } from '../fakes/oneroster-rest/server.ts';
import { generateSchool, lastTerms, type SchoolSpec } from '../fakes/school.ts';
import { startWondeFake } from '../fakes/wonde/server.ts';
import type { SchoolInput } from '../trust/schools.ts';

/**
 * The demo trust's schools and the simulated systems they use, each a real server on loopback:
 * three schools on Wonde, a secondary on Arbor, a primary on Assembly, one on a OneRoster
 * platform that keeps failing, and a newly converted school that uploads spreadsheets.
 */

export interface DemoSchool {
  school: SchoolInput;
  source: {
    kind: string;
    name: string;
    config: Record<string, unknown>;
    secrets: Record<string, unknown>;
  } | null;
}

const CURRENT_YEAR = 2026;
const FAST_HTTP = { deadlineMs: 60_000 };

function spec(seed: number, name: string, urn: string, pupils: number, style: SchoolSpec['style']) {
  return generateSchool({
    seed,
    name,
    urn,
    la: 801,
    establishment: Number(urn.slice(-4)),
    pupils,
    style,
    terms: lastTerms(CURRENT_YEAR, 3),
    currentStartYear: CURRENT_YEAR,
  });
}

export async function startDemoSystems() {
  const oakfield = spec(1, 'Oakfield Primary Academy', '138245', 210, 'primary');
  const brook = spec(2, 'Brook Street Primary', '139011', 180, 'primary');
  const aidan = spec(3, "St Aidan's School", '139502', 60, 'special');
  const riverside = spec(4, 'Riverside Academy', '141002', 300, 'secondary');
  const hillcrest = spec(5, 'Hillcrest Primary', '142310', 150, 'primary');
  const northgate = spec(6, 'Northgate Academy', '143377', 200, 'secondary');

  const wonde = await startWondeFake({
    schools: [
      { id: 'A1930499544', school: oakfield },
      { id: 'A1930499545', school: brook },
      { id: 'A1930499546', school: aidan },
    ],
  });
  const arbor = await startArborFake({ school: riverside });
  const assembly = await startAssemblyFake({ schools: [hillcrest], targets: true });
  const oneroster = await startOneRosterRestFake({
    schools: [northgate],
    // The platform's server errors on every results page: the school's sync keeps failing.
    faults: { status: { endpoint: 'results', status: 503 } },
  });

  const wondeSource = (id: string) => ({
    kind: 'wonde',
    name: 'Wonde',
    config: { baseUrl: wonde.url, schoolId: id, pageDelayMs: 0, http: FAST_HTTP },
    secrets: { token: wonde.token },
  });
  const assemblyTokens = assembly.tokens(0);
  const schools: DemoSchool[] = [
    { school: schoolInput(oakfield, 'primary', '2019-09-01'), source: wondeSource('A1930499544') },
    { school: schoolInput(brook, 'primary', '2020-04-01'), source: wondeSource('A1930499545') },
    {
      school: { ...schoolInput(aidan, 'special', '2021-09-01'), setting: 'specialist' },
      source: wondeSource('A1930499546'),
    },
    {
      school: schoolInput(riverside, 'secondary', '2018-09-01'),
      source: {
        kind: 'arbor',
        name: 'Arbor MIS',
        config: { host: arbor.url, username: FAKE_USERNAME },
        secrets: { password: FAKE_PASSWORD },
      },
    },
    {
      school: schoolInput(hillcrest, 'primary', '2022-09-01'),
      source: {
        kind: 'assembly',
        name: 'Assembly Platform',
        config: { clientId: assembly.clientId, apiUrl: assembly.url, authUrl: assembly.url },
        secrets: {
          clientSecret: assembly.clientSecret,
          refreshToken: assemblyTokens.refreshToken,
          accessToken: assemblyTokens.accessToken,
        },
      },
    },
    {
      school: schoolInput(northgate, 'secondary', '2023-01-01'),
      source: {
        kind: 'oneroster_rest',
        name: 'OneRoster platform',
        config: {
          baseUrl: oneroster.url,
          tokenUrl: oneroster.tokenUrl,
          clientId: oneroster.clientId,
          schoolSourcedId: oneroster.schoolId(),
          http: { retry: { attempts: 2 }, deadlineMs: 20_000 },
        },
        secrets: { clientSecret: oneroster.clientSecret },
      },
    },
  ];

  return {
    schools,
    close: async () => {
      await Promise.all([wonde.close(), arbor.close(), assembly.close(), oneroster.close()]);
    },
  };
}

function schoolInput(
  school: ReturnType<typeof generateSchool>,
  phase: SchoolInput['phase'],
  joinedTrustOn: string,
): SchoolInput {
  return {
    name: school.name,
    urn: school.urn,
    laestab: school.laestab,
    phase,
    setting: 'mainstream',
    joinedTrustOn,
  };
}
