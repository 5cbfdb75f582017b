import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral, records } from '../../src/db/bulk.ts';
import { pupils, sourcePupils } from '../../src/db/schema.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { createSchool, createSource, seedTrust } from '../support/fixtures.ts';

/**
 * Rows written many at a time, one array per column: whatever a school's system typed arrives
 * exactly as it was, through either engine.
 */

let database: TestDatabase;
let schoolId: string;
let sourceId: string;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  schoolId = (await createSchool(database.db)).id;
  sourceId = (await createSource(database.db, schoolId, 'wonde')).id;
});
afterAll(() => database.close());

const AWKWARD = [
  "O'Brien-Ní Bhriain",
  'Say "hello"',
  'back\\slash \\" and \\\\',
  '{braces}, commas, (parens)',
  'NULL',
  '',
  'two\nlines\tand a tab',
  'Zoë Łukasz 李',
];

describe('rows written as arrays', () => {
  it('keeps quotes, backslashes, braces, "NULL", empty text and non-ASCII exactly', async () => {
    const written = records(
      pupils,
      AWKWARD.map((lastName, n) => ({
        schoolId,
        firstName: n === 2 ? 'NULL' : `Pupil ${n}`,
        lastName,
        upn: n === 4 ? null : `A80123451900${n}`,
        dateOfBirth: n % 2 ? '2017-03-14' : null,
        disadvantaged: n % 3 === 0,
        ncYearOrdinal: n === 5 ? null : n,
      })),
    );
    await database.db.execute(sql`insert into pupils ${written.columns} ${written.select}`);
    const back = await database.db
      .select({
        lastName: pupils.lastName,
        firstName: pupils.firstName,
        upn: pupils.upn,
        dateOfBirth: pupils.dateOfBirth,
        disadvantaged: pupils.disadvantaged,
        ncYearOrdinal: pupils.ncYearOrdinal,
      })
      .from(pupils)
      .where(eq(pupils.schoolId, schoolId))
      .orderBy(pupils.firstName);
    expect(back.map((row) => row.lastName).sort()).toEqual([...AWKWARD].sort());
    const fourth = back.find((row) => row.lastName === 'NULL')!;
    expect(fourth).toMatchObject({ upn: null, disadvantaged: false, ncYearOrdinal: 4 });
    const third = back.find((row) => row.firstName === 'NULL')!;
    expect(third).toMatchObject({ dateOfBirth: null, disadvantaged: false, ncYearOrdinal: 2 });
    const sixth = back.find((row) => row.lastName === '')!;
    expect(sixth).toMatchObject({ dateOfBirth: '2017-03-14', ncYearOrdinal: null });
  });

  it('writes a JSON column from objects, with awkward text inside them', async () => {
    const record = { surname: 'Say "hello"', notes: 'back\\slash, {braces}', tags: ['a', null] };
    const written = records(sourcePupils, [
      { sourceId, externalId: 'ext-1', record, fingerprint: 'f1', upn: null },
      { sourceId, externalId: 'ext-2', record: { surname: 'NULL' }, fingerprint: 'f2', upn: null },
    ]);
    await database.db.execute(sql`insert into source_pupils ${written.columns} ${written.select}`);
    const back = await database.db
      .select({ externalId: sourcePupils.externalId, record: sourcePupils.record })
      .from(sourcePupils)
      .where(eq(sourcePupils.sourceId, sourceId))
      .orderBy(sourcePupils.externalId);
    expect(back).toEqual([
      { externalId: 'ext-1', record },
      { externalId: 'ext-2', record: { surname: 'NULL' } },
    ]);
  });

  it('quotes every element, so NULL is only ever a missing value', () => {
    expect(arrayLiteral(['NULL', null, 'a"b', 'c\\d', 3, true])).toBe(
      '{"NULL",NULL,"a\\"b","c\\\\d","3","true"}',
    );
  });

  it('refuses a column the table does not have, naming it', () => {
    expect(() => records(pupils, [{ nickname: 'Mo' } as never])).toThrow(
      'pupils has no column for "nickname"',
    );
  });
});
