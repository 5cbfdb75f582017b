import { describe, expect, it } from 'vitest';
import { repeated } from '../support.ts';
import { configFor, fakeArbor, pull, smallSchool } from './helpers.ts';

describe('resuming an Arbor pull', () => {
  it('continues after a failure on page 3 of pupils, skipping and repeating none', async () => {
    const school = smallSchool(120);
    const fake = await fakeArbor({
      school,
      faults: { serverError: { resource: 'students', page: 3 } },
    });
    const config = configFor(fake);

    const failed = await pull(config);
    expect(failed.error).toMatchObject({
      code: 'server_error',
      category: 'transient',
      attempts: 3,
    });
    const checkpoint = failed.checkpoints.at(-1)!;
    expect(checkpoint).toMatchObject({ mode: 'full', step: 'pupils', page: 3 });

    fake.setFaults({});
    const resumed = await pull(config, { resumeFrom: checkpoint });

    expect(resumed.error).toBeNull();
    const ids = [...failed.pupils, ...resumed.pupils].map((pupil) => pupil.externalId);
    expect(repeated(ids)).toEqual([]);
    expect(new Set(ids)).toEqual(new Set(school.pupils.map((p) => fake.studentId(p.id))));
    expect(resumed.results).toHaveLength(school.results.length);
    expect(resumed.summary?.complete).toBe(true);
  });

  it('continues after a failure on a page of results, skipping and repeating none', async () => {
    const school = smallSchool(60);
    const fake = await fakeArbor({
      school,
      faults: { serverError: { resource: 'student-progress-assessment-marks', page: 4 } },
    });
    const config = configFor(fake);

    const failed = await pull(config);
    expect(failed.error).toMatchObject({ code: 'server_error' });
    fake.setFaults({});
    const resumed = await pull(config, { resumeFrom: failed.checkpoints.at(-1)! });

    expect(resumed.pupils).toEqual([]);
    const ids = [...failed.results, ...resumed.results].map((result) => result.externalId);
    expect(repeated(ids)).toEqual([]);
    expect(new Set(ids)).toEqual(new Set(school.results.map((r) => fake.markId(r.id))));
  });

  it('continues an incremental pull part-way through a changelog', async () => {
    const fake = await fakeArbor({ school: smallSchool(60) });
    const config = configFor(fake, { pageSize: 10 });
    const full = await pull(config);
    const changed = fake.changeResults(35);

    fake.setFaults({ serverError: { resource: 'student-progress-assessment-marks', page: 3 } });
    const failed = await pull(config, { mode: 'incremental', cursor: full.summary!.cursor });
    expect(failed.error).toMatchObject({ code: 'server_error' });
    fake.setFaults({});
    const resumed = await pull(config, {
      mode: 'incremental',
      cursor: full.summary!.cursor,
      resumeFrom: failed.checkpoints.at(-1)!,
    });

    const ids = [...failed.results, ...resumed.results].map((result) => result.externalId);
    expect(repeated(ids)).toEqual([]);
    expect(ids.sort()).toEqual([...changed].sort());
  });

  it('starts over, and says so, when the saved checkpoint is not one it wrote', async () => {
    const school = smallSchool(30);
    const fake = await fakeArbor({ school });

    const outcome = await pull(configFor(fake), { resumeFrom: { page: 'two' } });

    expect(outcome.pupils).toHaveLength(school.pupils.length);
    expect(outcome.events.map((event) => event.code)).toContain('checkpoint_unreadable');
  });
});
