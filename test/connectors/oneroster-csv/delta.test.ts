import { beforeAll, describe, expect, test } from 'vitest';
import type { PullOutcome } from '../support.ts';
import { deltaPackage } from './fixtures/delta.ts';
import { packageZip } from './fixtures/package.ts';
import { deltaOf, HARBOUR_LANE, school } from './fixtures/schools.ts';
import { problemKeys, pullFixture } from './helpers.ts';

const sorted = (ids: string[]) => [...ids].sort();

describe('a delta OneRoster 1.2 package', () => {
  const bulk = school(HARBOUR_LANE);
  const delta = deltaOf(bulk);
  let outcome: PullOutcome;

  beforeAll(async () => {
    outcome = await pullFixture('delta-1.2.zip');
  });

  test('gives only the pupils it changes or adds, with what changed', () => {
    expect(outcome.error).toBeNull();
    expect(outcome.problems).toEqual([]);
    expect(sorted(outcome.pupils.map((p) => p.externalId))).toEqual(
      sorted([...delta.renamed, delta.joined].map((p) => p.id)),
    );
    const renamed = outcome.pupils.find((p) => p.externalId === delta.renamed[0]!.id)!;
    expect(renamed.lastName).toBe(delta.renamed[0]!.lastName);
    // The delta carries the changed pupils' demographics too, so nothing is blanked.
    expect(renamed.dateOfBirth).toBe(delta.renamed[0]!.dateOfBirth);
    const joined = outcome.pupils.find((p) => p.externalId === delta.joined.id)!;
    expect(joined).toMatchObject({ upn: delta.joined.upn, onRollFrom: '2026-01-05' });
  });

  test('gives only the results it changes or adds, with the time they changed', () => {
    expect(sorted(outcome.results.map((r) => r.externalId))).toEqual(
      sorted([...delta.changedResults, ...delta.joinedResults].map((r) => r.id)),
    );
    for (const changed of delta.changedResults) {
      const result = outcome.results.find((r) => r.externalId === changed.id)!;
      expect([result.value, result.modifiedAt]).toEqual([changed.value, delta.modifiedAt]);
    }
  });

  test('reports the pupils and results it marks tobedeleted as deletions', () => {
    expect(outcome.deletions).toEqual([
      ...delta.deletedPupils.map((id) => ({
        entity: 'pupil',
        externalId: id,
        at: delta.modifiedAt,
      })),
      ...delta.deletedResults.map((id) => ({
        entity: 'result',
        externalId: id,
        at: delta.modifiedAt,
      })),
    ]);
  });

  test('is never complete, since it holds only changes', () => {
    expect(outcome.summary?.complete).toBe(false);
  });

  test('takes changed users with no roles.csv row as pupils because they carry a UPN', () => {
    expect(outcome.events).toContainEqual({
      level: 'info',
      code: 'pupils_by_upn',
      message:
        'delta-1.2.zip/users.csv: 3 users have no row in roles.csv; they carry a UPN, so ' +
        'they were read as pupils.',
    });
  });

  test('warns that changed pupils lose birth date and sex without demographics', async () => {
    const [files, options] = deltaPackage(bulk);
    delete files['demographics.csv'];
    const modes = { ...options.modes, demographics: 'absent' as const };
    const outcome = await pullFixture('no-demographics.zip', {
      bytes: packageZip('1.2', files, { modes }),
    });

    expect(outcome.pupils.every((p) => p.dateOfBirth === null && p.sex === null)).toBe(true);
    expect(outcome.events).toContainEqual({
      level: 'warn',
      code: 'delta_without_demographics',
      message:
        "no-demographics.zip/users.csv: 4 changed pupils have no row in this delta's " +
        'demographics.csv, so their date of birth and sex were sent blank. Export demographics ' +
        'with the users they change.',
    });
  });

  test('reports each result whose line item it does not carry, and reads the rest', async () => {
    const [files, options] = deltaPackage(bulk);
    delete files['lineItems.csv'];
    const bytes = packageZip('1.2', files, { modes: { ...options.modes, lineItems: 'absent' } });

    const partial = await pullFixture('no-line-items.zip', { bytes });

    expect(partial.pupils).toHaveLength(4);
    expect(partial.results).toEqual([]);
    expect(partial.deletions).toHaveLength(12);
    const unknown = partial.problems.filter((p) => p.code === 'line_item_unknown');
    expect(unknown).toHaveLength(delta.changedResults.length + delta.joinedResults.length);
    expect(problemKeys(partial)[0]).toBe(
      'no-line-items.zip/results.csv 2 lineItemSourcedId line_item_unknown',
    );
    expect(unknown[0]!.message).toBe(
      'The line item "primary-reading-2025-autumn" is not in lineItems.csv, so this result was ' +
        'not read: without it the result has no assessment name or term. A delta package must ' +
        'carry lineItems.csv (bulk) with every line item its results use.',
    );
  });
});
