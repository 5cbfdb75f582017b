import { describe, expect, it } from 'vitest';
import { readDate, readTimestamp } from '../../../src/connectors/wonde/dates.ts';
import { translateStudents, withheldPermissions } from '../../../src/connectors/wonde/pupils.ts';

const LOCATION = 'GET /v1.0/schools/A1/students?page=1';

function student(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'A2048815113',
    upi: '0f3c9a7de21b4c66a1d9e0b7c5a2f341',
    mis_id: '4417',
    forename: 'Ruth',
    surname: 'Okoro',
    legal_forename: 'Ruth',
    legal_surname: 'Okoro',
    gender: 'FEMALE',
    date_of_birth: {
      date: '2014-06-02 00:00:00.000000',
      timezone_type: 3,
      timezone: 'Europe/London',
    },
    education_details: {
      data: {
        upn: 'H801200001017',
        former_upn: null,
        current_nc_year: '5',
        admission_date: '2019-09-04',
        leaving_date: null,
      },
    },
    extended_details: {
      data: {
        sen_status: 'K',
        free_school_meals: false,
        free_school_meals_6: true,
        premium_pupil_indicator: false,
        english_as_additional_language: false,
      },
    },
    year: { data: { id: 'A1102939001', code: '5', name: 'Year 5' } },
    ...overrides,
  };
}

describe('Wonde dates and times', () => {
  it('keeps the date of a London midnight, which in UTC is the day before', () => {
    const midnight = {
      date: '2014-06-02 00:00:00.000000',
      timezone_type: 3,
      timezone: 'Europe/London',
    };
    expect(readDate(midnight)).toEqual({ ok: true, value: '2014-06-02' });
    expect(readTimestamp(midnight)).toEqual({ ok: true, value: '2014-06-01T23:00:00.000Z' });
  });

  it('reads UTC DateTime objects, plain strings and offsets as instants', () => {
    const utc = { date: '2025-01-14 02:05:11.000000', timezone_type: 3, timezone: 'UTC' };
    expect(readTimestamp(utc)).toEqual({ ok: true, value: '2025-01-14T02:05:11.000Z' });
    expect(readTimestamp('2025-01-14 02:05:11')).toEqual({
      ok: true,
      value: '2025-01-14T02:05:11.000Z',
    });
    const offset = { date: '2025-07-01 10:00:00.000000', timezone_type: 1, timezone: '+01:00' };
    expect(readTimestamp(offset)).toEqual({ ok: true, value: '2025-07-01T09:00:00.000Z' });
    expect(
      readTimestamp({ date: '2025-07-01 10:00:00', timezone_type: 2, timezone: 'BST' }),
    ).toEqual({
      ok: true,
      value: '2025-07-01T09:00:00.000Z',
    });
  });

  it('keeps the fraction of a second to the millisecond, as written', () => {
    const utc = { date: '2025-01-14 02:05:11.570000', timezone_type: 3, timezone: 'UTC' };
    expect(readTimestamp(utc)).toEqual({ ok: true, value: '2025-01-14T02:05:11.570Z' });
    const london = { date: '2025-07-01 10:00:00.5', timezone_type: 3, timezone: 'Europe/London' };
    expect(readTimestamp(london)).toEqual({ ok: true, value: '2025-07-01T09:00:00.500Z' });
  });

  it('refuses a time of day no clock shows', () => {
    expect(readTimestamp('2025-01-14 25:00:00')).toEqual({
      ok: false,
      reason: '"2025-01-14 25:00:00" is not a time',
    });
    expect(readTimestamp({ date: '2025-01-14 10:61:00', timezone: 'UTC' })).toMatchObject({
      ok: false,
    });
  });

  it('says what is wrong with a date it cannot read', () => {
    expect(readDate('31/02/2014')).toEqual({ ok: false, reason: '"31/02/2014" is not a date' });
    expect(readTimestamp({ date: '2025-01-14 02:05:11', timezone: 'Mars/Olympus' })).toMatchObject({
      ok: false,
    });
  });
});

describe('Wonde students', () => {
  it('translates upper-case gender, SEN codes and disadvantage from Ever 6 alone', () => {
    const [pupil] = translateStudents([student()], LOCATION, { names: 'preferred' }).pupils;
    expect(pupil).toEqual({
      externalId: '0f3c9a7de21b4c66a1d9e0b7c5a2f341',
      upn: 'H801200001017',
      formerUpn: null,
      firstName: 'Ruth',
      lastName: 'Okoro',
      dateOfBirth: '2014-06-02',
      sex: 'F',
      ncYear: '5',
      senStatus: 'K',
      disadvantaged: true,
      eal: false,
      onRollFrom: '2019-09-04',
      onRollTo: null,
    });
  });

  it('gives legal names when the source asks for them', () => {
    const record = student({ forename: 'Ruthie', legal_forename: 'Ruth' });
    const [preferred] = translateStudents([record], LOCATION, { names: 'preferred' }).pupils;
    const [legal] = translateStudents([record], LOCATION, { names: 'legal' }).pupils;
    expect([preferred?.firstName, legal?.firstName]).toEqual(['Ruthie', 'Ruth']);
  });

  it('skips a student with no upi as a problem, and keeps the rest of the page', () => {
    const page = translateStudents(
      [student({ upi: null }), student({ upi: 'b'.repeat(32) })],
      LOCATION,
      {
        names: 'preferred',
      },
    );
    expect(page.pupils.map((p) => p.externalId)).toEqual(['b'.repeat(32)]);
    expect(page.problems).toEqual([
      expect.objectContaining({ location: LOCATION, field: 'upi', code: 'wonde_student_no_upi' }),
    ]);
    expect(page.problems[0]?.message).toContain('Student A2048815113 (MIS id 4417)');
    expect(page.problems[0]?.message).not.toContain('Okoro');
  });

  it('keeps a pupil with an unreadable field, leaving that field blank and naming it', () => {
    const page = translateStudents(
      [student({ gender: 'X', date_of_birth: '02/06/2014' })],
      LOCATION,
      {
        names: 'preferred',
      },
    );
    expect(page.pupils[0]).toMatchObject({ sex: null, dateOfBirth: null, upn: 'H801200001017' });
    expect(page.problems.map((p) => p.field)).toEqual(['date_of_birth', 'gender']);
  });

  it('takes old SEN codes to their current meaning: a statement is an EHC plan', () => {
    const statement = student({ extended_details: { data: { sen_status: 'S' } } });
    const [pupil] = translateStudents([statement], LOCATION, { names: 'preferred' }).pupils;
    expect(pupil?.senStatus).toBe('E');
  });

  it('tells a withheld include from one pupil without a date of birth', () => {
    const withheld = [student({ extended_details: null }), student({ extended_details: null })];
    expect(withheldPermissions(withheld, { fieldsToo: false })).toEqual(['extended_details']);
    const oneWithout = [student({ date_of_birth: null }), student()];
    expect(withheldPermissions(oneWithout, { fieldsToo: true })).toEqual([]);
  });
});
