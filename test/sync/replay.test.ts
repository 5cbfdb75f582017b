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
import {
  type ArborFake,
  FAKE_PASSWORD,
  FAKE_USERNAME,
  startArborFake,
} from '../../src/fakes/arbor/index.ts';
import { type AssemblyFake, startAssemblyFake } from '../../src/fakes/assembly/index.ts';
import {
  type OneRosterRestFake,
  startOneRosterRestFake,
} from '../../src/fakes/oneroster-rest/index.ts';
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

async function keptLabels(runId: string) {
  const kept = await database.db
    .select({ label: rawPayloads.label })
    .from(rawPayloads)
    .where(eq(rawPayloads.runId, runId))
    .orderBy(asc(rawPayloads.seq));
  return kept.map((page) => page.label);
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

/** What every replay of a run of a school's system shows: the same pages, nothing asked. */
async function replayedQuietly(
  fake: { requests: unknown[]; close(): Promise<void> },
  run: SyncRun,
) {
  const asked = fake.requests.length;
  await fake.close();
  const again = await replay(run);
  expect(fake.requests.length).toBe(asked);
  expect(again).toMatchObject({ trigger: 'replay', replayOf: run.id, pagesDone: run.pagesDone });
  expect(await keptPageCount(again.id)).toBe(0);
  return again;
}

// ---------------------------------------------------------------------------------------------
// Assembly

interface AssemblyRig {
  schoolId: string;
  synthetic: SyntheticSchool;
  fake: AssemblyFake;
  source: { id: string; schoolId: string };
}

async function assemblyRig(
  pupils: number,
  config: Record<string, unknown> = {},
  targets = false,
): Promise<AssemblyRig> {
  const { id, synthetic } = await newSchool(pupils);
  const fake = await startAssemblyFake({ schools: [synthetic], targets });
  const tokens = fake.tokens();
  const source = await addSource(database.db, testEngine(database).secretKey, ANALYST, {
    schoolId: id,
    kind: 'assembly',
    name: 'Assembly Platform',
    config: {
      clientId: fake.clientId,
      apiUrl: fake.url,
      authUrl: fake.url,
      pageSize: 25,
      studentsPerResultsRequest: 20,
      http: {
        deadlineMs: 5000,
        retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 50 },
        timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000 },
      },
      ...config,
    },
    secrets: {
      clientSecret: fake.clientSecret,
      refreshToken: tokens.refreshToken,
      accessToken: tokens.accessToken,
    },
  });
  return { schoolId: id, synthetic, fake, source: { id: source.id, schoolId: id } };
}

