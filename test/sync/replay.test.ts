import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/rows.ts';
import {
  aspects,
  gradeRules,
  rawPayloads,
  recordProblems,
  sources,
  subjectMappings,
  syncRunEvents,
  syncRuns,
} from '../../src/db/schema.ts';
import { generateSchool, lastTerms, type SyntheticSchool } from '../../src/fakes/school.ts';
import { startWondeFake, type WondeFake } from '../../src/fakes/wonde/index.ts';
import { decideGradeRules, decideSubjectMappings } from '../../src/sync/mapping.ts';
import {
  pruneRawPayloads,
  ReplayRefused,
  replayRun,
  requestRun,
  type SyncRun,
} from '../../src/sync/runs.ts';
import { createSource as addSource } from '../../src/sync/sources.ts';
import { testApp, userWith } from '../support/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST, drain, testEngine } from '../support/engine.ts';
import { createSchool, seedTrust, TODAY } from '../support/fixtures.ts';
import { syncedRows } from '../support/landed.ts';
import { signInAs } from '../web/console-fixtures.ts';

/**
 * Replaying a run of a school's system from the pages it kept: after a fix, with the system
 * stopped, through the same staging, mapping and landing as a pull.
 */

const QUICK_HTTP = {
  attempts: 2,
  baseDelayMs: 5,
  maxDelayMs: 50,
  connectMs: 1000,
  headersMs: 1000,
  bodyMs: 1000,
  deadlineMs: 5000,
};
const RETENTION_DAYS = 30;
const LEADER = { userId: null, label: 'Dev Raman (maths lead)' };

let database: TestDatabase;
let schools = 0;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
});
afterAll(async () => {
  await database.close();
});

/** A primary school of its own for each test, so that no test leans on another's pupils. */
async function newSchool(pupils: number): Promise<{ id: string; synthetic: SyntheticSchool }> {
  schools += 1;
  const urn = String(141200 + schools);
  const synthetic = generateSchool({
    seed: 70 + schools,
    name: `Oakfield Primary Academy ${schools}`,
    urn,
    la: 801,
    establishment: Number(urn.slice(-4)),
    pupils,
    style: 'primary',
    terms: lastTerms(2026, 2),
    currentStartYear: 2026,
  });
  const school = await createSchool(database.db, {
    name: synthetic.name,
    urn,
    laestab: `801${urn.slice(-4)}`,
  });
  return { id: school.id, synthetic };
}

async function runOf(id: string): Promise<SyncRun> {
  const [run] = await database.db.select().from(syncRuns).where(eq(syncRuns.id, id));
  return run!;
}

async function pull(source: { id: string; schoolId: string }, mode: 'full' | 'incremental') {
  const { run } = await requestRun(database.db, {
    sourceId: source.id,
    schoolId: source.schoolId,
    trigger: 'manual',
    mode,
    requestedBy: null,
  });
  await drain(testEngine(database));
  return runOf(run.id);
}

const policy = () => ({ retentionDays: RETENTION_DAYS, now: new Date() });

async function replay(run: SyncRun) {
  const { run: queued } = await replayRun(database.db, run, null, policy());
  await drain(testEngine(database));
  return runOf(queued.id);
}

/** What subject leaders agree once a sync has landed: the suggested subjects, the library. */
async function confirmProposed(schoolId: string) {
  const proposed = await database.db
    .select({ id: subjectMappings.id })
    .from(subjectMappings)
    .innerJoin(aspects, eq(aspects.id, subjectMappings.aspectId))
    .innerJoin(sources, eq(sources.id, aspects.sourceId))
    .where(and(eq(subjectMappings.status, 'proposed'), eq(sources.schoolId, schoolId)));
  if (proposed.length > 0) {
    await decideSubjectMappings(
      database.db,
      LEADER,
      proposed.map((mapping) => mapping.id),
      { decision: 'confirm', reason: 'Agreed at the trust PLC' },
      TODAY,
    );
  }
  const library = await database.db
    .select({ id: gradeRules.id })
    .from(gradeRules)
    .where(eq(gradeRules.status, 'proposed'));
  if (library.length > 0) {
    await decideGradeRules(
      database.db,
      LEADER,
      library.map((rule) => rule.id),
      { decision: 'confirm', reason: 'Trust library agreed at the autumn PLC' },
      TODAY,
    );
  }
}

