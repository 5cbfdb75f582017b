import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import { openDatabase } from '../../src/db/index.ts';
import { rows } from '../../src/db/rows.ts';
import { nxPoints, subjectMappings, subjects } from '../../src/db/schema.ts';
import { type AssemblyFake, startAssemblyFake } from '../../src/fakes/assembly/index.ts';
import { generateSchool, lastTerms } from '../../src/fakes/school.ts';
import { decideGradeRules, proposeGradeRule } from '../../src/sync/mapping.ts';
import { requestRun } from '../../src/sync/runs.ts';
import { createSource } from '../../src/sync/sources.ts';
import { SyncWorker } from '../../src/sync/worker.ts';
import { ANALYST, testEngine } from '../support/engine.ts';
import { createSchool, seedTrust, TODAY } from '../support/fixtures.ts';
import { type FaultDatabase, faultDatabase } from './database.ts';
import {
  AGREED_POINTS,
  agreeMappingsOfSubjects,
  duplicatePoints,
  fullRun,
  landedFrom,
  runById,
  SUBJECT_LEADER,
  withoutRun,
} from './harness.ts';

/**
 * Two service instances on one database while subject leaders confirm forty rules at once from
 * both, in overlapping batches, and a sync of the same school is landing: each rule is decided
 * once, the landed points are what the rules say, and nobody sees a deadlock.
 */

const PUPILS = 60;
const school = generateSchool({
  seed: 8450,
  name: 'Oakfield Primary Academy',
  urn: '140845',
  la: 801,
  establishment: 2845,
  pupils: PUPILS,
  style: 'primary',
  terms: lastTerms(2026, 3),
  currentStartYear: 2026,
});

/** Each subject's leader maps the school's grades a point apart: reading as agreed. */
const SHIFT: Record<string, number> = { reading: 0, writing: 1, mathematics: -1 };
const UNUSED = ['PK1', 'PK2', 'PK3', 'PK4'];

let database: FaultDatabase;
let other: { db: Db; close(): Promise<void> } | null = null;
let fake: AssemblyFake;
let source: { id: string; schoolId: string };

beforeAll(async () => {
  database = await faultDatabase();
  // The second instance has its own connections where the engine allows (PostgreSQL).
  other = database.url
    ? await openDatabase({ url: database.url, dataDir: 'memory', migrate: false, poolSize: 4 })
    : null;
  await seedTrust(database.db);
  const oakfield = await createSchool(database.db, { urn: '140845', laestab: '8012845' });
  fake = await startAssemblyFake({ schools: [school], targets: false });
  const engine = testEngine(database);
  source = await createSource(database.db, engine.secretKey, ANALYST, {
    schoolId: oakfield.id,
    kind: 'assembly',
    name: 'Assembly Platform',
    config: {
      clientId: fake.clientId,
      apiUrl: fake.url,
      authUrl: fake.url,
      pageSize: 20,
      resultsPageSize: 40,
      studentsPerResultsRequest: 20,
      http: { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 50 } },
    },
    secrets: { clientSecret: fake.clientSecret, ...fake.tokens() },
  });
  expect((await fullRun(engine, source)).status).toBe('succeeded');
  await agreeMappingsOfSubjects(database.db, oakfield.id);
});
afterAll(async () => {
  await other?.close();
  await fake?.close();
  await database?.close();
});

/** Forty proposals: every grade of the school for each subject, and four it does not use. */
async function proposeForty(db: Db, schoolId: string) {
  const points = await db.select({ id: nxPoints.id, code: nxPoints.code }).from(nxPoints);
  const pointId = new Map(points.map((point) => [point.code, point.id]));
  const trustSubjects = await db.select({ id: subjects.id, code: subjects.code }).from(subjects);
  const subjectId = (code: string) => trustSubjects.find((s) => s.code === code)!.id;
  const proposals: { subject: string; value: string }[] = [];
  for (const subject of Object.keys(SHIFT)) {
    for (const value of Object.keys(AGREED_POINTS)) proposals.push({ subject, value });
  }
  for (const value of UNUSED) proposals.push({ subject: 'reading', value });
  const ids: number[] = [];
  for (const { subject, value } of proposals) {
    const rule = await proposeGradeRule(db, SUBJECT_LEADER, {
      schoolId,
      subjectId: subjectId(subject),
      aspectId: null,
      gradeSet: null,
      yearFrom: null,
      yearTo: null,
      match: 'value',
      value,
      rangeMin: null,
      rangeMax: null,
      aliasOf: null,
      nxPointId: pointId.get(pointFor(subject, value))!,
      reason: `Oakfield's ${subject} leader maps ${value} to ${pointFor(subject, value)}`,
    });
    ids.push(rule.id);
  }
  expect(ids).toHaveLength(40);
  return ids;
}

