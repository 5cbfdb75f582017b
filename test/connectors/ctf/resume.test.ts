import { describe, expect, it } from 'vitest';
import type { PulledPage, UploadedFile } from '../../../src/connectors/contract.ts';
import { generateSchool, lastTerms } from '../../../src/fakes/school.ts';
import { repeated } from '../support.ts';
import { config, fixture, pullCtf, pullPages, upload } from './helpers/ctf.ts';
import { type CtfSpec, ctfXml } from './helpers/ctf-xml.ts';

/** Every record and problem of some pages, as comparable strings. */
function contents(pages: PulledPage[]) {
  const pupils = pages.flatMap(({ page }) => (page.kind === 'pupils' ? page.pupils : []));
  const results = pages.flatMap(({ page }) => (page.kind === 'results' ? page.results : []));
  return {
    pupils: pupils.map((pupil) => pupil.externalId),
    results: results.map((result) => result.externalId),
    problems: pages.flatMap((pulled) => pulled.problems.map((problem) => problem.message)),
  };
}

/** Stops a pull after each page in turn, resumes it, and checks the two halves make the whole. */
async function expectEveryResumeWhole(file: UploadedFile, pageSize: number) {
  const settings = config({ pageSize });
  const whole = await pullPages(file, { config: settings });
  const expected = contents(whole.pages);

  for (let stop = 1; stop < whole.pages.length; stop += 1) {
    const first = await pullPages(file, { config: settings, limit: stop });
    const checkpoint = first.pages.at(-1)!.checkpoint;
    const rest = await pullPages(file, { config: settings, resumeFrom: checkpoint });
    const union = contents([...first.pages, ...rest.pages]);

    expect(union, `stopped after page ${stop}`).toEqual(expected);
    expect(rest.summary).toEqual(whole.summary);
  }
  return whole.pages.length;
}

describe('resuming a CTF pull from its last saved checkpoint', () => {
  it('neither skips nor repeats a pupil or result, whichever page it stopped after', async () => {
    const pages = await expectEveryResumeWhole(fixture('primary.xml'), 7);

    expect(pages).toBeGreaterThan(20);
  });

  it('neither skips nor repeats a problem, nor the pupils it could not read', async () => {
    await expectEveryResumeWhole(fixture('invalid-upn.xml'), 2);
    await expectEveryResumeWhole(fixture('xxe.xml'), 2);
  });

  it('sends the problem of a file cut short once, after the pupils before the cut', async () => {
    await expectEveryResumeWhole(fixture('truncated.xml'), 1);
  });

  it('resumes a 1,500-pupil file after the run died part-way, with all of it once', async () => {
    const spec: CtfSpec = {
      school: generateSchool({
        seed: 5,
        name: 'Moor End Primary School',
        urn: '148544',
        la: 383,
        establishment: 2040,
        pupils: 1500,
        style: 'primary',
        terms: lastTerms(2024, 3),
        currentStartYear: 2024,
      }),
      startYear: 2024,
      dateTime: '2025-07-18T14:05:00',
    };
    const file = upload('3832040_CTF_3832040_001.xml', ctfXml(spec));
    const whole = await pullCtf(file);

    const died = await pullPages(file, { limit: 9 });
    const resumed = await pullCtf(file, { resumeFrom: died.pages.at(-1)!.checkpoint });
    const before = contents(died.pages);
    const pupils = [...before.pupils, ...resumed.pupils.map((pupil) => pupil.externalId)];
    const results = [...before.results, ...resumed.results.map((result) => result.externalId)];

    expect(died.pages.at(-1)!.checkpoint).toMatchObject({ pupilsRead: expect.any(Number) });
    expect(repeated(pupils)).toEqual([]);
    expect(repeated(results)).toEqual([]);
    expect(pupils.sort()).toEqual(whole.pupils.map((pupil) => pupil.externalId).sort());
    expect(results.sort()).toEqual(whole.results.map((result) => result.externalId).sort());
    expect(resumed.summary).toEqual({ complete: true, cursor: {} });
  });

  it('counts the pupils read whole, and how far the batch under way got', async () => {
    const file = fixture('primary.xml');
    const { pages } = await pullPages(file, { config: config({ pageSize: 7 }) });
    const at = (pupilsRead: number, pupilsSent: number, resultsSent: number) => ({
      pupilsRead,
      pupilsSent,
      resultsSent,
      fileProblemsSent: 0,
      fileBytes: file.byteSize,
    });

    // Five pupils reach seven results: their records, then their results in two pages.
    expect(pages.slice(0, 4).map(({ page, checkpoint }) => [page.kind, checkpoint])).toEqual([
      ['pupils', at(0, 5, 0)],
      ['results', at(0, 5, 7)],
      ['results', at(5, 0, 0)],
      ['pupils', at(5, 1, 0)],
    ]);
  });

  it("reads from the start, warning, when the checkpoint is another upload's", async () => {
    const file = fixture('primary.xml');
    const stale = {
      pupilsRead: 10,
      pupilsSent: 0,
      resultsSent: 0,
      fileProblemsSent: 0,
      fileBytes: 1,
    };

    const outcome = await pullCtf(file, { resumeFrom: stale });

    expect(outcome.pupils).toHaveLength(35);
    expect(outcome.events.find((event) => event.code === 'ctf_checkpoint_ignored')).toEqual({
      level: 'warn',
      code: 'ctf_checkpoint_ignored',
      message:
        'The saved place in the file does not fit this upload, so it is read from the start; ' +
        'pupils already staged are matched again rather than added twice.',
    });
  });
});
