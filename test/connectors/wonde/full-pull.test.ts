import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wondeConnector } from '../../../src/connectors/wonde/index.ts';
import { parseNcYear } from '../../../src/domain/nc-year.ts';
import type { WondeFake } from '../../../src/fakes/wonde/index.ts';
import { collectPull, type PullOutcome, repeated } from '../support.ts';
import { configFor, fakeWith, schoolOf, secretsFor } from './helpers.ts';

const school = schoolOf(1500);
let fake: WondeFake;
let outcome: PullOutcome;

beforeAll(async () => {
  fake = await fakeWith(school);
  outcome = await collectPull(wondeConnector, {
    config: configFor(fake),
    secrets: secretsFor(fake),
  });
});

afterAll(async () => {
  await fake.close();
});

describe('a full pull of a Wonde school', () => {
  it('reads every pupil and every result of 1,500 pupils, three subjects and three terms', () => {
    expect(outcome.error).toBeNull();
    expect(school.aspects).toHaveLength(3);
    expect(new Set(school.results.map((r) => r.periodLabel)).size).toBe(3);

    expect(outcome.pupils).toHaveLength(school.pupils.length);
    expect(outcome.results).toHaveLength(school.results.length);
    expect(outcome.problems).toEqual([]);
    expect(repeated(outcome.pupils.map((p) => p.externalId))).toEqual([]);
    expect(repeated(outcome.results.map((r) => r.externalId))).toEqual([]);
  });

  it('is complete, and leaves a cursor at the server time it began', () => {
    expect(outcome.summary?.complete).toBe(true);
    expect(outcome.summary?.cursor).toMatchObject({ version: 1, schoolId: fake.store().id });
    const since = Date.parse(String(outcome.summary?.cursor.since));
    expect(Math.abs(Date.now() - since)).toBeLessThan(60_000);
  });

  it("translates a pupil's UPN, names, birth date, sex, NC year, SEN, disadvantage, EAL", () => {
    const row = fake.store().students[137]!;
    const expected = row.pupil;
    const pupil = outcome.pupils.find((p) => p.externalId === row.upi);

    expect(pupil).toMatchObject({
      upn: expected.upn,
      formerUpn: null,
      firstName: expected.firstName,
      lastName: expected.lastName,
      dateOfBirth: expected.dateOfBirth,
      sex: expected.sex,
      senStatus: expected.senStatus,
      disadvantaged: expected.disadvantaged,
      eal: expected.eal,
      onRollFrom: expected.onRollFrom,
      onRollTo: null,
    });
    expect(parseNcYear(pupil?.ncYear ?? '')).toEqual({ ok: true, year: expected.ncYear });
  });

  it('identifies pupils by upi, never by the Wonde id that changes on re-enrolment', () => {
    const store = fake.store();
    const upis = new Set(store.students.map((s) => s.upi));
    expect(outcome.pupils.every((p) => upis.has(p.externalId))).toBe(true);
    expect(outcome.pupils.some((p) => p.externalId.startsWith('A2'))).toBe(false);
  });

  it("translates a result's aspect, value, date and result-set label", () => {
    const expected = school.results[4321]!;
    const store = fake.store();
    const pupilRow = store.students.find((s) => s.pupil.id === expected.pupilId)!;
    const aspect = school.aspects.find((a) => a.id === expected.aspectId)!;
    const result = outcome.results.find(
      (r) =>
        r.pupilExternalId === pupilRow.upi &&
        r.aspect.name === aspect.name &&
        r.periodLabel === expected.periodLabel,
    );

    expect(result).toMatchObject({
      value: expected.value,
      assessedOn: expected.assessedOn,
      periodLabel: expected.periodLabel,
      aspect: { name: aspect.name, gradeSet: aspect.gradeSet },
    });
    expect(result?.aspect.key).toMatch(/^A\d+$/);
    expect(result?.modifiedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('asks only for the includes the trust needs: no contacts, photos, medical, behaviour', () => {
    const asked = new Set<string>();
    for (const request of fake.requests) {
      const include = new URL(request.url, 'http://fake').searchParams.get('include');
      for (const name of include?.split(',') ?? []) asked.add(name);
    }
    expect([...asked].sort()).toEqual(['education_details', 'extended_details', 'year']);
  });

  it('keeps each page as received, labelled by method, path and query', () => {
    expect(outcome.rawLabels.length).toBeGreaterThan(0);
    expect(outcome.rawLabels[0]).toMatch(/^GET \/v1\.0\/schools\/A\d+\/students\?/);
    expect(outcome.checkpoints.at(-1)).toMatchObject({ phase: 'deletions' });
  });
});
