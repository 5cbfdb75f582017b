/**
 * How much heap a Wonde pull of a big school takes: the fake serves a school with at least
 * 100,000 results, the connector pulls all of it and the pages are dropped as they come, as
 * the engine drops them once staged. The peak must stay under 150 MB. The fake runs in this
 * process, so its synthetic school is counted too; the baseline line shows how much that is.
 *
 *   npx tsx bench/wonde-heap.ts
 */
import { wondeConfigSchema, wondeConnector } from '../src/connectors/wonde/index.ts';
import { generateSchool, lastTerms, type SyntheticSchool } from '../src/fakes/school.ts';
import { startWondeFake } from '../src/fakes/wonde/index.ts';

const RESULTS = 100_000;
const LIMIT_MB = 150;
const SAMPLE_MS = 10;

const mb = (bytes: number) => bytes / 1024 / 1024;

function schoolWith(pupils: number): SyntheticSchool {
  return generateSchool({
    seed: 2026,
    name: 'Northgate Primary Academy',
    urn: '145678',
    la: 330,
    establishment: 4001,
    pupils,
    style: 'primary',
    terms: lastTerms(2025, 3),
    currentStartYear: 2025,
  });
}

// Results per pupil vary with the grades a style records; measure them on a small school.
function bigEnoughSchool(): SyntheticSchool {
  const sample = schoolWith(500);
  let pupils = Math.ceil((RESULTS / sample.results.length) * 500 * 1.01);
  let school = schoolWith(pupils);
  while (school.results.length < RESULTS) {
    pupils += 200;
    school = schoolWith(pupils);
  }
  return school;
}

const school = bigEnoughSchool();
const fake = await startWondeFake({ schools: [{ school }] });
const config = wondeConfigSchema.parse({
  baseUrl: fake.url,
  schoolId: fake.store().id,
  pageDelayMs: 0,
});
const baseline = process.memoryUsage().heapUsed;

let peak = baseline;
const sample = () => {
  peak = Math.max(peak, process.memoryUsage().heapUsed);
};
const sampler = setInterval(sample, SAMPLE_MS);

const started = performance.now();
let pupils = 0;
let results = 0;
let pages = 0;
try {
  const pull = wondeConnector.pull({
    config,
    secrets: { token: fake.token },
    mode: 'full',
    resumeFrom: null,
    cursor: null,
    file: null,
    signal: new AbortController().signal,
    log: () => {},
  });
  let step = await pull.next();
  while (!step.done) {
    const { page } = step.value;
    if (page.kind === 'pupils') pupils += page.pupils.length;
    if (page.kind === 'results') results += page.results.length;
    pages += 1;
    sample();
    step = await pull.next();
  }
  if (!step.value.complete) throw new Error('the pull did not report itself complete');
} finally {
  clearInterval(sampler);
  await fake.close();
}
const elapsedS = (performance.now() - started) / 1000;

console.log(`school: ${school.pupils.length} pupils, ${school.results.length} results`);
console.log(`pulled: ${pupils} pupils, ${results} results in ${pages} pages`);
console.log(`heap before the pull (fake and school loaded): ${mb(baseline).toFixed(1)} MB`);
console.log(`peak heap during the pull: ${mb(peak).toFixed(1)} MB (limit ${LIMIT_MB} MB)`);
console.log(`elapsed: ${elapsedS.toFixed(1)} s`);

if (results !== school.results.length || pupils !== school.pupils.length) {
  console.error('the pull did not read the whole school');
  process.exitCode = 1;
}
if (mb(peak) >= LIMIT_MB) {
  console.error(`peak heap ${mb(peak).toFixed(1)} MB is over the limit of ${LIMIT_MB} MB`);
  process.exitCode = 1;
}
