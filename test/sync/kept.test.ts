import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import {
  aspects,
  collections,
  nxPoints,
  pupils,
  reconcileSummaries,
  sources,
  subjects,
} from '../../src/db/schema.ts';
import { decideGradeRules, proposeGradeRule } from '../../src/sync/mapping.ts';
import { excludedPupils, missingPupils, unmappedValues } from '../../src/sync/reconcile.ts';
import { requestRun } from '../../src/sync/runs.ts';
import { SyncWorker } from '../../src/sync/worker.ts';
import {
  progressCells,
  progressOfSchools,
  warmReconciliation,
} from '../../src/web/console/progress.ts';
import { activeSubjects } from '../../src/web/console/queries.ts';
import { agreeGrades, agreeMappingsOfSubjects, SUBJECT_LEADER } from '../faults/harness.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust, TODAY } from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * Reconciliation is kept per school until something it reads changes. Each change below is made
 * the way the service makes it (a return uploaded, a mapping confirmed, a rule proposed, a run
 * failing, a pupil renamed or leaving), and the next read must show it exactly as working it all
 * out afresh does, while the other school's kept reads stay as they were.
 */

const upn = (serial: number) => makeUpn(801, 2345, 19, serial);
const HEADER =
  'UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading,Writing,Maths';

const AUTUMN = [
  HEADER,
  `${upn(1)},Okafor,Amara,14/03/2017,Y4,27/11/2026,Y4 Secure,Y4 Emerging,Y4 Secure`,
  `${upn(2)},Nowak,Tomasz,02/09/2016,Y4,27/11/2026,Y4 Mastery,Y4 Secure,Y4 Secure+`,
  `${upn(3)},Hughes,Ellie-May,21/06/2016,Y4,27/11/2026,Y4 Secure,Y4 Secure,`,
  '',
].join('\r\n');

let database: TestDatabase;
let db: Db;
let oakfield: string;
let brook: string;
let oakSource: Awaited<ReturnType<typeof createSource>>;
let brookSource: Awaited<ReturnType<typeof createSource>>;
let autumn: number;
let maths: number;
let reading: number;

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  await seedTrust(db);
  oakfield = (await createSchool(db)).id;
  brook = (
    await createSchool(db, { name: 'Brook Lane Primary', urn: '140311', laestab: '8012346' })
  ).id;
  oakSource = await createSource(db, oakfield);
  brookSource = await createSource(db, brook);
  await uploadAndRun(testEngine(database), oakSource, 'oakfield-autumn.csv', AUTUMN);
  await uploadAndRun(
    testEngine(database),
    brookSource,
    'brook-autumn.csv',
    [HEADER, `${makeUpn(801, 2346, 19, 7)},Begum,Sana,11/01/2017,Y4,26/11/2026,EXS,EXS,EXS`].join(
      '\r\n',
    ),
  );
  const [collection] = await db
    .select()
    .from(collections)
    .where(eq(collections.label, 'Autumn 2026/27'));
  autumn = collection!.id;
  const all = await db.select().from(subjects);
  maths = all.find((subject) => subject.code === 'mathematics')!.id;
  reading = all.find((subject) => subject.code === 'reading')!.id;
});
afterAll(() => database.close());

const mathsScope = () => ({ schoolId: oakfield, collectionId: autumn, subjectId: maths });

/** Everything the console reads about a school's collection, as it reads it. */
async function reconciliation(schoolId: string) {
  const list = await activeSubjects(db);
  const tally = (await progressOfSchools(db, [schoolId], autumn, list)).get(schoolId)!;
  const missing = await Promise.all(
    list.map((subject) =>
      missingPupils(db, { schoolId, collectionId: autumn, subjectId: subject.id }),
    ),
  );
  return JSON.parse(
    JSON.stringify({
      cells: progressCells(tally, schoolId, autumn, list, false).map(
        (cell) => `${cell.subject}: ${cell.state} ${cell.landed}/${cell.expected}`,
      ),
      missing: missing.map((pupilsOf) =>
        pupilsOf.map((pupil) => `${pupil.last_name}, ${pupil.first_name}: ${pupil.reason}`),
      ),
      details: missing.flat().map((pupil) => pupil.detail),
      excluded: (
        await excludedPupils(db, { schoolId, collectionId: autumn, subjectId: maths })
      ).map((pupil) => `${pupil.last_name}: ${pupil.reason}`),
      unmapped: (await unmappedValues(db, schoolId, null)).map(
        (value) => `${value.aspect_name}: ${value.raw_value} (${value.pupils})`,
      ),
      unmappedAutumn: (await unmappedValues(db, schoolId, autumn)).map((value) => value.raw_value),
    }),
  );
}

