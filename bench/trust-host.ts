import { generateSchool, lastTerms } from '../src/fakes/school.ts';
import { startWondeFake } from '../src/fakes/wonde/index.ts';

/**
 * The synthetic trust's school systems, in a process of their own as a school's MIS is: the
 * bench's figures (time, memory) are then the service's, not the service's plus the fakes'.
 * Started by `startTrust` with the trust's size; answers with where to reach it, then serves
 * until its parent goes.
 */

interface Ask {
  schools: number;
  pupils: number;
}

process.once('message', async (ask: Ask) => {
  const perSchool = Math.ceil(ask.pupils / ask.schools);
  const schools = Array.from({ length: ask.schools }, (_, index) =>
    generateSchool({
      seed: 1000 + index,
      name: `Bench Academy ${index + 1}`,
      urn: String(160000 + index),
      la: 801,
      establishment: 6000 + index,
      pupils: perSchool,
      style: 'primary',
      terms: lastTerms(2026, 3),
      currentStartYear: 2026,
    }),
  );
  const wondeIds = schools.map((_, index) => `B${String(1930500000 + index)}`);
  const fake = await startWondeFake({
    schools: schools.map((school, index) => ({ id: wondeIds[index]!, school })),
    maxPerPage: 500,
  });
  process.send?.({
    url: fake.url,
    token: fake.token,
    wondeIds,
    schools: schools.map((school) => ({
      name: school.name,
      urn: school.urn,
      laestab: school.laestab,
      results: school.results.length,
    })),
  });
});
process.on('disconnect', () => process.exit(0));
