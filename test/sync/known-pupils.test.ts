import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourcePupil } from '../../src/connectors/contract.ts';
import { pupilMatchSuggestions, pupils, sourcePupils } from '../../src/db/schema.ts';
import { stagePupils } from '../../src/sync/stage-pupils.ts';
import { emptyCounts, type StagingScope } from '../../src/sync/staging-scope.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { createPupil, createSchool, createSource, seedTrust, TODAY } from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';

// Pupils new to a source are looked up on the school's roll by UPN, former UPN and birthday,
// each an index probe; these cases pin what each probe must find, on a roll of a few hundred.

let database: TestDatabase;
let school: { id: string };
let other: { id: string };

const record = (overrides: Partial<SourcePupil>): SourcePupil => ({
  externalId: 'mis-1',
  upn: null,
  formerUpn: null,
  firstName: 'Amara',
  lastName: 'Okafor',
  dateOfBirth: '2017-03-14',
  sex: 'F',
  ncYear: 'Year 4',
  senStatus: 'N',
  disadvantaged: false,
  eal: true,
  onRollFrom: '2021-09-01',
  onRollTo: null,
  ...overrides,
});

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  school = await createSchool(database.db);
  other = await createSchool(database.db, {
    name: 'Riverside Academy',
    urn: '139876',
    laestab: '8013456',
  });
  // A roll the probes must pick out of, and the same UPNs and birthdays at another school.
  for (let serial = 1; serial <= 300; serial += 1) {
    const values = {
      upn: makeUpn(801, 2345, 17, serial),
      firstName: `Pupil${serial}`,
      lastName: 'Roll',
      dateOfBirth: `2017-0${1 + (serial % 9)}-1${serial % 10}`,
    };
    await createPupil(database.db, school.id, values);
    await createPupil(database.db, other.id, { ...values, upn: makeUpn(801, 3456, 17, serial) });
  }
});
afterAll(() => database.close());

async function stage(page: SourcePupil[]) {
  const source = await createSource(database.db, school.id, 'wonde');
  const scope: StagingScope = {
    runId: crypto.randomUUID(),
    sourceId: source.id,
    schoolId: school.id,
    mode: 'full',
    years: [],
    collections: new Map(),
    collectionOverride: null,
    fileName: null,
    today: TODAY,
    aspects: new Map(),
    mostlyUnchanged: true,
    keptPages: null,
    resultPages: 0,
    pagesAsBefore: 0,
    placements: new Map(),
  };
  const counts = emptyCounts();
  await database.db.transaction((tx) => stagePupils(tx, scope, page, 'pupils page 1', counts));
  const links = await database.db
    .select({ externalId: sourcePupils.externalId, pupilId: sourcePupils.pupilId })
    .from(sourcePupils)
    .where(eq(sourcePupils.sourceId, source.id));
  return { counts, links: new Map(links.map((link) => [link.externalId, link.pupilId])) };
}

describe('a pupil new to a source', () => {
  it('is the pupil the school holds under the same UPN, at this school only', async () => {
    const upn = makeUpn(801, 2345, 17, 123);
    const [held] = await database.db.select().from(pupils).where(eq(pupils.upn, upn));
    const { counts, links } = await stage([
      record({ externalId: 'w-123', upn, firstName: 'Pupil123', lastName: 'Roll' }),
    ]);
    expect(links.get('w-123')).toBe(held!.id);
    expect(counts.pupilsNew).toBe(0);
  });

  it('is the pupil held under the UPN it gives as former, and takes the new one', async () => {
    const old = makeUpn(801, 2345, 17, 200);
    const [held] = await database.db.select().from(pupils).where(eq(pupils.upn, old));
    const renumbered = makeUpn(801, 2345, 18, 200);
    const { counts, links } = await stage([
      record({ externalId: 'w-200', upn: renumbered, formerUpn: old, lastName: 'Roll' }),
    ]);
    expect(links.get('w-200')).toBe(held!.id);
    expect(counts.pupilsNew).toBe(0);
    const [now] = await database.db.select().from(pupils).where(eq(pupils.id, held!.id));
    expect(now!.upn).toBe(renumbered);
  });

  it('under a UPN the school has since replaced, is the pupil who held it before', async () => {
    const replaced = makeUpn(801, 2345, 15, 77);
    const held = await createPupil(database.db, school.id, {
      upn: makeUpn(801, 2345, 16, 77),
      formerUpn: replaced,
      firstName: 'Tomasz',
      lastName: 'Nowak',
      dateOfBirth: '2015-06-02',
    });
    // A tracker that still has the old UPN.
    const { counts, links } = await stage([
      record({ externalId: 't-77', upn: replaced, firstName: 'Tomasz', lastName: 'Nowak' }),
    ]);
    expect(links.get('t-77')).toBe(held.id);
    expect(counts.pupilsNew).toBe(0);
    // The old tracker does not give the pupil their old UPN back.
    const [now] = await database.db.select().from(pupils).where(eq(pupils.id, held.id));
    expect({ upn: now!.upn, formerUpn: now!.formerUpn }).toEqual({
      upn: makeUpn(801, 2345, 16, 77),
      formerUpn: replaced,
    });
  });

  it('without a UPN, is suggested as the pupil with its name and birthday, and waits', async () => {
    const [held] = await database.db
      .select()
      .from(pupils)
      .where(eq(pupils.upn, makeUpn(801, 2345, 17, 45)));
    const { counts, links } = await stage([
      record({
        externalId: 't-45',
        firstName: 'pupil45 ',
        lastName: 'ROLL',
        dateOfBirth: held!.dateOfBirth,
      }),
    ]);
    expect(links.get('t-45')).toBeNull();
    expect(counts.problems.map((problem) => problem.code)).toEqual(['pupil_match_suggested']);
    const suggested = await database.db
      .select({ pupilId: pupilMatchSuggestions.pupilId })
      .from(pupilMatchSuggestions);
    expect(suggested).toContainEqual({ pupilId: held!.id });
  });

  it('with a UPN, is suggested as a UPN-less namesake, not as one with a UPN', async () => {
    const unnumbered = await createPupil(database.db, school.id, {
      upn: null,
      firstName: 'Sana',
      lastName: 'Begum',
      dateOfBirth: '2016-11-01',
    });
    // Same name and birthday, but the school holds them under a UPN of their own: someone else.
    await createPupil(database.db, school.id, {
      upn: makeUpn(801, 2345, 16, 900),
      firstName: 'Jon',
      lastName: 'Hale',
      dateOfBirth: '2016-11-01',
    });
    const { counts, links } = await stage([
      record({
        externalId: 'w-901',
        upn: makeUpn(801, 2345, 16, 901),
        firstName: 'Sana',
        lastName: 'Begum',
        dateOfBirth: '2016-11-01',
      }),
      record({
        externalId: 'w-902',
        upn: makeUpn(801, 2345, 16, 902),
        firstName: 'Jon',
        lastName: 'Hale',
        dateOfBirth: '2016-11-01',
      }),
    ]);
    expect(links.get('w-901')).toBeNull();
    const waiting = await database.db
      .select()
      .from(pupilMatchSuggestions)
      .where(eq(pupilMatchSuggestions.pupilId, unnumbered.id));
    expect(waiting).toHaveLength(1);
    // Two UPNs that differ are two pupils: the second is new, not a suggestion.
    expect(links.get('w-902')).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect(counts.pupilsNew).toBe(1);
  });
});
