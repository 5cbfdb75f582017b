import { describe, expect, it } from 'vitest';
import { repeated } from '../support.ts';
import { configFor, fakeArbor, largeSchool, pull, requestsTo, smallSchool } from './helpers.ts';

describe('a full pull from Arbor', () => {
  it('reads every pupil and result of a 1,500-pupil school, translating each field', async () => {
    const school = largeSchool();
    const fake = await fakeArbor({ school });

    const outcome = await pull(configFor(fake, { pageSize: 500 }));

    expect(outcome.error).toBeNull();
    expect(outcome.problems).toEqual([]);
    expect(outcome.summary?.complete).toBe(true);
    expect(outcome.pupils).toHaveLength(school.pupils.length);
    expect(outcome.results).toHaveLength(school.results.length);
    expect(repeated(outcome.pupils.map((pupil) => pupil.externalId))).toEqual([]);
    expect(repeated(outcome.results.map((result) => result.externalId))).toEqual([]);

    const synthetic = school.pupils.find((p) => p.senStatus === 'K' && p.eal && p.disadvantaged)!;
    const pupil = outcome.pupils.find((p) => p.externalId === fake.studentId(synthetic.id));
    expect(pupil).toEqual({
      externalId: fake.studentId(synthetic.id),
      upn: synthetic.upn,
      formerUpn: null,
      firstName: synthetic.firstName,
      lastName: synthetic.lastName,
      dateOfBirth: synthetic.dateOfBirth,
      sex: synthetic.sex,
      ncYear: synthetic.ncYear === 'R' ? 'Reception' : `Year ${synthetic.ncYear.slice(1)}`,
      senStatus: 'K',
      disadvantaged: true,
      eal: true,
      onRollFrom: synthetic.onRollFrom,
      onRollTo: null,
    });

    const mark = school.results.find((r) => r.pupilId === synthetic.id)!;
    const aspect = school.aspects.find((a) => a.id === mark.aspectId)!;
    const result = outcome.results.find((r) => r.externalId === fake.markId(mark.id));
    expect(result).toEqual({
      externalId: fake.markId(mark.id),
      pupilExternalId: fake.studentId(synthetic.id),
      aspect: { key: fake.assessmentId(aspect.id), name: aspect.name, gradeSet: aspect.gradeSet },
      value: mark.value,
      assessedOn: mark.assessedOn,
      periodLabel: mark.periodLabel,
      modifiedAt: mark.modifiedAt,
    });
  });

  it('reads each status as it stands today, and the UPN a pupil had before', async () => {
    const school = smallSchool(120);
    const fake = await fakeArbor({ school });

    const outcome = await pull(configFor(fake));

    const byId = new Map(outcome.pupils.map((pupil) => [pupil.externalId, pupil]));
    for (const synthetic of school.pupils) {
      const pupil = byId.get(fake.studentId(synthetic.id))!;
      expect(pupil.senStatus).toBe(synthetic.senStatus);
      expect(pupil.disadvantaged).toBe(synthetic.disadvantaged);
      expect(pupil.eal).toBe(synthetic.eal);
      expect(pupil.upn).toBe(synthetic.upn);
    }
    // The fake gives every 40th student a temporary UPN before the permanent one.
    const arrived = byId.get('40')!;
    expect(arrived.formerUpn).toMatch(/^[A-Z]\d{11}A$/);
    expect(arrived.formerUpn).not.toBe(arrived.upn);
  });

  it('fetches each record when the listings carry bare refs, and reads the same', async () => {
    const school = smallSchool(30);
    const full = await fakeArbor({ school });
    const bare = await fakeArbor({ school, detail: 'summary' });

    const fromFull = await pull(configFor(full));
    const fromBare = await pull(configFor(bare));

    expect(fromBare.error).toBeNull();
    expect(fromBare.pupils).toEqual(fromFull.pupils);
    expect(fromBare.results).toEqual(fromFull.results);
    // One GET per student and per person, and per mark, on top of the listings.
    expect(requestsTo(bare, 'students').length).toBeGreaterThan(school.pupils.length);
    expect(requestsTo(bare, 'people')).toHaveLength(school.pupils.length);
  });

  it('keeps the answers each page was built from, labelled with their requests', async () => {
    const fake = await fakeArbor({ school: smallSchool(30) });

    const outcome = await pull(configFor(fake));

    expect(outcome.rawLabels[0]).toMatch(
      /^GET \/rest-v2\/students\?order-property=id&page-size=25&page-number=1 and \d+ more/,
    );
    expect(outcome.rawLabels.every((label) => label.startsWith('GET /rest-v2/'))).toBe(true);
  });

  it('leaves out marks that have no grade, and says how many in the run log', async () => {
    const school = smallSchool(30);
    const fake = await fakeArbor({ school, notSubmitted: 4 });

    const outcome = await pull(configFor(fake));

    expect(outcome.results).toHaveLength(school.results.length);
    expect(outcome.events).toContainEqual({
      level: 'info',
      code: 'marks_not_submitted',
      message: 'Left out 4 Arbor marks that have no grade (not submitted, or left blank).',
    });
  });

  it('asks only for marks from the configured date and assessments', async () => {
    const school = smallSchool(30);
    const fake = await fakeArbor({ school });
    const reading = school.aspects[0]!;

    const outcome = await pull(
      configFor(fake, {
        resultsFrom: '2025-04-01',
        assessmentIds: [fake.assessmentId(reading.id)],
      }),
    );

    const expected = school.results.filter(
      (r) => r.assessedOn >= '2025-04-01' && r.aspectId === reading.id,
    );
    expect(outcome.results.map((r) => r.externalId).sort()).toEqual(
      expected.map((r) => fake.markId(r.id)).sort(),
    );
    expect(requestsTo(fake, 'student-progress-assessment-marks')[0]).toContain(
      'filters.assessmentDate.from=2025-04-01',
    );
  });

  it('reports pupils whose names Arbor withholds, naming the permission to grant', async () => {
    const school = smallSchool(30);
    const fake = await fakeArbor({ school, faults: { stripped: ['people'] } });

    const outcome = await pull(configFor(fake));

    expect(outcome.pupils).toEqual([]);
    expect(outcome.problems).toHaveLength(school.pupils.length);
    expect(outcome.problems[0]).toMatchObject({
      location: '/rest-v2/students/1',
      field: 'person',
      code: 'person_unreadable',
    });
    expect(outcome.problems[0]!.message).toContain(
      'let the Next Steps Sync application read Person',
    );
    expect(outcome.results).toHaveLength(school.results.length);
  });

  it('reports a pupil whose person cannot be read as a problem, and keeps the rest', async () => {
    const school = smallSchool(30);
    const fake = await fakeArbor({ school });
    const person = fake.store.find(fake.store.table('students').get(3)!.person as never)!;
    person.legalLastName = null;
    person.preferredLastName = null;

    const outcome = await pull(configFor(fake));

    expect(outcome.pupils).toHaveLength(school.pupils.length - 1);
    expect(outcome.problems).toEqual([
      {
        location: '/rest-v2/students/3',
        row: null,
        field: 'person.legalLastName',
        code: 'name_missing',
        message:
          'Arbor student 3 has no last name in Arbor, so they were left out. Add it to their ' +
          'Arbor record and run the sync again.',
      },
    ]);
  });
});