async function pointsAt(schoolId: string): Promise<string[]> {
  const found = await rows<{ point: string }>(
    database.db,
    sql`select p.last_name || ' ' || s.code || ' ' || n.code || ' ' || c.label as point
      from assessments a join pupils p on p.id = a.pupil_id
      join subjects s on s.id = a.subject_id join nx_points n on n.id = a.nx_point_id
      join collections c on c.id = a.collection_id
      where p.school_id = ${schoolId} order by 1`,
  );
  return found.map((row) => row.point);
}

async function logOf(runId: string) {
  return database.db
    .select({ code: syncRunEvents.code, message: syncRunEvents.message })
    .from(syncRunEvents)
    .where(eq(syncRunEvents.runId, runId))
    .orderBy(asc(syncRunEvents.id));
}

async function problemsOf(runId: string) {
  return database.db
    .select({
      location: recordProblems.location,
      field: recordProblems.field,
      code: recordProblems.code,
      message: recordProblems.message,
    })
    .from(recordProblems)
    .where(eq(recordProblems.runId, runId))
    .orderBy(asc(recordProblems.id));
}

async function keptPageCount(runId: string) {
  const kept = await database.db
    .select({ seq: rawPayloads.seq })
    .from(rawPayloads)
    .where(eq(rawPayloads.runId, runId));
  return kept.length;
}

async function setConfig(sourceId: string, change: (config: Record<string, unknown>) => void) {
  const [source] = await database.db.select().from(sources).where(eq(sources.id, sourceId));
  const config = structuredClone(source!.config) as Record<string, unknown>;
  change(config);
  await database.db.update(sources).set({ config }).where(eq(sources.id, sourceId));
}

async function cursorOf(sourceId: string) {
  const [source] = await database.db.select().from(sources).where(eq(sources.id, sourceId));
  return source!.cursor;
}

/** The mathematics aspects' results of a synthetic school that carry a mark. */
function marked(school: SyntheticSchool, subject: 'mathematics' | null = null) {
  const ids = new Set(
    school.aspects.filter((a) => subject === null || a.subject === subject).map((a) => a.id),
  );
  return school.results.filter((result) => ids.has(result.aspectId) && result.value);
}

// ---------------------------------------------------------------------------------------------
// Wonde

interface WondeRig {
  schoolId: string;
  synthetic: SyntheticSchool;
  fake: WondeFake;
  source: { id: string; schoolId: string };
}

async function wondeRig(
  pupils: number,
  options: { onlyLiteracy?: boolean; orphans?: number } = {},
): Promise<WondeRig> {
  const { id, synthetic } = await newSchool(pupils);
  const fake = await startWondeFake({
    schools: [{ school: synthetic, extras: { orphanResults: options.orphans ?? 0 } }],
  });
  const store = fake.store();
  const literacy = store.aspects
    .filter((aspect) => !/math/i.test(aspect.name))
    .map((aspect) => aspect.wondeId);
  const source = await addSource(database.db, testEngine(database).secretKey, ANALYST, {
    schoolId: id,
    kind: 'wonde',
    name: 'Wonde',
    config: {
      baseUrl: fake.url,
      schoolId: store.id,
      pageDelayMs: 0,
      pageSize: 25,
      http: QUICK_HTTP,
      ...(options.onlyLiteracy ? { assessment: { aspectIds: literacy } } : {}),
    },
    secrets: { token: fake.token },
  });
  return { schoolId: id, synthetic, fake, source: { id: source.id, schoolId: id } };
}

