import { beforeAll, describe, expect, test } from 'vitest';
import { parseNcYear } from '../../../src/domain/nc-year.ts';
import type { SyntheticSchool } from '../../../src/fakes/school.ts';
import { type PullOutcome, repeated } from '../support.ts';
import { bulkFiles, lineItemId, packageZip, resultLineItem, termOf } from './fixtures/package.ts';
import { BROOK_STREET, HARBOUR_LANE, KINGSMEAD, school } from './fixtures/schools.ts';
import { pullDiesAfter, pullFixture } from './helpers.ts';

/**
 * The synthetic generator leaves some Key Stage 3 grades undefined (see the report); a package
 * writes them as a blank score, which a pull passes over as not yet entered.
 */
const scored = (synthetic: SyntheticSchool) =>
  synthetic.results.filter((result) => typeof result.value === 'string' && result.value !== '');

const sorted = (ids: string[]) => [...ids].sort();

describe('a bulk OneRoster 1.2 package of a 1,500-pupil primary', () => {
  const synthetic = school(HARBOUR_LANE);
  let outcome: PullOutcome;

  beforeAll(async () => {
    outcome = await pullFixture('bulk-1.2.zip');
  });

  test('gives every pupil and result of three subjects over three terms, and is complete', () => {
    expect(outcome.error).toBeNull();
    expect(outcome.problems).toEqual([]);
    expect(outcome.pupils).toHaveLength(1500);
    expect(sorted(outcome.pupils.map((p) => p.externalId))).toEqual(
      sorted(synthetic.pupils.map((p) => p.id)),
    );
    expect(outcome.results).toHaveLength(synthetic.results.length);
    expect(sorted(outcome.results.map((r) => r.externalId))).toEqual(
      sorted(synthetic.results.map((r) => r.id)),
    );
    expect(repeated(outcome.results.map((r) => r.externalId))).toEqual([]);
    expect(new Set(outcome.results.map((r) => r.aspect.name)).size).toBe(3);
    expect(new Set(outcome.results.map((r) => r.periodLabel))).toEqual(
      new Set(['Spring 2025', 'Summer 2025', 'Autumn 2025']),
    );
    expect(outcome.deletions).toEqual([]);
    expect(outcome.summary?.complete).toBe(true);
  });

  test("translates a pupil's UPN, names, birth date, sex, year, SEN, disadvantage and EAL", () => {
    const expected = synthetic.pupils[123]!;
    const pupil = outcome.pupils.find((p) => p.externalId === expected.id)!;

    expect(pupil).toEqual({
      externalId: expected.id,
      upn: expected.upn,
      formerUpn: null,
      firstName: expected.firstName,
      lastName: expected.lastName,
      dateOfBirth: expected.dateOfBirth,
      sex: expected.sex,
      ncYear: pupil.ncYear,
      senStatus: expected.senStatus,
      disadvantaged: expected.disadvantaged,
      eal: expected.eal,
      onRollFrom: expected.onRollFrom,
      onRollTo: null,
    });
    expect(parseNcYear(pupil.ncYear!)).toEqual({ ok: true, year: expected.ncYear });
  });

  test("translates a result's line item, local grade, date and term", () => {
    const expected = synthetic.results[4321]!;
    const result = outcome.results.find((r) => r.externalId === expected.id)!;
    const { startYear, term } = termOf(expected);
    const aspect = synthetic.aspects.find((a) => a.id === expected.aspectId)!;

    expect(result).toEqual({
      externalId: expected.id,
      pupilExternalId: expected.pupilId,
      aspect: {
        key: lineItemId(aspect.id, startYear, term),
        name: aspect.name,
        gradeSet: 'Primary',
      },
      value: expected.value,
      assessedOn: expected.assessedOn,
      periodLabel: expected.periodLabel,
      // A bulk file leaves dateLastModified blank (research A.8).
      modifiedAt: null,
    });
  });

  test('sends pages of at most 500 records, pupils first, each with the rows it came from', () => {
    const sizes = outcome.checkpoints.length;
    expect(sizes).toBe(Math.ceil(1500 / 500) + Math.ceil(synthetic.results.length / 500));
    expect(outcome.rawLabels[0]).toBe('bulk-1.2.zip/users.csv rows 2-501');
    expect(outcome.rawLabels.at(-1)).toMatch(/^bulk-1\.2\.zip\/results\.csv rows \d+-\d+$/);
    expect(outcome.checkpoints[0]).toMatchObject({ file: 'users', rows: { pupils: 501 } });
  });

  test("keeps each page's CSV rows, under its header, as the page's raw payload", async () => {
    const { pages } = await pullDiesAfter('bulk-1.2.zip', 2);
    const lines = pages[1]!.raw!.body.toString('utf8').split('\r\n');

    expect(pages[1]!.raw).toMatchObject({
      label: 'bulk-1.2.zip/users.csv rows 502-1001',
      contentType: 'text/csv; charset=utf-8',
    });
    expect(lines[0]).toMatch(/^sourcedId,status,dateLastModified,enabledUser,username,/);
    expect(lines.slice(1, -1)).toHaveLength(500);
    expect(lines[1]).toMatch(new RegExp(`^${synthetic.pupils[500]!.id},`));
  });

  test('passes over the teachers, and says so in the run log', () => {
    expect(outcome.events).toContainEqual({
      level: 'info',
      code: 'users_not_pupils',
      message:
        'bulk-1.2.zip/users.csv: 3 users are not pupils (teachers, parents and other roles) ' +
        'and were passed over.',
    });
  });

  test('groups results under their categories when the source is set to', async () => {
    const grouped = await pullFixture('bulk-1.2.zip', { settings: { aspectFrom: 'category' } });
    const aspects = new Map(grouped.results.map((r) => [r.aspect.key, r.aspect]));

    expect([...aspects.values()]).toEqual(
      synthetic.aspects.map((a) => ({ key: a.id, name: a.name, gradeSet: a.gradeSet })),
    );
  });
});