describe('replaying an Assembly run', () => {
  it('lands the results a corrected facet lets in, from the kept lookups, with Assembly stopped', async () => {
    // The source was set to take a facet this school does not use; the data lead names its own.
    const rig = await assemblyRig(40, { facets: ['assessed'] }, true);
    const first = await pull(rig.source, 'full');
    expect(first).toMatchObject({ status: 'succeeded', pupilsSeen: 40, resultsSeen: 0 });
    const labels = await keptLabels(first.id);
    expect(labels).toContain('GET /facets?page=1&per_page=1500');
    expect(labels.some((label) => /^GET \/assessments\/\d+\/grade_set$/.test(label))).toBe(true);

    await setConfig(rig.source.id, (config) => {
      config.facets = ['achieved'];
    });
    const again = await replayedQuietly(rig.fake, first);
    const achieved = marked(rig.synthetic);
    expect(again).toMatchObject({
      status: 'succeeded',
      pupilsSeen: 40,
      pupilsNew: 0,
      pupilsChanged: 0,
      pupilsLeft: 0,
      resultsNew: achieved.length,
    });
    const log = await logOf(again.id);
    expect(log[0]!.message).toContain('without asking Assembly Platform API');
    expect(log.map((event) => event.code)).toContain('facet_skipped');

    await confirmProposed(rig.schoolId);
    expect((await pointsAt(rig.schoolId)).length).toBeGreaterThan(0);
  });

  it('writes nothing when a replay brings nothing new', async () => {
    const rig = await assemblyRig(30);
    const first = await pull(rig.source, 'full');
    await confirmProposed(rig.schoolId);
    const staged = await syncedRows(database.db);
    const again = await replayedQuietly(rig.fake, first);
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

  it('reproduces the record problems the pull found, a grade set Assembly lost among them', async () => {
    const rig = await assemblyRig(30);
    const data = rig.fake.school();
    const lost = Number(data.results[0]!.record.assessment_id);
    data.gradeSets.delete(lost);
    const first = await pull(rig.source, 'full');
    const found = await problemsOf(first.id);
    expect(found.filter((problem) => problem.code === 'grade_unknown').length).toBeGreaterThan(0);
    const again = await replayedQuietly(rig.fake, first);
    expect(again.problems).toBe(first.problems);
    expect(await problemsOf(again.id)).toEqual(found);
  });

  it('replays an incremental run without moving the cursor or marking leavers', async () => {
    const rig = await assemblyRig(30);
    await pull(rig.source, 'full');
    rig.fake.changeResults(5);
    rig.fake.leave(2);
    const delta = await pull(rig.source, 'incremental');
    expect(delta).toMatchObject({ mode: 'incremental', resultsChanged: 5 });
    const cursor = await cursorOf(rig.source.id);

    const again = await replayedQuietly(rig.fake, delta);
    expect(again).toMatchObject({
      status: delta.status,
      mode: 'incremental',
      resultsSeen: delta.resultsSeen,
      resultsChanged: 0,
      resultsUnchanged: delta.resultsSeen,
      pupilsLeft: 0,
    });
    expect(await cursorOf(rig.source.id)).toEqual(cursor);
  });

  it('marks nobody as left when the pull it replays was not complete', async () => {
    const rig = await assemblyRig(60);
    await pull(rig.source, 'full');
    // Pupils leaving while the roll is read move Assembly's pages: that pull is not complete.
    rig.fake.setFaults({ leaveBetweenPages: { afterPage: 1, count: 3 } });
    const moved = await pull(rig.source, 'full');
    expect(moved).toMatchObject({ status: 'succeeded_with_warnings', pupilsLeft: 0 });

    const again = await replayedQuietly(rig.fake, moved);
    expect(again).toMatchObject({ status: 'succeeded_with_warnings', pupilsLeft: 0 });
    expect(again.warnings).toContain('The source said the pull was incomplete.');
    expect((await logOf(again.id)).map((event) => event.code)).toContain('replay_not_complete');
  });
});

// ---------------------------------------------------------------------------------------------
// Arbor

interface ArborRig {
  schoolId: string;
  synthetic: SyntheticSchool;
  fake: ArborFake;
  source: { id: string; schoolId: string };
}

async function arborRig(pupils: number, config: Record<string, unknown> = {}): Promise<ArborRig> {
  const { id, synthetic } = await newSchool(pupils);
  const fake = await startArborFake({ school: synthetic });
  const source = await addSource(database.db, testEngine(database).secretKey, ANALYST, {
    schoolId: id,
    kind: 'arbor',
    name: 'Arbor MIS',
    config: {
      host: fake.url,
      username: FAKE_USERNAME,
      pageSize: 25,
      join: { chunkSize: 20 },
      http: { ...QUICK_HTTP, deadlineMs: 5000 },
      ...config,
    },
    secrets: { password: FAKE_PASSWORD },
  });
  return { schoolId: id, synthetic, fake, source: { id: source.id, schoolId: id } };
}

describe('replaying an Arbor run', () => {
  it('reads the pupils again after a settings fix, from the kept answers, with Arbor stopped', async () => {
    // English was left out of the source's English language codes: every pupil looked EAL.
    const rig = await arborRig(40, { englishLanguageCodes: ['ENB'] });
    const first = await pull(rig.source, 'full');
    expect(first).toMatchObject({ status: 'succeeded', pupilsSeen: 40 });
    const english = rig.synthetic.pupils.filter((pupil) => !pupil.eal).length;
    expect(english).toBeGreaterThan(0);

    await setConfig(rig.source.id, (config) => {
      config.englishLanguageCodes = ['ENG', 'ENB'];
    });
    const again = await replayedQuietly(rig.fake, first);
    expect(again).toMatchObject({
      status: 'succeeded',
      pupilsSeen: 40,
      pupilsNew: 0,
      pupilsChanged: english,
      pupilsLeft: 0,
      resultsSeen: first.resultsSeen,
      resultsNew: 0,
      resultsUnchanged: first.resultsSeen,
    });
    const log = await logOf(again.id);
    expect(log[0]!.message).toContain('without asking Arbor MIS');
  });

  it('writes nothing when a replay brings nothing new', async () => {
    const rig = await arborRig(30);
    const first = await pull(rig.source, 'full');
    await confirmProposed(rig.schoolId);
    const staged = await syncedRows(database.db);
    const again = await replayedQuietly(rig.fake, first);
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
    const rig = await arborRig(30);
    // The application may list assessments but not read them: every mark's aspect is unknown.
    rig.fake.setFaults({ stripped: ['assessments'] });
    const first = await pull(rig.source, 'full');
    const found = await problemsOf(first.id);
    expect(found.filter((problem) => problem.code === 'aspect_unreadable').length).toBeGreaterThan(
      0,
    );
    const again = await replayedQuietly(rig.fake, first);
    expect(again.problems).toBe(first.problems);
    expect(await problemsOf(again.id)).toEqual(found);
  });

  it('replays an incremental run, its deletions apart, without moving the cursor', async () => {
    const rig = await arborRig(30);
    await pull(rig.source, 'full');
    rig.fake.changeResults(5);
    rig.fake.deleteResults(2);
    rig.fake.changePupilNames(3);
    const delta = await pull(rig.source, 'incremental');
    expect(delta).toMatchObject({ mode: 'incremental', resultsChanged: 5, pupilsChanged: 3 });
    expect(delta.resultsRetracted).toBe(2);
    expect((await keptLabels(delta.id)).some((label) => label.endsWith(' (deletions)'))).toBe(true);
    const cursor = await cursorOf(rig.source.id);

    const again = await replayedQuietly(rig.fake, delta);
    expect(again).toMatchObject({
      status: delta.status,
      mode: 'incremental',
      pupilsSeen: delta.pupilsSeen,
      pupilsChanged: 0,
      resultsSeen: delta.resultsSeen,
      resultsChanged: 0,
      resultsUnchanged: delta.resultsSeen,
      pupilsLeft: 0,
    });
    expect(await cursorOf(rig.source.id)).toEqual(cursor);
  });

  it('marks nobody as left when the pull it replays was not complete', async () => {
    const rig = await arborRig(60);
    await pull(rig.source, 'full');
    // Students deleted between pages move Arbor's page numbers: that pull is not complete.
    rig.fake.setFaults({ deleteBetweenPages: { resource: 'students', afterPage: 1, count: 3 } });
    const moved = await pull(rig.source, 'full');
    expect(moved).toMatchObject({ status: 'succeeded_with_warnings', pupilsLeft: 0 });

    const again = await replayedQuietly(rig.fake, moved);
    expect(again).toMatchObject({ status: 'succeeded_with_warnings', pupilsLeft: 0 });
    expect(again.warnings).toContain('The source said the pull was incomplete.');
    const codes = (await logOf(again.id)).map((event) => event.code);
    expect(codes).toContain('replay_not_complete');
    expect(codes).toContain('pupils_removed_during_pull');
  });
});

// ---------------------------------------------------------------------------------------------
// OneRoster REST

interface OneRosterRig {
  schoolId: string;
  synthetic: SyntheticSchool;
  fake: OneRosterRestFake;
  source: { id: string; schoolId: string };
}

async function oneRosterRig(
  pupils: number,
  config: (synthetic: SyntheticSchool) => Record<string, unknown> = () => ({}),
): Promise<OneRosterRig> {
  const { id, synthetic } = await newSchool(pupils);
  const fake = await startOneRosterRestFake({ schools: [synthetic] });
  const source = await addSource(database.db, testEngine(database).secretKey, ANALYST, {
    schoolId: id,
    kind: 'oneroster_rest',
    name: 'OneRoster',
    config: {
      baseUrl: fake.url,
      tokenUrl: fake.tokenUrl,
      clientId: fake.clientId,
      schoolSourcedId: fake.schoolId(),
      pageSize: 25,
      http: {
        retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 50 },
        timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000 },
        deadlineMs: 5000,
      },
      ...config(synthetic),
    },
    secrets: { clientSecret: fake.clientSecret },
  });
  return { schoolId: id, synthetic, fake, source: { id: source.id, schoolId: id } };
}