describe('replaying a Wonde run', () => {
  it('lands what a settings fix lets in, from the kept pages, with Wonde stopped', async () => {
    const rig = await wondeRig(40, { onlyLiteracy: true });
    const first = await pull(rig.source, 'full');
    expect(first).toMatchObject({ status: 'succeeded', pupilsSeen: 40 });
    await confirmProposed(rig.schoolId);
    const before = await pointsAt(rig.schoolId);
    expect(before.length).toBeGreaterThan(0);
    expect(before.some((point) => point.includes(' mathematics '))).toBe(false);

    // The source was set to read the literacy aspects only; the data lead lets maths in too.
    await setConfig(rig.source.id, (config) => {
      config.assessment = {};
    });
    const asked = rig.fake.requests.length;
    await rig.fake.close();
    const again = await replay(first);
    expect(rig.fake.requests.length).toBe(asked);

    const maths = marked(rig.synthetic, 'mathematics');
    expect(again).toMatchObject({
      status: 'succeeded',
      trigger: 'replay',
      replayOf: first.id,
      pagesDone: first.pagesDone,
      pupilsSeen: 40,
      pupilsNew: 0,
      pupilsChanged: 0,
      pupilsLeft: 0,
      resultsNew: maths.length,
      resultsUnchanged: first.resultsSeen,
    });
    const log = await logOf(again.id);
    expect(log[0]).toMatchObject({ code: 'replay_started' });
    expect(log[0]!.message).toContain(`Replaying run ${first.id}`);
    expect(log[0]!.message).toContain('without asking Wonde');
    expect(await keptPageCount(again.id)).toBe(0);

    await confirmProposed(rig.schoolId);
    const after = await pointsAt(rig.schoolId);
    const mathsPoints = after.filter((point) => point.includes(' mathematics '));
    expect(mathsPoints.length).toBeGreaterThan(0);
    expect(after.filter((point) => !point.includes(' mathematics '))).toEqual(before);
  });

  it('writes nothing when a replay brings nothing new', async () => {
    const rig = await wondeRig(30);
    const first = await pull(rig.source, 'full');
    await confirmProposed(rig.schoolId);
    await rig.fake.close();
    const staged = await syncedRows(database.db);
    const again = await replay(first);
    expect(again).toMatchObject({
      status: 'succeeded',
      pupilsNew: 0,
      pupilsChanged: 0,
      resultsNew: 0,
      resultsChanged: 0,
      resultsUnchanged: first.resultsSeen,
      resultsLanded: first.resultsLanded,
    });
    expect(await syncedRows(database.db)).toEqual(staged);
  });

  it('reproduces the record problems the pull found', async () => {
    const rig = await wondeRig(30, { orphans: 4 });
    const first = await pull(rig.source, 'full');
    const found = await problemsOf(first.id);
    expect(found.filter((problem) => problem.code === 'wonde_result_unreadable')).toHaveLength(4);
    await rig.fake.close();
    const again = await replay(first);
    expect(again.problems).toBe(first.problems);
    expect(await problemsOf(again.id)).toEqual(found);
  });

  it('replays an incremental run without moving the cursor or marking leavers', async () => {
    const rig = await wondeRig(30);
    await pull(rig.source, 'full');
    rig.fake.changeResults(5);
    rig.fake.leavePupils(2);
    const delta = await pull(rig.source, 'incremental');
    expect(delta).toMatchObject({ status: 'succeeded_with_warnings', mode: 'incremental' });
    expect(delta.resultsChanged).toBe(5);
    const cursor = await cursorOf(rig.source.id);
    await rig.fake.close();

    const again = await replay(delta);
    expect(again).toMatchObject({
      status: 'succeeded_with_warnings',
      mode: 'incremental',
      replayOf: delta.id,
      resultsSeen: delta.resultsSeen,
      resultsChanged: 0,
      resultsUnchanged: delta.resultsSeen,
      pupilsLeft: 0,
    });
    expect(await cursorOf(rig.source.id)).toEqual(cursor);
  });

  it('marks nobody as left when the pull it replays was not complete', async () => {
    const rig = await wondeRig(60);
    await pull(rig.source, 'full');
    // A school deleting records mid-sync moves Wonde's pages: that pull is not complete.
    rig.fake.setFaults({ deleteBetweenPages: { afterPage: 1, count: 3 } });
    const moved = await pull(rig.source, 'full');
    expect(moved).toMatchObject({ status: 'succeeded_with_warnings', pupilsLeft: 0 });
    await rig.fake.close();

    const again = await replay(moved);
    expect(again).toMatchObject({ status: 'succeeded_with_warnings', pupilsLeft: 0 });
    expect(again.warnings).toContain('The source said the pull was incomplete.');
    const log = await logOf(again.id);
    expect(log.map((event) => event.code)).toContain('replay_not_complete');
  });

  it('refuses a run whose kept pages have expired, saying how long they were kept', async () => {
    const rig = await wondeRig(20);
    const first = await pull(rig.source, 'full');
    await rig.fake.close();
    await database.db
      .update(rawPayloads)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(rawPayloads.runId, first.id));
    expect(await pruneRawPayloads(database.db, new Date())).toBeGreaterThan(0);

    const refused = await replayRun(database.db, first, null, policy()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ReplayRefused);
    expect((refused as ReplayRefused).code).toBe('raw_expired');
    expect((refused as ReplayRefused).message).toBe(
      'The pages this sync read were kept for 30 days and have gone, so it cannot be ' +
        'replayed. Start a new sync instead.',
    );
    const queued = await database.db
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(and(eq(syncRuns.sourceId, rig.source.id), eq(syncRuns.trigger, 'replay')));
    expect(queued).toHaveLength(0);
  });

  it('refuses a run that a later sync has superseded, and one that failed', async () => {
    const rig = await wondeRig(20);
    const first = await pull(rig.source, 'full');
    await pull(rig.source, 'incremental');
    const superseded = await replayRun(database.db, first, null, policy()).catch((e) => e);
    expect((superseded as ReplayRefused).code).toBe('run_superseded');

    rig.fake.setFaults({ serverError: { endpoint: 'results', status: 503 } });
    const failed = await pull(rig.source, 'full');
    await rig.fake.close();
    expect(failed.status).toBe('failed');
    const unfinished = await replayRun(database.db, failed, null, policy()).catch((e) => e);
    expect((unfinished as ReplayRefused).code).toBe('run_unfinished');
  });
});

