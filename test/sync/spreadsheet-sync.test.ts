import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aspects, gradeRules, nxPoints, subjectMappings, syncRuns } from '../../src/db/schema.ts';
import {
  decideGradeRules,
  decideSubjectMappings,
  proposeGradeRule,
} from '../../src/sync/mapping.ts';
import { excludedPupils, missingPupils, unmappedValues } from '../../src/sync/reconcile.ts';
import { replayRun } from '../../src/sync/runs.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST, drain, testEngine, uploadAndRun } from '../support/engine.ts';
import {
  collectionId,
  createPupil,
  createSchool,
  createSource,
  seedTrust,
  subjectId,
  TODAY,
} from '../support/fixtures.ts';
import { landedPoints, syncedRows } from '../support/landed.ts';
import { makeUpn } from '../support/upn.ts';

const upn = (serial: number) => makeUpn(801, 2345, 19, serial);

const RETURN = [
  'Nexus MAT termly Next Steps return,,,,,,,,,,,,',
  'UPN,Surname,Forename,Date of birth,Year group,Sex,SEN status,Disadvantaged,EAL,' +
    'Assessment date,Reading,Writing,Maths',
  `${upn(1)},Okafor,Amara,14/03/2020,Y2,F,N,N,Y,27/11/2026,EXS,WTS,EXS`,
  `${upn(2)},Nowak,Tomasz,02/09/2019,Y2,M,K,Y,Y,27/11/2026,GDS,EXS,Secure+`,
  `${upn(3)},Hughes,Ellie-May,21/06/2016,Y6,F,N,N,N,27/11/2026,EXS,EXS,GDS`,
  `${upn(4)},Begum,Ayesha,05/01/2016,Y6,F,E,Y,Y,27/11/2026,PK4,PK3,PK4`,
  `${upn(5)},O'Brien,Callum,30/10/2015,Y6,M,N,Y,N,27/11/2026,WTS,WTS,EXS`,
  `${upn(6)},Patel,Riya,11/11/2016,Y5,F,N,N,Y,27/11/2026,NX8,NX8,NX9`,
  '',
].join('\r\n');

const AUTUMN = '(Autumn 2026/27)';

let database: TestDatabase;
let school: Awaited<ReturnType<typeof createSchool>>;
let source: Awaited<ReturnType<typeof createSource>>;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  school = await createSchool(database.db);
  source = await createSource(database.db, school.id);
});
afterAll(() => database.close());

