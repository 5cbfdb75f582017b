import { beforeAll, describe, expect, it } from 'vitest';
import { generateSchool, lastTerms } from '../../../src/fakes/school.ts';
import type { PullOutcome } from '../support.ts';
import { repeated } from '../support.ts';
import { pullCtf, pullPages, upload } from './helpers/ctf.ts';
import { assessmentsFor, type CtfSpec, ctfXml } from './helpers/ctf-xml.ts';
import { expectedPupil, expectedResults } from './helpers/expected.ts';

const SPEC: CtfSpec = {
  school: generateSchool({
    seed: 7,
    name: 'Harbour Lane Primary School',
    urn: '148201',
    la: 383,
    establishment: 2001,
    pupils: 1500,
    style: 'primary',
    terms: lastTerms(2024, 3),
    currentStartYear: 2024,
  }),
  startYear: 2024,
  dateTime: '2025-07-18T14:05:00',
  unread: true,
};

const FILE_NAME = '3832001_CTF_3832001_001.xml';
let outcome: PullOutcome;

beforeAll(async () => {
  outcome = await pullCtf(upload(FILE_NAME, ctfXml(SPEC)));
});

describe('a full CTF of 1,500 pupils', () => {
  it('gives every pupil and every recorded result once, with no problems, and is complete', () => {
    const expected = expectedResults(SPEC);

    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toHaveLength(1500);
    expect(outcome.results).toHaveLength(expected.length);
    expect(repeated(outcome.pupils.map((pupil) => pupil.externalId))).toEqual([]);
    expect(repeated(outcome.results.map((result) => result.externalId))).toEqual([]);
    expect(outcome.problems).toEqual([]);
    expect(outcome.summary).toEqual({ complete: true, cursor: {} });
  });

  it('translates every pupil: UPN, names, DOB, sex, NC year, SEN, disadvantaged, EAL', () => {
    const byId = new Map(outcome.pupils.map((pupil) => [pupil.externalId, pupil]));

    for (const pupil of SPEC.school.pupils)
      expect(byId.get(pupil.upn)).toEqual(expectedPupil(pupil));
  });

  it('keeps each result value exactly as the file writes it', () => {
    const values = outcome.results.map((result) => `${result.externalId} ${result.value}`);

    expect(values.sort()).toEqual(expectedResults(SPEC).sort());
  });

  it("names a Year 6 pupil's results by stage, subject and method, with grade set", () => {
    const pupil = SPEC.school.pupils.find((p) => p.ncYear === 'Y6')!;
    const planned = assessmentsFor(SPEC, pupil);
    const results = outcome.results.filter((result) => result.pupilExternalId === pupil.upn);
    const writing = planned.find((p) => p.stage === 'KS2' && p.component === 'WRI')!;

    expect(results.find((r) => r.aspect.key === 'KS2/ENG/TA/WRI')).toEqual({
      externalId: `${pupil.upn}/KS2/ENG/TA/WRI/2025`,
      pupilExternalId: pupil.upn,
      aspect: { key: 'KS2/ENG/TA/WRI', name: 'KS2 Writing TA', gradeSet: 'KS2 teacher assessment' },
      value: writing.result,
      assessedOn: '2025-06-27',
      periodLabel: 'KS2 Summer 2025',
      modifiedAt: null,
    });
    expect(results.map((r) => [r.aspect.key, r.aspect.name, r.aspect.gradeSet]).sort()).toEqual([
      ['KS2/ENG/TA/WRI', 'KS2 Writing TA', 'KS2 teacher assessment'],
      [
        'KS2/ENG/TT/GPS#SS',
        'KS2 Grammar, punctuation and spelling test scaled score',
        'KS2 scaled score',
      ],
      ['KS2/ENG/TT/REA#SS', 'KS2 Reading test scaled score', 'KS2 scaled score'],
      ['KS2/MAT/TT/-#SS', 'KS2 Maths test scaled score', 'KS2 scaled score'],
      ['KS2/MAT/TT/MTC#MT', 'KS2 Multiplication tables check', 'Multiplication tables check'],
      ['KS2/SCI/TA/-', 'KS2 Science TA', 'KS2 teacher assessment'],
    ]);
  });

  it('gives a Year 4 pupil their KS1 TA, phonics and MTC from earlier years', () => {
    const pupil = SPEC.school.pupils.find((p) => p.ncYear === 'Y4' && p.id.endsWith('4'))!;
    const results = outcome.results.filter((result) => result.pupilExternalId === pupil.upn);

    expect(
      results.map((r) => `${r.aspect.name} | ${r.periodLabel} | ${r.assessedOn}`).sort(),
    ).toEqual([
      'KS1 Maths TA | KS1 Summer 2023 | 2023-06-24',
      'KS1 Phonics screening check (MK) | KS1 Summer 2022 | 2022-06-13',
      'KS1 Phonics screening check (OC) | KS1 Summer 2022 | 2022-06-13',
      'KS1 Reading TA | KS1 Summer 2023 | 2023-06-24',
      'KS1 Science TA | KS1 Summer 2023 | 2023-06-24',
      'KS1 Writing TA | KS1 Summer 2023 | 2023-06-24',
      'KS2 Multiplication tables check | KS2 Summer 2025 | null',
    ]);
  });

  it('sends pages of at most 500 records, each pupil before any of their results', async () => {
    const { pages } = await pullPages(upload(FILE_NAME, ctfXml(SPEC)));
    const sent = new Set<string>();

    for (const { page } of pages) {
      if (page.kind === 'pupils') {
        expect(page.pupils.length).toBeLessThanOrEqual(500);
        for (const pupil of page.pupils) sent.add(pupil.externalId);
      } else if (page.kind === 'results') {
        expect(page.results.length).toBeLessThanOrEqual(500);
        expect(page.results.every((result) => sent.has(result.pupilExternalId))).toBe(true);
      }
    }
    expect(pages.map(({ page }) => page.kind)).toContain('results');
    expect(sent.size).toBe(1500);
  });

  it('never passes on addresses, contacts, phone numbers, medical, ethnicity or attendance', () => {
    const everything = JSON.stringify(outcome);

    for (const unread of [
      'Harbour Street',
      'ZZ99',
      '07700',
      'example.org',
      'Contactname',
      'WBRI',
    ]) {
      expect(everything).not.toContain(unread);
    }
    expect(everything).not.toContain('/\\/\\');
  });

  it('logs what the file is and how far it was read, naming no pupil', () => {
    expect(outcome.events).toEqual([
      {
        level: 'info',
        code: 'ctf_header',
        message:
          `"${FILE_NAME}" is CTF 25.0 from Harbour Lane Primary School (3832001), made on ` +
          '2025-07-18 (document qualifier "full").',
      },
      {
        level: 'info',
        code: 'ctf_read',
        message:
          `Read 1,500 pupils from "${FILE_NAME}", to the end of the file; sent 1,500 pupils ` +
          `and ${outcome.results.length.toLocaleString('en-GB')} results in this run, ` +
          'with 0 problems.',
      },
    ]);
  });
});
