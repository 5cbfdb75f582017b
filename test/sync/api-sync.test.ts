import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/rows.ts';
import { pupils, sources } from '../../src/db/schema.ts';
import type { AssemblyFake } from '../../src/fakes/assembly/index.ts';
import { assemblySchool, assemblySource, startFake } from '../support/assembly.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { pullAndRun, testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust } from '../support/fixtures.ts';

const oakfieldData = assemblySchool(11, 120, '140123');
const riversideData = assemblySchool(12, 80, '140456');

let database: TestDatabase;
let fake: AssemblyFake;
let oakfield: { id: string };
let riverside: { id: string };
let oakfieldSource: { id: string; schoolId: string };
let riversideSource: { id: string; schoolId: string };

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  fake = await startFake([oakfieldData, riversideData]);
  oakfield = await createSchool(database.db, { urn: '140123', laestab: '8010123' });
  riverside = await createSchool(database.db, {
    name: 'Riverside Primary',
    urn: '140456',
    laestab: '8010456',
  });
  const engine = testEngine(database);
  oakfieldSource = await assemblySource(database.db, engine.secretKey, fake, oakfield.id, 0);
  riversideSource = await assemblySource(database.db, engine.secretKey, fake, riverside.id, 1);
  // Each run here is asked for; neither school's nightly sync falls due in the meantime.
  await database.db
    .update(sources)
    .set({ nextRunAt: new Date(Date.now() + 86_400_000) })
    .where(inArray(sources.id, [oakfieldSource.id, riversideSource.id]));
});
afterAll(async () => {
  await fake.close();
  await database.close();
});

const fullRun = (source: { id: string; schoolId: string }) =>
  pullAndRun(testEngine(database), source);

async function onRoll(schoolId: string) {
  const [count] = await rows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from pupils where school_id = ${schoolId} and left_at is null`,
  );
  return count!.n;
}

describe('syncing schools from their system', () => {
  it('pulls every pupil and result of each school in a full run', async () => {
    const oak = await fullRun(oakfieldSource);
    const river = await fullRun(riversideSource);
    expect(oak).toMatchObject({
      status: 'succeeded',
      pupilsSeen: 120,
      pupilsNew: 120,
      resultsSeen: oakfieldData.results.length,
      resultsNew: oakfieldData.results.length,
    });
    expect(river).toMatchObject({ status: 'succeeded', pupilsSeen: 80, pupilsNew: 80 });
    expect(await onRoll(oakfield.id)).toBe(120);
  });

  it('removes nobody when a full pull fails part-way', async () => {
    fake.leave(5, 0);
    fake.setFaults({ serverError: { path: '/results', status: 503 } });
    const failed = await fullRun(oakfieldSource);
    fake.setFaults({});
    expect(failed).toMatchObject({ status: 'failed', failureCategory: 'transient' });
    expect(failed.message).toMatch(/Assembly/);
    expect(await onRoll(oakfield.id)).toBe(120);
  });

  it('marks the leavers of a complete full pull, at that school only', async () => {
    const run = await fullRun(oakfieldSource);
    expect(run).toMatchObject({ status: 'succeeded', pupilsLeft: 5 });
    expect(await onRoll(oakfield.id)).toBe(115);
    expect(await onRoll(riverside.id)).toBe(80);
    const leavers = await database.db
      .select({ onRollTo: pupils.onRollTo })
      .from(pupils)
      .where(and(eq(pupils.schoolId, oakfield.id), isNotNull(pupils.leftAt)));
    expect(leavers).toHaveLength(5);
  });

  it('writes nothing to staging when nothing changed', async () => {
    const before = await stagingRows();
    const run = await fullRun(riversideSource);
    expect(run).toMatchObject({
      status: 'succeeded',
      resultsNew: 0,
      resultsChanged: 0,
      resultsUnchanged: riversideData.results.length,
      pupilsNew: 0,
      pupilsChanged: 0,
    });
    expect(await stagingRows()).toEqual(before);
  });

  it('warns, naming the drop, when a full pull brings far fewer results than usual', async () => {
    // The school's system stops sharing attainment: only the facet nobody records is left.
    const [source] = await database.db
      .select()
      .from(sources)
      .where(eq(sources.id, riversideSource.id));
    await database.db
      .update(sources)
      .set({ config: { ...source!.config, facets: ['prediction'] } })
      .where(eq(sources.id, riversideSource.id));
    const run = await fullRun(riversideSource);
    expect(run.status).toBe('succeeded_with_warnings');
    expect(run.resultsSeen).toBe(0);
    expect(run.message).toContain(
      `This full pull brought 0 results where the last 2 brought about ` +
        `${riversideData.results.length}`,
    );
  });
});

describe('a school that changes system', () => {
  it('keeps its pupils: the same pupils from the new source create no duplicates', async () => {
    const before = await database.db.select({ id: pupils.id }).from(pupils);
    const csv = [
      'UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading',
      ...riversideData.pupils.map((p) => {
        const [y, m, d] = p.dateOfBirth.split('-');
        return `${p.upn},${p.lastName},${p.firstName},${d}/${m}/${y},${p.ncYear},27/11/2026,EXS`;
      }),
    ].join('\r\n');
    const upload = await createSource(database.db, riverside.id);
    const run = await uploadAndRun(testEngine(database), upload, 'riverside-switch.csv', csv);
    expect(run).toMatchObject({ status: 'succeeded', pupilsSeen: 80, pupilsNew: 0 });
    const after = await database.db.select({ id: pupils.id }).from(pupils);
    expect(after).toHaveLength(before.length);
  });
});

async function stagingRows() {
  return rows(
    database.db,
    sql`select id, fingerprint, last_changed_at::text from staged_results order by id`,
  );
}
