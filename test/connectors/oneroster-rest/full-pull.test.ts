import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type OneRosterRestFake,
  startOneRosterRestFake,
} from '../../../src/fakes/oneroster-rest/index.ts';
import { type PullOutcome, repeated } from '../support.ts';
import {
  BIG_SCHOOL,
  markedResults,
  OTHER_SCHOOL,
  pullFrom,
  SMALL_SCHOOL,
  startFake,
} from './helpers.ts';

describe('a full pull of a 1,500-pupil school over three terms', () => {
  let fake: OneRosterRestFake;
  let outcome: PullOutcome;

  beforeAll(async () => {
    fake = await startOneRosterRestFake({ schools: [BIG_SCHOOL] });
    outcome = await pullFrom(fake);
  });
  afterAll(() => fake.close());

  it('reads every pupil and every result, once each', () => {
    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toHaveLength(BIG_SCHOOL.pupils.length);
    expect(outcome.results).toHaveLength(markedResults(BIG_SCHOOL).length);
    expect(new Set(outcome.results.map((r) => r.aspect.key)).size).toBe(3);
    expect(new Set(outcome.results.map((r) => r.periodLabel)).size).toBe(3);
    expect(repeated(outcome.pupils.map((p) => p.externalId))).toEqual([]);
    expect(repeated(outcome.results.map((r) => r.externalId))).toEqual([]);
    expect(outcome.problems).toEqual([]);
    expect(outcome.deletions).toEqual([]);
    expect(outcome.summary).toMatchObject({ complete: true, cursor: { version: 1 } });
  });

  it('translates a pupil: UPN, names, birth date, sex, year group, SEN, disadvantage, EAL', () => {
    const expected = BIG_SCHOOL.pupils.find((p) => p.senStatus === 'K' && p.eal)!;

    expect(outcome.pupils.find((p) => p.externalId === expected.id)).toEqual({
      externalId: expected.id,
      upn: expected.upn,
      formerUpn: null,
      firstName: expected.firstName,
      lastName: expected.lastName,
      dateOfBirth: expected.dateOfBirth,
      sex: expected.sex,
      ncYear: expected.ncYear,
      senStatus: 'K',
      disadvantaged: expected.disadvantaged,
      eal: true,
      onRollFrom: expected.onRollFrom,
      onRollTo: null,
    });
  });

  it('translates a result: its category as the aspect, the grade as written, date and term', () => {
    const expected = BIG_SCHOOL.results.find((r) => r.value === 'GDS')!;
    const aspect = BIG_SCHOOL.aspects.find((a) => a.id === expected.aspectId)!;

    expect(outcome.results.find((r) => r.externalId === expected.id)).toEqual({
      externalId: expected.id,
      pupilExternalId: expected.pupilId,
      aspect: { key: aspect.id, name: aspect.name, gradeSet: aspect.gradeSet },
      value: 'GDS',
      assessedOn: expected.assessedOn,
      periodLabel: expected.periodLabel,
      modifiedAt: expected.modifiedAt,
    });
  });
});