describe('replaying a OneRoster run', () => {
  it('lands what a category fix lets in, from the kept pages, with the server stopped', async () => {
    const rig = await oneRosterRig(40, (synthetic) => ({
      categories: synthetic.aspects.filter((a) => a.subject !== 'mathematics').map((a) => a.id),
    }));
    const first = await pull(rig.source, 'full');
    expect(first).toMatchObject({ status: 'succeeded', pupilsSeen: 40 });
    await confirmProposed(rig.schoolId);
    const before = await pointsAt(rig.schoolId);
    expect(before.length).toBeGreaterThan(0);
    expect(before.some((point) => point.includes(' mathematics '))).toBe(false);

    // The source read the literacy categories only; the data lead lets mathematics in too.
    await setConfig(rig.source.id, (config) => {
      config.categories = [];
    });
    const again = await replayedQuietly(rig.fake, first);
    expect(again).toMatchObject({
      status: 'succeeded',
      pupilsSeen: 40,
      pupilsNew: 0,
      pupilsChanged: 0,
      pupilsLeft: 0,
      resultsNew: marked(rig.synthetic, 'mathematics').length,
      resultsUnchanged: first.resultsSeen,
    });
    expect((await logOf(again.id))[0]!.message).toContain('without asking OneRoster');

    await confirmProposed(rig.schoolId);
    const after = await pointsAt(rig.schoolId);
    expect(after.some((point) => point.includes(' mathematics '))).toBe(true);
    expect(after.filter((point) => !point.includes(' mathematics '))).toEqual(before);
  });

  it('writes nothing when a replay brings nothing new', async () => {
    const rig = await oneRosterRig(30);
    const first = await pull(rig.source, 'full');
    await confirmProposed(rig.schoolId);
    const staged = await syncedRows(database.db);
    const again = await replayedQuietly(rig.fake, first);
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
    // The SEN status is read from the year group by mistake: every pupil has a problem.
    const rig = await oneRosterRig(30, () => ({ pupilFields: { senStatus: ['grades'] } }));
    const first = await pull(rig.source, 'full');
    const found = await problemsOf(first.id);
    expect(found.filter((p) => p.code === 'pupil_field_unreadable').length).toBeGreaterThan(0);
    const again = await replayedQuietly(rig.fake, first);
    expect(again.problems).toBe(first.problems);
    expect(await problemsOf(again.id)).toEqual(found);
  });

  it('replays an incremental run, its deletions apart, without moving the cursor', async () => {
    const rig = await oneRosterRig(30);
    await pull(rig.source, 'full');
    rig.fake.changeResults(5);
    rig.fake.deleteResults(2);
    rig.fake.deletePupils(1);
    const delta = await pull(rig.source, 'incremental');
    expect(delta).toMatchObject({ mode: 'incremental', resultsRetracted: 2 });
    expect(delta.resultsChanged).toBeGreaterThan(0);
    // A page of results and deletions is passed on as two pages, from one kept page.
    expect(await keptPageCount(delta.id)).toBeLessThan(delta.pagesDone);
    const cursor = await cursorOf(rig.source.id);

    const again = await replayedQuietly(rig.fake, delta);
    expect(again).toMatchObject({
      status: delta.status,
      mode: 'incremental',
      resultsSeen: delta.resultsSeen,
      resultsChanged: 0,
      resultsUnchanged: delta.resultsSeen,
      pupilsLeft: 0,
    });
    expect(await cursorOf(rig.source.id)).toEqual(cursor);
  });

  it('drops the records a page read again repeats, as the pull did', async () => {
    const rig = await oneRosterRig(60);
    await pull(rig.source, 'full');
    // Students removed between pages: the pull steps back and drops the repeats by id.
    rig.fake.setFaults({ removeAfterPage: { endpoint: 'students', page: 1, count: 2, times: 1 } });
    const shifted = await pull(rig.source, 'full');
    const codes = (await logOf(shifted.id)).map((event) => event.code);
    expect(codes).toContain('listing_shrank');

    const again = await replayedQuietly(rig.fake, shifted);
    expect(again).toMatchObject({
      status: shifted.status,
      pupilsSeen: shifted.pupilsSeen,
      pupilsNew: 0,
      pupilsChanged: 0,
      pupilsLeft: 0,
      resultsUnchanged: shifted.resultsSeen,
    });
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

  it('is offered for runs of Assembly, Arbor and OneRoster, and replays them through the API', async () => {
    // Each source is made just before its sync: a source never synced is due on schedule.
    const rigs = [() => assemblyRig(10), () => arborRig(10), () => oneRosterRig(10)];
    const app = await testApp(database);
    try {
      for (const [index, rigOf] of rigs.entries()) {
        const rig = await rigOf();
        const first = await pull(rig.source, 'full');
        await rig.fake.close();
        const lead = await userWith(database, `Data Lead ${schools}.${index}`, [
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
        await drain(testEngine(database));
        const replayed = await runOf((asked.json().run as SyncRun).id);
        expect(replayed).toMatchObject({ status: 'succeeded', pagesDone: first.pagesDone });
      }
    } finally {
      await app.close();
    }
  });
});