/** The same with nothing kept: every read worked out afresh. */
async function afresh(schoolId: string) {
  await db.delete(reconcileSummaries);
  return reconciliation(schoolId);
}

async function keptOf(schoolId: string) {
  return db
    .select({
      kind: reconcileSummaries.kind,
      scope: reconcileSummaries.scope,
      version: reconcileSummaries.version,
      countedAt: reconcileSummaries.countedAt,
    })
    .from(reconcileSummaries)
    .where(eq(reconcileSummaries.schoolId, schoolId))
    .orderBy(reconcileSummaries.kind, reconcileSummaries.scope);
}

async function mathsReasons() {
  return (await missingPupils(db, mathsScope())).map(
    (pupil) => `${pupil.last_name}: ${pupil.reason}`,
  );
}

describe('kept reconciliation', () => {
  it('is kept per school, read back unchanged and the same as working it out afresh', async () => {
    const first = await reconciliation(oakfield);
    expect(first.missing[0]).toHaveLength(3);
    const kept = await keptOf(oakfield);
    expect(kept.map((entry) => entry.kind)).toEqual(
      expect.arrayContaining(['excluded', 'missing', 'progress', 'unmapped']),
    );
    expect(await reconciliation(oakfield)).toEqual(first);
    // Read again, nothing was worked out again.
    expect(await keptOf(oakfield)).toEqual(kept);
    expect(await afresh(oakfield)).toEqual(first);
  });

  it('follows subjects confirmed, and leaves the other school alone', async () => {
    await reconciliation(brook);
    const brookBefore = await keptOf(brook);
    // Hughes's reading and writing have arrived in assessments no subject is confirmed for yet.
    expect(await mathsReasons()).toEqual([
      'Hughes: aspect_unmapped',
      'Nowak: aspect_unmapped',
      'Okafor: aspect_unmapped',
    ]);
    await agreeMappingsOfSubjects(db, oakfield);
    const after = await reconciliation(oakfield);
    expect(await mathsReasons()).toEqual([
      'Hughes: not_entered',
      'Nowak: value_unmapped',
      'Okafor: value_unmapped',
    ]);
    expect(after.cells).toContain('Mathematics: needs mapping 0/3');
    expect(await keptOf(brook)).toEqual(brookBefore);
    expect(await afresh(oakfield)).toEqual(after);
  });

  it("follows the school's grades agreed; the odd grade stays unmapped", async () => {
    await reconciliation(oakfield);
    await agreeGrades(db, oakfield);
    const after = await reconciliation(oakfield);
    expect(await mathsReasons()).toEqual(['Hughes: not_entered', 'Nowak: value_unmapped']);
    expect(after.unmapped).toEqual(['Maths: Y4 Secure+ (1)']);
    expect(after.unmappedAutumn).toEqual(['Y4 Secure+']);
    expect(after.cells).toContain('Reading: complete 3/3');
    expect(after.cells).toContain('Mathematics: needs mapping 1/3');
    expect(await afresh(oakfield)).toEqual(after);
  });

  it('follows a rule proposed for the odd grade, then confirmed', async () => {
    await reconciliation(oakfield);
    const [secure] = await db.select().from(nxPoints).where(eq(nxPoints.code, 'NX5'));
    const [aspect] = await db
      .select()
      .from(aspects)
      .where(and(eq(aspects.schoolId, oakfield), eq(aspects.name, 'Maths')));
    const rule = await proposeGradeRule(db, SUBJECT_LEADER, {
      schoolId: oakfield,
      subjectId: maths,
      aspectId: aspect!.id,
      gradeSet: null,
      yearFrom: null,
      yearTo: null,
      match: 'value',
      value: 'Y4 Secure+',
      rangeMin: null,
      rangeMax: null,
      aliasOf: null,
      nxPointId: secure!.id,
      reason: 'Secure with extension work counts as secure, agreed at moderation',
    });
    const proposed = await reconciliation(oakfield);
    expect(proposed.cells).toContain('Mathematics: needs confirmation 1/3');
    expect(await afresh(oakfield)).toEqual(proposed);

    await decideGradeRules(
      db,
      SUBJECT_LEADER,
      [rule.id],
      { decision: 'confirm', reason: 'Agreed' },
      TODAY,
    );
    const confirmed = await reconciliation(oakfield);
    expect(await mathsReasons()).toEqual(['Hughes: not_entered']);
    expect(confirmed.unmapped).toEqual([]);
    expect(confirmed.cells).toContain('Mathematics: in progress 2/3');
    expect(await afresh(oakfield)).toEqual(confirmed);
  });

  it('follows a failed run, with its message, and the next that succeeds', async () => {
    await reconciliation(oakfield);
    const failed = await uploadAndRun(testEngine(database), oakSource, 'empty.csv', '');
    expect(failed.status).toBe('failed');
    const after = await reconciliation(oakfield);
    expect(await mathsReasons()).toEqual(['Hughes: source_failed']);
    expect(after.details.join(' ')).toContain('"empty.csv" is empty.');
    expect(await afresh(oakfield)).toEqual(after);

    await uploadAndRun(testEngine(database), oakSource, 'oakfield-again.csv', AUTUMN);
    expect(await mathsReasons()).toEqual(['Hughes: not_entered']);
  });

  it('follows a source renamed while its last run stands failed', async () => {
    await uploadAndRun(testEngine(database), oakSource, 'empty-again.csv', '');
    expect((await reconciliation(oakfield)).details.join(' ')).toContain('spreadsheet upload:');
    await db.update(sources).set({ name: 'Autumn returns' }).where(eq(sources.id, oakSource.id));
    const after = await reconciliation(oakfield);
    expect(after.details.join(' ')).toContain('Autumn returns: ');
    expect(await afresh(oakfield)).toEqual(after);
  });

  it('follows a pupil renamed, and a pupil who left before the collection', async () => {
    await reconciliation(oakfield);
    await db
      .update(pupils)
      .set({ lastName: 'Hughes-Price' })
      .where(and(eq(pupils.schoolId, oakfield), eq(pupils.upn, upn(3))));
    const renamed = await reconciliation(oakfield);
    expect(await mathsReasons()).toEqual(['Hughes-Price: source_failed']);
    expect(await afresh(oakfield)).toEqual(renamed);

    await db
      .update(pupils)
      .set({ onRollTo: '2026-10-23' })
      .where(and(eq(pupils.schoolId, oakfield), eq(pupils.upn, upn(3))));
    const left = await reconciliation(oakfield);
    expect(await mathsReasons()).toEqual([]);
    expect(left.excluded).toEqual(['Hughes-Price: left']);
    expect(left.cells).toContain('Mathematics: complete 2/2');
    expect(left.cells).toContain('Reading: complete 2/2');
    expect(await afresh(oakfield)).toEqual(left);
    const readingMissing = await missingPupils(db, {
      schoolId: oakfield,
      collectionId: autumn,
      subjectId: reading,
    });
    expect(readingMissing).toEqual([]);
  });

  it('is worked out ahead for settled schools, not one whose run waits', async () => {
    await db.delete(reconcileSummaries);
    await requestRun(db, {
      sourceId: brookSource.id,
      schoolId: brook,
      trigger: 'manual',
      mode: 'full',
      requestedBy: null,
    });
    await warmReconciliation(db, TODAY);
    const kinds = (await keptOf(oakfield)).map((entry) => `${entry.kind} ${entry.scope}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'orphans ',
        'unmapped all',
        `unmapped ${autumn}`,
        `missing ${autumn}|${maths}`,
      ]),
    );
    expect(kinds.some((kind) => kind.startsWith('progress '))).toBe(true);
    expect(await keptOf(brook)).toEqual([]);
    const kept = await keptOf(oakfield);
    expect(await reconciliation(oakfield)).toEqual(await afresh(oakfield));
    expect(kept.length).toBeGreaterThan(0);
  });
});

describe("the worker's warming", () => {
  it('starts at a tick, one pass at a time, and is waited for when the worker stops', async () => {
    let passes = 0;
    let release = () => {};
    const worker = new SyncWorker(testEngine(database), {
      concurrency: 1,
      warm: async () => {
        passes += 1;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    await worker.tick();
    await worker.tick();
    expect(passes).toBe(1);
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
  });
});
