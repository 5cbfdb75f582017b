import { afterEach, describe, expect, it } from 'vitest';
import { wondeConnector } from '../../../src/connectors/wonde/index.ts';
import { MISSING_ASPECT_ID, type WondeFake } from '../../../src/fakes/wonde/index.ts';
import { collectPull } from '../support.ts';
import { configFor, fakeWith, schoolOf, secretsFor } from './helpers.ts';

let fake: WondeFake;

afterEach(async () => {
  await fake.close();
});

describe("Wonde's shapes as they vary", () => {
  it('reads dates of birth written as plain strings as well as DateTime objects', async () => {
    const school = schoolOf(100);
    fake = await fakeWith(school, { shapes: { dateOfBirth: 'string' } });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });
    const byUpn = new Map(outcome.pupils.map((p) => [p.upn, p.dateOfBirth]));
    for (const pupil of school.pupils) expect(byUpn.get(pupil.upn)).toBe(pupil.dateOfBirth);
  });

  it('reads flags written Yes/No and the other spelling of the EAL field', async () => {
    const school = schoolOf(100);
    fake = await fakeWith(school, {
      shapes: { flags: 'yes_no', ealField: 'english_as_additional_language_status' },
    });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });
    expect(outcome.problems).toEqual([]);
    const byUpn = new Map(outcome.pupils.map((p) => [p.upn, p]));
    for (const pupil of school.pupils) {
      expect(byUpn.get(pupil.upn)).toMatchObject({
        disadvantaged: pupil.disadvantaged,
        eal: pupil.eal,
      });
    }
  });

  it('reads result relations whether they come as ids or as included objects', async () => {
    const school = schoolOf(100);
    fake = await fakeWith(school, { shapes: { relations: 'included' } });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });
    expect(outcome.results).toHaveLength(school.results.length);
    expect(new Set(outcome.results.map((r) => r.periodLabel))).toEqual(
      new Set(school.results.map((r) => r.periodLabel)),
    );
  });

  it('reads the value and date from the field names a source is set to', async () => {
    const school = schoolOf(100);
    fake = await fakeWith(school, { shapes: { valueField: 'mark', dateField: 'collected_on' } });
    const config = configFor(fake, {
      assessment: { valueFields: ['mark'], dateFields: ['collected_on'] },
    });
    const outcome = await collectPull(wondeConnector, { config, secrets: secretsFor(fake) });
    expect(outcome.problems).toEqual([]);
    expect(outcome.results).toHaveLength(school.results.length);
    expect(outcome.results.every((r) => r.assessedOn !== null)).toBe(true);
  });

  it('names the value field it looked for when a result has none', async () => {
    fake = await fakeWith(schoolOf(100), { shapes: { valueField: 'mark' } });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });
    expect(outcome.results).toEqual([]);
    expect(outcome.problems[0]).toMatchObject({ field: 'result', code: 'wonde_result_unreadable' });
    expect(outcome.problems[0]?.message).toMatch(/has no value/);
    expect(outcome.problems[0]?.location).toMatch(
      /^GET \/v1\.0\/schools\/A\d+\/assessment\/results/,
    );
  });

  it('keeps numeric aspects, skips comments, and reports results of a missing aspect', async () => {
    const school = schoolOf(100);
    fake = await fakeWith(school, {
      schools: [{ school, extras: { numericResults: 12, commentResults: 9, orphanResults: 2 } }],
    });
    const outcome = await collectPull(wondeConnector, {
      config: configFor(fake),
      secrets: secretsFor(fake),
    });

    expect(outcome.results).toHaveLength(school.results.length + 12);
    const scores = outcome.results.filter((r) => r.aspect.name === 'Times Tables Check');
    expect(scores.map((r) => r.value).slice(0, 3)).toEqual(['0', '1', '2']);
    expect(outcome.results.some((r) => r.aspect.name === 'Reading Comment')).toBe(false);

    const skipped = outcome.events.find((e) => e.code === 'wonde_results_skipped_type');
    expect(skipped?.message).toMatch(/Skipped 9 results of aspects that hold no grade \(comment\)/);
    expect(outcome.problems).toHaveLength(2);
    expect(outcome.problems[0]?.message).toContain(
      `aspect ${MISSING_ASPECT_ID}, which is not in Wonde's aspect list`,
    );
  });

  it('reads only the aspects a source is told to, and says how many it left', async () => {
    const school = schoolOf(100);
    fake = await fakeWith(school);
    const reading = fake.store().aspects[0]!;
    const config = configFor(fake, { assessment: { aspectIds: [reading.wondeId] } });
    const outcome = await collectPull(wondeConnector, { config, secrets: secretsFor(fake) });

    const expected = school.results.filter((r) => r.aspectId === school.aspects[0]!.id).length;
    expect(outcome.results).toHaveLength(expected);
    expect(outcome.events.map((e) => e.code)).toContain('wonde_results_skipped_aspect');
  });
});
