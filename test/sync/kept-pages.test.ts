import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsWrittenSince, transactionMark } from '../../bench/trust.ts';
import { rows } from '../../src/db/rows.ts';
import { syncRunEvents, syncRuns } from '../../src/db/schema.ts';
import { generateSchool, lastTerms } from '../../src/fakes/school.ts';
import { startWondeFake, type WondeFake } from '../../src/fakes/wonde/index.ts';
import { requestRun, type SyncRun } from '../../src/sync/runs.ts';
import { createSource } from '../../src/sync/sources.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST, drain, pullAndRun, testEngine } from '../support/engine.ts';
import { createSchool, seedTrust } from '../support/fixtures.ts';

/**
 * A full pull tells a page of results that is as the source's last full pull left it by the
 * page's digest alone, while nothing has changed the staged results since: such a page is not
 * compared row by row, and its ids still count as seen for the sweep. A change staged since,
 * by any run, means every page is compared again.
 */

let database: TestDatabase;
let fake: WondeFake;
let source: { id: string; schoolId: string };

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  const synthetic = generateSchool({
    seed: 57,
    name: 'Larchfield Primary Academy',
    urn: '141902',
    la: 801,
    establishment: 1902,
    pupils: 48,
    style: 'primary',
    terms: lastTerms(2026, 2),
    currentStartYear: 2026,
  });
  const school = await createSchool(database.db, {
    name: synthetic.name,
    urn: '141902',
    laestab: '8011902',
  });
  fake = await startWondeFake({ schools: [{ school: synthetic }] });
  const created = await createSource(database.db, testEngine(database).secretKey, ANALYST, {
    schoolId: school.id,
    kind: 'wonde',
    name: 'Wonde',
    config: { baseUrl: fake.url, schoolId: fake.store().id, pageDelayMs: 0, pageSize: 25 },
    secrets: { token: fake.token },
  });
  source = { id: created.id, schoolId: school.id };
});
afterAll(async () => {
  await fake.close();
  await database.close();
});

const fullPull = () => pullAndRun(testEngine(database), source);

async function incrementalPull(): Promise<SyncRun> {
  const { run } = await requestRun(database.db, {
    sourceId: source.id,
    schoolId: source.schoolId,
    trigger: 'manual',
    mode: 'incremental',
    requestedBy: null,
  });
  await drain(testEngine(database));
  return (await runOf(run.id))!;
}

async function runOf(id: string) {
  const [found] = await database.db.select().from(syncRuns).where(eq(syncRuns.id, id));
  return found ?? null;
}

async function pagesAsBefore(runId: string): Promise<string | null> {
  const [event] = await database.db
    .select({ message: syncRunEvents.message })
    .from(syncRunEvents)
    .where(sql`${syncRunEvents.runId} = ${runId} and ${syncRunEvents.code} = 'pages_as_before'`);
  return event?.message ?? null;
}