describe('the replay action in the console and the API', () => {
  it('is offered for a run of a school system and goes through the same replay', async () => {
    const rig = await wondeRig(20);
    const first = await pull(rig.source, 'full');
    await rig.fake.close();
    const app = await testApp(database);
    try {
      const lead = await userWith(database, `Data Lead ${schools}`, [
        { role: 'school_data_lead', schoolId: rig.schoolId, subjectId: null },
      ]);
      const session = await signInAs(app, lead);
      const page = await app.inject({
        url: `/runs/${first.id}`,
        headers: { cookie: session.cookie },
      });
      expect(page.body).toContain('Replay from the kept pages');

      const asked = await app.inject({
        method: 'POST',
        url: `/api/v1/runs/${first.id}/replay`,
        headers: lead.auth,
      });
      expect(asked.statusCode).toBe(202);
      const queued = asked.json().run as SyncRun;
      expect(queued).toMatchObject({ trigger: 'replay', replayOf: first.id, status: 'queued' });
      await drain(testEngine(database));
      expect((await runOf(queued.id)).status).toBe('succeeded');

      await database.db.delete(rawPayloads).where(eq(rawPayloads.runId, first.id));
      const api = await app.inject({
        method: 'POST',
        url: `/api/v1/runs/${first.id}/replay`,
        headers: lead.auth,
      });
      expect(api.statusCode).toBe(400);
      expect(api.json().error).toMatchObject({
        code: 'raw_expired',
        message: expect.stringContaining('were kept for 90 days and have gone'),
      });
      const button = await app.inject({
        method: 'POST',
        url: `/runs/${first.id}/replay`,
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'hx-request': 'true' },
      });
      expect(button.statusCode).toBe(409);
      expect(button.body).toContain('were kept for 90 days and have gone');
    } finally {
      await app.close();
    }
  });
});