describe('a school uploads its autumn return', () => {
  it('stages every pupil and result, landing nothing before a mapping is confirmed', async () => {
    const run = await uploadAndRun(testEngine(database), source, 'oakfield-autumn.csv', RETURN);
    expect(run).toMatchObject({
      status: 'succeeded',
      trigger: 'upload',
      pupilsSeen: 6,
      pupilsNew: 6,
      resultsSeen: 18,
      resultsNew: 18,
      resultsLanded: 0,
      resultsMapped: 0,
      resultsUnmapped: 18,
    });
    expect(await landedPoints(database.db)).toEqual([]);
  });

  it('suggests a subject for each column from its name, as proposals', async () => {
    const proposed = await database.db
      .select({ name: aspects.name, status: subjectMappings.status })
      .from(subjectMappings)
      .innerJoin(aspects, eq(aspects.id, subjectMappings.aspectId));
    expect(proposed.map((p) => `${p.name}:${p.status}`).sort()).toEqual([
      'Maths:proposed',
      'Reading:proposed',
      'Writing:proposed',
    ]);
  });

  it('lands a point per pupil and subject once the mappings are confirmed', async () => {
    const db = database.db;
    const mappings = await db.select({ id: subjectMappings.id }).from(subjectMappings);
    await decideSubjectMappings(
      db,
      ANALYST,
      mappings.map((m) => m.id),
      { decision: 'confirm', reason: 'Columns of the trust template' },
      TODAY,
    );
    const library = await db
      .select({ id: gradeRules.id })
      .from(gradeRules)
      .where(and(isNull(gradeRules.schoolId), eq(gradeRules.status, 'proposed')));
    const outcome = await decideGradeRules(
      db,
      ANALYST,
      library.map((rule) => rule.id),
      { decision: 'confirm', reason: 'Trust library agreed at the autumn PLC' },
      TODAY,
    );

    expect(outcome.landed).toBe(17);
    expect(await landedPoints(db)).toEqual([
      `Begum reading NX5 ${AUTUMN}`,
      `Begum writing NX4 ${AUTUMN}`,
      `Begum mathematics NX5 ${AUTUMN}`,
      `Hughes reading NX9 ${AUTUMN}`,
      `Hughes writing NX9 ${AUTUMN}`,
      `Hughes mathematics NX10 ${AUTUMN}`,
      `Nowak reading NX8 ${AUTUMN}`,
      `Nowak writing NX7 ${AUTUMN}`,
      `O'Brien reading NX8 ${AUTUMN}`,
      `O'Brien writing NX8 ${AUTUMN}`,
      `O'Brien mathematics NX9 ${AUTUMN}`,
      `Okafor reading NX7 ${AUTUMN}`,
      `Okafor writing NX6 ${AUTUMN}`,
      `Okafor mathematics NX7 ${AUTUMN}`,
      `Patel reading NX8 ${AUTUMN}`,
      `Patel writing NX8 ${AUTUMN}`,
      `Patel mathematics NX9 ${AUTUMN}`,
    ]);
  });

  it('lists the pupil whose value no rule maps, with the value, as missing', async () => {
    const scope = await mathsScope();
    expect(await missingPupils(database.db, scope)).toEqual([
      expect.objectContaining({ last_name: 'Nowak', reason: 'value_unmapped', detail: 'Secure+' }),
    ]);
    expect(await unmappedValues(database.db, school.id, scope.collectionId)).toEqual([
      expect.objectContaining({ aspect_name: 'Maths', raw_value: 'Secure+', pupils: 1 }),
    ]);
  });

  it('says who is left out and why, rather than counting them missing', async () => {
    await createPupil(database.db, school.id, {
      upn: upn(7),
      firstName: 'Kwame',
      lastName: 'Mensah',
      ncYear: 'Y2',
      onRollFrom: '2027-01-05',
    });
    const scope = await mathsScope();
    expect(await excludedPupils(database.db, scope)).toEqual([
      expect.objectContaining({ last_name: 'Mensah', reason: 'joined_after', on: '2027-01-05' }),
    ]);
    expect((await missingPupils(database.db, scope)).map((p) => p.last_name)).toEqual(['Nowak']);
  });

  it('re-derives at once when the school confirms a rule for its own grade', async () => {
    const db = database.db;
    const [maths] = await db.select().from(aspects).where(eq(aspects.name, 'Maths'));
    const [nx8] = await db.select().from(nxPoints).where(eq(nxPoints.code, 'NX8'));
    const proposal = await proposeGradeRule(db, ANALYST, {
      schoolId: school.id,
      subjectId: null,
      aspectId: maths!.id,
      gradeSet: null,
      yearFrom: null,
      yearTo: null,
      match: 'value',
      value: 'Secure+',
      rangeMin: null,
      rangeMax: null,
      aliasOf: null,
      nxPointId: nx8!.id,
      reason: 'Secure+ in Y2 is beyond the expected standard',
    });
    const outcome = await decideGradeRules(
      db,
      ANALYST,
      [proposal.id],
      { decision: 'confirm', reason: 'Agreed with the maths lead' },
      TODAY,
    );
    expect(outcome).toEqual({ landed: 1, removed: 0, conflicts: 0 });
    expect(await landedPoints(db)).toContain(`Nowak mathematics NX8 ${AUTUMN}`);
    const scope = await mathsScope();
    expect(await missingPupils(db, scope)).toEqual([]);
    expect(await unmappedValues(db, school.id, scope.collectionId)).toEqual([]);
  });

  it('writes no rows when the same file is uploaded again', async () => {
    const before = await syncedRows(database.db);
    const run = await uploadAndRun(testEngine(database), source, 'oakfield-autumn.csv', RETURN);
    expect(run).toMatchObject({
      status: 'succeeded',
      resultsSeen: 18,
      resultsNew: 0,
      resultsChanged: 0,
      resultsUnchanged: 18,
      pupilsNew: 0,
      pupilsChanged: 0,
      resultsLanded: 0,
      // Every result is a point now, the Secure+ one by the school's own rule.
      resultsMapped: 18,
      resultsUnmapped: 0,
    });
    expect(await syncedRows(database.db)).toEqual(before);
  });

  it('replays an uploaded file from its kept copy, without a new upload', async () => {
    const [first] = await database.db
      .select()
      .from(syncRuns)
      .where(eq(syncRuns.trigger, 'upload'))
      .orderBy(syncRuns.queuedAt)
      .limit(1);
    const replay = await replayRun(database.db, first!, null);
    expect(replay?.created).toBe(true);
    await drain(testEngine(database));
    const [done] = await database.db.select().from(syncRuns).where(eq(syncRuns.id, replay!.run.id));
    expect(done).toMatchObject({
      trigger: 'replay',
      replayOf: first!.id,
      status: 'succeeded',
      resultsSeen: 18,
      resultsUnchanged: 18,
    });
  });

  it('keeps what landed when a later upload fails', async () => {
    const before = await landedPoints(database.db);
    const run = await uploadAndRun(
      testEngine(database),
      source,
      'oakfield-spring.csv',
      'Name,Class\r\nAmara,2B\r\n',
    );
    expect(run.status).toBe('failed');
    expect(run.failureCategory).toBe('bad_data');
    expect(run.message).toMatch(/UPN/);
    expect(await landedPoints(database.db)).toEqual(before);
  });
});

async function mathsScope() {
  return {
    schoolId: school.id,
    collectionId: await collectionId(database.db, 'Autumn 2026/27'),
    subjectId: await subjectId(database.db, 'mathematics'),
  };
}