async function resultPagesSeen(runId: string): Promise<number> {
  const [seen] = await rows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from sync_run_seen where run_id = ${runId} and entity = 'result'`,
  );
  return seen!.n;
}

/** The staged value of one result, by its external id, and whether it is still to land. */
async function stagedValue(externalId: string) {
  const [found] = await rows<{ raw_value: string; pending: boolean }>(
    database.db,
    sql`select raw_value, pending from staged_results
      where source_id = ${source.id} and external_id = ${externalId}`,
  );
  return found;
}

const externalIdOf = (row: ReturnType<WondeFake['changeResults']>[number]) =>
  `${row.student.upi}:${row.aspectId}:${row.resultSetId}`;

describe('a full pull after one that left staging as it is', () => {
  it('tells each page by its digest, writes nothing and sweeps nothing', async () => {
    const first = await fullPull();
    expect(first.status).toBe('succeeded');
    const pages = await resultPagesSeen(first.id);
    expect(pages).toBeGreaterThan(5);

    const mark = await transactionMark(database);
    const again = await fullPull();
    expect(again).toMatchObject({
      status: 'succeeded',
      resultsNew: 0,
      resultsChanged: 0,
      resultsUnchanged: first.resultsNew,
      resultsRetracted: 0,
    });
    expect(await rowsWrittenSince(database, mark)).toBe(0);
    expect(await pagesAsBefore(again.id)).toBe(
      `${pages} of ${pages} pages of results were as the last full sync left them, so their ` +
        'results were not compared one by one.',
    );
    // Its pages are kept for the next full pull in place of the first's.
    expect(await resultPagesSeen(again.id)).toBe(pages);
    expect(await resultPagesSeen(first.id)).toBe(0);
  });

  it('stages a result the school changed, and compares the pages after it row by row', async () => {
    const [changed] = fake.changeResults(1);
    const run = await fullPull();
    expect(run).toMatchObject({ status: 'succeeded', resultsChanged: 1, resultsRetracted: 0 });
    expect(await stagedValue(externalIdOf(changed!))).toMatchObject({
      raw_value: changed!.value,
      pending: false,
    });
    const said = await pagesAsBefore(run.id);
    const before = Number(said?.split(' ')[0] ?? 0);
    // Only the pages before the changed one can have been told by their digest.
    expect(before).toBeLessThan(await resultPagesSeen(run.id));
    // The teacher puts it back; the next full pull stages it back.
    const [restored] = fake.store().restoreResults([changed!.seq]);
    expect(await fullPull()).toMatchObject({ status: 'succeeded', resultsChanged: 1 });
    expect(await stagedValue(externalIdOf(changed!))).toMatchObject({
      raw_value: restored!.value,
    });
  });
});

describe('a full pull after staged results went by other means', () => {
  it('compares every page, so the results are staged again', async () => {
    const base = await fullPull();
    expect(base.status).toBe('succeeded');
    // Staging restored from a copy older than the last pull, say: three results are gone.
    const gone = await rows<{ external_id: string }>(
      database.db,
      sql`delete from staged_results where id in (
          select id from staged_results where source_id = ${source.id} order by id limit 3)
        returning external_id`,
    );
    expect(gone).toHaveLength(3);

    const run = await fullPull();
    expect(run).toMatchObject({ status: 'succeeded', resultsNew: 3, resultsChanged: 0 });
    for (const { external_id } of gone) {
      expect(await stagedValue(external_id)).toMatchObject({ pending: false });
    }
    expect(await pagesAsBefore(run.id)).toBeNull();
  });
});

describe('a full pull after a change was staged since the last full pull', () => {
  it('compares every page, so a result put back is staged back', async () => {
    const base = await fullPull();
    expect(base.status).toBe('succeeded');
    // A teacher changes a grade, the nightly pull lands it, then the teacher puts it back.
    const [changed] = fake.changeResults(1);
    const delta = await incrementalPull();
    expect(delta).toMatchObject({ mode: 'incremental', resultsChanged: 1 });
    expect(delta.status).toMatch(/^succeeded/);
    const id = externalIdOf(changed!);
    expect(await stagedValue(id)).toMatchObject({ raw_value: changed!.value, pending: false });
    const [restored] = fake.store().restoreResults([changed!.seq]);
    expect(restored!.value).not.toBe(changed!.value);

    const run = await fullPull();
    expect(run).toMatchObject({ status: 'succeeded', resultsChanged: 1 });
    expect(await stagedValue(id)).toMatchObject({
      raw_value: restored!.value,
      pending: false,
    });
    expect(await pagesAsBefore(run.id)).toBeNull();
  });

  it('compares every page after a run that failed having staged a change', async () => {
    const base = await fullPull();
    expect(base.status).toBe('succeeded');
    const [changed] = fake.changeResults(1);
    fake.setFaults({ serverError: { endpoint: 'results', page: 6 } });
    const failed = await fullPull();
    fake.setFaults({});
    expect(failed).toMatchObject({ status: 'failed', resultsChanged: 1 });
    const id = externalIdOf(changed!);
    expect(await stagedValue(id)).toMatchObject({ raw_value: changed!.value, pending: true });
    const [restored] = fake.store().restoreResults([changed!.seq]);

    const run = await fullPull();
    expect(run).toMatchObject({ status: 'succeeded', resultsChanged: 1 });
    expect(await stagedValue(id)).toMatchObject({
      raw_value: restored!.value,
      pending: false,
    });
    expect(await pagesAsBefore(run.id)).toBeNull();
  });
});