function pointFor(subject: string, value: string) {
  const base = AGREED_POINTS[value] ?? 'NX2';
  return `NX${Number(base.slice(2)) + SHIFT[subject]!}`;
}

/** The points the confirmed rules imply, from staging alone. */
async function implied(db: Db) {
  const staged = await rows<{ externalId: string; raw: string; subject: string }>(
    db,
    sql`
    select s.external_id as "externalId", s.raw_value as raw, t.code as subject
    from staged_results s
    join source_pupils sp on sp.source_id = s.source_id
      and sp.external_id = s.pupil_external_id and sp.pupil_id is not null
    join ${subjectMappings} m on m.aspect_id = s.aspect_id and m.status = 'confirmed'
    join ${subjects} t on t.id = m.subject_id
    where s.source_id = ${source.id} and s.retracted_at is null and not s.pending`,
  );
  return staged
    .map((row) => `${row.externalId}: ${row.raw} -> ${pointFor(row.subject, row.raw)}`)
    .sort();
}

async function decisionsPerRule(db: Db, ruleIds: number[]) {
  return rows<{ ruleId: number; decisions: number; status: string }>(
    db,
    sql`
    select r.id::int as "ruleId", r.status::text as status,
      (select count(*)::int from audit_log a where a.entity_type = 'grade_rule'
         and a.entity_id = r.rule_key::text and a.action like 'grade_rule.%'
         and a.action <> 'grade_rule.propose') as decisions
    from grade_rules r where r.id in ${ruleIds} order by r.id`,
  );
}

/** Runs every decision; returns what each one that failed said. */
async function settle(decisions: Promise<unknown>[]) {
  const settled = await Promise.allSettled(decisions);
  return settled.flatMap((outcome) =>
    outcome.status === 'rejected' ? [String((outcome.reason as Error).message)] : [],
  );
}

describe('forty rules confirmed at once from two instances while a sync lands', () => {
  it('decides each rule once, lands what the rules say, and surfaces no deadlock', async () => {
    const first = database.db;
    const second = other?.db ?? database.db;
    const ruleIds = await proposeForty(first, source.schoolId);
    fake.changeResults(8);
    fake.setFaults({ slow: { path: '/results', delayMs: 60 } });
    const { run } = await requestRun(first, {
      sourceId: source.id,
      schoolId: source.schoolId,
      trigger: 'manual',
      mode: 'full',
      requestedBy: null,
    });
    const worker = new SyncWorker(testEngine(database, { owner: 'instance-a' }), {
      concurrency: 1,
    });
    await worker.tick();

    // Overlapping batches, in opposite orders, from both instances at once.
    const batch = (db: Db, ids: number[]) =>
      decideGradeRules(db, SUBJECT_LEADER, ids, { decision: 'confirm', reason: 'PLC' }, TODAY);
    const forwards = ruleIds.slice(0, 28);
    const backwards = ruleIds.slice(12).reverse();
    const refusals = await settle([
      batch(first, forwards.slice(0, 14)),
      batch(second, backwards.slice(0, 14)),
      batch(first, forwards.slice(14)),
      batch(second, backwards.slice(14)),
      ...ruleIds.slice(20, 30).map((id) => batch(second, [id])),
    ]);
    await worker.idle();
    fake.setFaults({});

    // A batch that lost the race to a rule is refused whole and says why; nothing else fails.
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) expect(refusal).toBe('Rule version 1 is already confirmed.');
    const undecided = (await decisionsPerRule(first, ruleIds)).filter((r) => r.decisions === 0);
    if (undecided.length > 0)
      await batch(
        first,
        undecided.map((r) => r.ruleId),
      );

    const decided = await decisionsPerRule(first, ruleIds);
    expect(decided.map((r) => [r.status, r.decisions])).toEqual(
      ruleIds.map(() => ['confirmed', 1]),
    );
    expect((await runById(first, run.id)).status).toBe('succeeded');
    const landed = await landedFrom(first, source.id);
    expect(withoutRun(landed)).toEqual(await implied(first));
    expect(landed.length).toBeGreaterThan(200);
    expect(await duplicatePoints(first)).toBe(0);
  });
});