describe('a full OneRoster pull', () => {
  it('gives a numeric score as written, and a text score as written', async () => {
    const fake = await startFake();
    const numeric = markedResults(SMALL_SCHOOL).find((r) => /^\d$/.test(r.value ?? ''))!;
    const textual = markedResults(SMALL_SCHOOL).find((r) => !/^\d$/.test(r.value ?? ''))!;

    const { results } = await pullFrom(fake);

    expect(results.find((r) => r.externalId === numeric.id)?.value).toBe(numeric.value);
    expect(results.find((r) => r.externalId === textual.id)?.value).toBe(textual.value);
  });

  it("says when a category's line items use more than one score scale, and reads them all", async () => {
    const fake = await startFake();
    const [rescaled] = fake.rescaleLineItems(1, 'Steps 1-6');
    const aspect = SMALL_SCHOOL.aspects.find((a) => rescaled!.includes(`-${a.id}-`))!;

    const outcome = await pullFrom(fake);

    expect(outcome.error).toBeNull();
    expect(outcome.results).toHaveLength(markedResults(SMALL_SCHOOL).length);
    const mixed = outcome.problems.filter((p) => p.code === 'mixed_score_scales');
    expect(mixed).toHaveLength(1);
    expect(mixed[0]!.field).toBe('scoreScale');
    expect(mixed[0]!.message).toMatch(
      new RegExp(`^Line items of the category "${aspect.name}" use more than one score scale `),
    );
    expect(mixed[0]!.message).toContain(`"${aspect.gradeSet}"`);
    expect(mixed[0]!.message).toContain('"Steps 1-6"');
    expect(mixed[0]!.message).toContain('set "aspectFrom" to "lineItem"');
    // Every other category keeps one scale and is not mentioned.
    expect(outcome.problems.filter((p) => p.code !== 'mixed_score_scales')).toEqual([]);
  });

  it('leaves out results not marked yet, and says how many', async () => {
    const fake = await startFake();
    const unmarked = SMALL_SCHOOL.results.length - markedResults(SMALL_SCHOOL).length;

    const outcome = await pullFrom(fake);

    expect(unmarked).toBeGreaterThan(0);
    expect(outcome.problems).toEqual([]);
    expect(outcome.events).toContainEqual(
      expect.objectContaining({
        code: 'results_unscored',
        message: `Left out ${unmarked} results with no mark yet (not submitted or exempt).`,
      }),
    );
  });

  it('asks only for the fields the trust needs, never contacts or ethnicity', async () => {
    const fake = await startFake();

    const outcome = await pullFrom(fake);

    expect(outcome.error).toBeNull();
    const reads = fake.requests.filter((r) => r.method === 'GET');
    for (const path of ['/students', '/demographics', '/results']) {
      const read = reads.find((r) => r.url.split('?')[0]!.endsWith(path))!;
      const fields = new URL(read.url, fake.url).searchParams.get('fields')!.split(',');
      expect(fields).not.toContain('email');
      expect(fields).not.toContain('phone');
      expect(fields).not.toContain('agents');
      expect(fields).not.toContain('comment');
      expect(fields.some((field) => field.includes('Race') || field === 'white')).toBe(false);
    }
  });

  it('uses the UPN in userIds rather than the admission number in identifier', async () => {
    const fake = await startFake();

    const { pupils } = await pullFrom(fake);

    expect(pupils.every((p) => /^[A-Z]\d{12}$/.test(p.upn ?? ''))).toBe(true);
  });

  it('reads the UPN from wherever the source says, such as identifier', async () => {
    const fake = await startFake();

    const { pupils } = await pullFrom(fake, {
      config: { pupilFields: { upn: ['identifier'] } },
    });

    expect(pupils[0]?.upn).toBe('ADM00001');
  });

  it('reads assessment results where the provider offers them', async () => {
    const fake = await startFake({ schools: [BIG_SCHOOL], offerAssessmentResults: true });
    const yearFour = BIG_SCHOOL.pupils.filter((p) => p.ncYear === 'Y4');

    const { results, error } = await pullFrom(fake);

    expect(error).toBeNull();
    const checks = results.filter((r) => r.externalId.startsWith('assessmentResults/'));
    expect(checks).toHaveLength(yearFour.length);
    expect(checks[0]).toMatchObject({
      aspect: { name: 'Multiplication tables check' },
      assessedOn: '2025-06-13',
    });
    expect(results).toHaveLength(markedResults(BIG_SCHOOL).length + yearFour.length);
  });

  it('carries on without assessment results where the provider does not offer them', async () => {
    const fake = await startFake({ offerAssessmentResults: false });

    const outcome = await pullFrom(fake);

    expect(outcome.error).toBeNull();
    expect(outcome.summary?.complete).toBe(true);
    expect(outcome.events).toContainEqual(
      expect.objectContaining({ code: 'assessment_results_skipped', level: 'info' }),
    );
  });

  it('narrows a provider-wide student list to this school by role, and its results', async () => {
    const fake = await startFake({ schools: [SMALL_SCHOOL, OTHER_SCHOOL] });

    const outcome = await pullFrom(fake, { config: { studentsPath: 'students' } });

    expect(outcome.error).toBeNull();
    expect(outcome.pupils).toHaveLength(SMALL_SCHOOL.pupils.length);
    expect(outcome.results).toHaveLength(markedResults(SMALL_SCHOOL).length);
    expect(outcome.events).toContainEqual(expect.objectContaining({ code: 'pupils_other_school' }));
    expect(outcome.events).toContainEqual(expect.objectContaining({ code: 'results_outside' }));
  });

  it('reads only the chosen categories, by title or id', async () => {
    const fake = await startFake();
    const [reading, writing] = SMALL_SCHOOL.aspects;

    const { results } = await pullFrom(fake, {
      config: { categories: [reading!.name.toUpperCase(), writing!.id] },
    });

    const chosen = markedResults(SMALL_SCHOOL).filter(
      (r) => r.aspectId === reading!.id || r.aspectId === writing!.id,
    );
    expect(results).toHaveLength(chosen.length);
  });

  it('makes each line item an aspect when told to', async () => {
    const fake = await startFake();

    const { results } = await pullFrom(fake, { config: { aspectFrom: 'lineItem' } });

    expect(new Set(results.map((r) => r.aspect.key)).size).toBe(9);
    expect(results[0]?.aspect.name).toMatch(/ (Autumn|Spring|Summer) \d{4}$/);
  });

  it('keeps the bytes of every page it read, labelled without credentials', async () => {
    const fake = await startFake();

    const outcome = await pullFrom(fake);

    expect(outcome.rawLabels.length).toBeGreaterThan(5);
    expect(outcome.rawLabels.every((label) => label.startsWith('GET /ims/oneroster/'))).toBe(true);
    expect(outcome.rawLabels.some((label) => label.includes('/lineItems?'))).toBe(true);
  });
});