describe('a bulk OneRoster 1.1 package of a 1,500-pupil secondary', () => {
  const synthetic = school(KINGSMEAD);
  let outcome: PullOutcome;

  beforeAll(async () => {
    outcome = await pullFixture('bulk-1.1.zip');
  });

  test('gives every pupil and every scored result, and is complete', () => {
    expect(outcome.error).toBeNull();
    expect(outcome.problems).toEqual([]);
    expect(outcome.pupils).toHaveLength(1500);
    expect(sorted(outcome.results.map((r) => r.externalId))).toEqual(
      sorted(scored(synthetic).map((r) => r.id)),
    );
    expect(outcome.summary?.complete).toBe(true);
  });

  test('reads the role from users.csv and the term from gradingPeriodSourcedId', () => {
    const expected = scored(synthetic)[777]!;
    const result = outcome.results.find((r) => r.externalId === expected.id)!;
    const pupil = outcome.pupils.find((p) => p.externalId === expected.pupilId)!;

    expect(result.aspect.key).toBe(resultLineItem(expected));
    expect(result.aspect.gradeSet).toBeNull();
    expect(result.value).toBe(expected.value);
    expect(result.periodLabel).toBe(expected.periodLabel);
    // 1.1 has no roles.csv, so no on-roll dates.
    expect(pupil.onRollFrom).toBeNull();
    expect(pupil.upn).toBe(synthetic.pupils.find((p) => p.id === expected.pupilId)!.upn);
  });

  test('passes over results with no score, and says how many', () => {
    const blank = synthetic.results.length - scored(synthetic).length;
    expect(blank).toBeGreaterThan(0);
    expect(outcome.events).toContainEqual({
      level: 'info',
      code: 'results_unscored',
      message: `bulk-1.1.zip/results.csv: ${blank} results have no score yet and were passed over.`,
    });
  });
});

describe('variants real exporters write', () => {
  test("a 1.2 users.csv with the first binding's resourceSourcedIds column is read", async () => {
    const outcome = await pullFixture('resource-sourced-ids-1.2.zip');

    expect(outcome.problems).toEqual([]);
    expect(outcome.pupils).toHaveLength(12);
    expect(outcome.summary?.complete).toBe(true);
  });

  test('a users.csv with columns reordered is refused, or read by name if so set', async () => {
    const files = bulkFiles(BROOK_STREET, school(BROOK_STREET), '1.2');
    // givenName and familyName swapped, header and rows alike.
    const swap = (cells: string[]) => {
      const [given, family] = [cells[6]!, cells[7]!];
      cells[6] = family;
      cells[7] = given;
    };
    for (const cells of files['users.csv']!) swap(cells);
    const bytes = packageZip('1.2', files);

    const exact = await pullFixture('reordered.zip', { bytes });
    const byName = await pullFixture('reordered.zip', {
      bytes,
      settings: { headerOrder: 'names' },
    });

    expect(exact.pupils).toHaveLength(0);
    expect(exact.problems.map((p) => [p.location, p.row, p.field, p.code])).toEqual([
      ['reordered.zip/users.csv', 1, 'givenName', 'headers_mismatch'],
    ]);
    expect(exact.problems[0]!.message).toContain(
      'column 7 is "familyName" where OneRoster 1.2 has "givenName"',
    );
    expect(byName.problems).toEqual([]);
    expect(byName.pupils.map((p) => p.firstName)).toEqual(
      school(BROOK_STREET).pupils.map((p) => p.firstName),
    );
  });

  test('line items and results of the 1.2 Assessment Results Profile come through', async () => {
    const outcome = await pullFixture('assessment-1.2.zip');
    const phonics = outcome.results.filter((r) => r.aspect.key === 'phonics-check');

    expect(outcome.problems).toEqual([]);
    expect(phonics).toHaveLength(5);
    expect(phonics[0]).toMatchObject({
      aspect: { key: 'phonics-check', name: 'Phonics screening check', gradeSet: null },
      value: '30',
      assessedOn: '2025-12-08',
      periodLabel: 'Autumn 2025',
    });
  });
});
