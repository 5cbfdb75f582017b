import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { UploadedFile } from '../../../src/connectors/contract.ts';
import { ctfConnector } from '../../../src/connectors/ctf/index.ts';
import { upnCheckLetter } from '../../../src/domain/upn.ts';
import { generateSchool, lastTerms, type SyntheticPupil } from '../../../src/fakes/school.ts';
import { config } from './helpers/ctf.ts';
import {
  assessmentsFor,
  CTF_FOOTER,
  type CtfSpec,
  ctfHeader,
  pupilXml,
} from './helpers/ctf-xml.ts';

const MB = 1024 * 1024;
const TARGET_BYTES = 30 * MB;

interface Tally {
  bytes: number;
  pupils: number;
  results: number;
}

const SPEC: CtfSpec = {
  school: generateSchool({
    seed: 100,
    name: 'Harbour Lane Primary School',
    urn: '148201',
    la: 383,
    establishment: 2001,
    pupils: 1000,
    style: 'primary',
    terms: lastTerms(2024, 3),
    currentStartYear: 2024,
  }),
  startYear: 2024,
  dateTime: '2025-07-18T14:05:00',
  unread: true,
};

/** The same pupil as first registered at another school: a new UPN, valid and unique. */
function reissued(pupil: SyntheticPupil, block: number): SyntheticPupil {
  const rest = `${pupil.upn.slice(1, 4)}${3000 + block}${pupil.upn.slice(8)}`;
  return { ...pupil, upn: upnCheckLetter(rest) + rest };
}

/**
 * A CTF of 30 MB, written as it is read: the school's 1,000 pupils again and again under new
 * UPNs, so that neither the test nor the connector ever holds the file.
 */
async function* largeCtf(tally: Tally): AsyncGenerator<Buffer> {
  const emit = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    tally.bytes += bytes.length;
    return bytes;
  };
  const recorded = SPEC.school.pupils.map(
    (pupil) => assessmentsFor(SPEC, pupil).filter((planned) => planned.result !== '').length,
  );
  yield emit(ctfHeader(SPEC));
  for (let block = 0; tally.bytes < TARGET_BYTES; block += 1) {
    for (let start = 0; start < 1000 && tally.bytes < TARGET_BYTES; start += 25) {
      const pupils = SPEC.school.pupils.slice(start, start + 25);
      tally.pupils += pupils.length;
      tally.results += recorded.slice(start, start + 25).reduce((sum, count) => sum + count, 0);
      yield emit(pupils.map((pupil) => pupilXml(SPEC, reissued(pupil, block))).join(''));
    }
  }
  yield emit(CTF_FOOTER);
}

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('a CTF of 30 MB', () => {
  it('streams through with heap growth under 100 MB, every record counted', async () => {
    const gc = collectGarbage();
    const tally: Tally = { bytes: 0, pupils: 0, results: 0 };
    const file: UploadedFile = {
      fileName: 'trust_CTF_30MB.xml',
      byteSize: TARGET_BYTES,
      open: () => Readable.from(largeCtf(tally)),
    };
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let pupils = 0;
    let results = 0;
    let largestPage = 0;

    const pull = ctfConnector.pull({
      config: config(),
      secrets: {},
      mode: 'full',
      resumeFrom: null,
      cursor: null,
      file,
      signal: new AbortController().signal,
      log: () => {},
    });
    let step = await pull.next();
    while (!step.done) {
      const { page } = step.value;
      const size =
        page.kind === 'pupils'
          ? page.pupils.length
          : page.kind === 'results'
            ? page.results.length
            : 0;
      if (page.kind === 'pupils') pupils += page.pupils.length;
      if (page.kind === 'results') results += page.results.length;
      largestPage = Math.max(largestPage, size);
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      step = await pull.next();
    }

    expect(tally.bytes).toBeGreaterThanOrEqual(TARGET_BYTES);
    expect(step.value.complete).toBe(true);
    expect(pupils).toBe(tally.pupils);
    expect(results).toBe(tally.results);
    expect(largestPage).toBeLessThanOrEqual(500);
    expect((peak - baseline) / MB).toBeLessThan(100);
  });

  it('keeps almost nothing once read: the keys of pupils seen do not hold the file', async () => {
    const gc = collectGarbage();
    const file: UploadedFile = {
      fileName: 'trust_CTF_30MB.xml',
      byteSize: TARGET_BYTES,
      open: () => Readable.from(largeCtf({ bytes: 0, pupils: 0, results: 0 })),
    };
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let retained = 0;

    const pull = ctfConnector.pull({
      config: config(),
      secrets: {},
      mode: 'full',
      resumeFrom: null,
      cursor: null,
      file,
      signal: new AbortController().signal,
      log: () => {},
    });
    let pages = 0;
    for (let step = await pull.next(); !step.done; step = await pull.next()) {
      pages += 1;
      // Near the end, with every pupil's key held, before the pull lets go of them.
      if (pages % 50 === 0) {
        gc();
        retained = Math.max(retained, process.memoryUsage().heapUsed - baseline);
      }
    }

    expect(pages).toBeGreaterThan(150);
    // A 64 KB chunk held by each UPN sliced from it once kept the whole 30 MB alive.
    expect(retained / MB).toBeLessThan(10);
  });
});
