import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { and, eq, isNull, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createApiToken, createUser, startSession } from '../src/access/users.ts';
import { loadConfig } from '../src/config/index.ts';
import { type Database, openDatabase } from '../src/db/index.ts';
import { rows } from '../src/db/rows.ts';
import { gradeRules, nxPoints, schools, sources, subjectMappings } from '../src/db/schema.ts';
import { upnCheckLetter } from '../src/domain/upn.ts';
import { createLogger } from '../src/logging.ts';
import type { Engine } from '../src/sync/engine.ts';
import { decideGradeRules, decideSubjectMappings, proposeGradeRule } from '../src/sync/mapping.ts';
import {
  excludedPupils,
  missingPupils,
  orphanResults,
  unmappedValues,
} from '../src/sync/reconcile.ts';
import { requestRun } from '../src/sync/runs.ts';
import { queueUpload, SyncWorker } from '../src/sync/worker.ts';
import { addSchool } from '../src/trust/schools.ts';
import { seedReferenceData } from '../src/trust/seed.ts';
import { landedPage } from '../src/web/api/reconcile.ts';
import { buildApp } from '../src/web/app.ts';
import { progressOfSchools, warmReconciliation } from '../src/web/console/progress.ts';
import { activeSubjects } from '../src/web/console/queries.ts';
import { bareFetch, percentile, profiled, rssSampler, timed } from './measure.ts';
import { reportPages, seedReportTrust, timePages } from './reports.ts';
import {
  addTrustSources,
  BENCH_ACTOR,
  rowsWrittenSince,
  SECRET_KEY,
  startTrust,
  transactionMark,
} from './trust.ts';

/**
 * `npm run bench`: one synthetic trust synced end to end on PostgreSQL and on PGlite, each figure
 * beside its physical limit measured in the same run.
 *   npm run bench -- --pupils 60000 --schools 30 --engine both
 * `--only sync` or `--only reports` runs one half; `--keep` leaves the PostgreSQL databases.
 */

const TODAY = '2026-12-03';
const { values } = parseArgs({
  options: {
    pupils: { type: 'string', default: '60000' },
    schools: { type: 'string', default: '30' },
    engine: { type: 'string', default: 'both' },
    rows: { type: 'string', default: '100000' },
    only: { type: 'string', default: 'all' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'string', multiple: true, default: [] },
  },
});
/** Steps whose CPU profile is written to `bench/results/<engine>-<step>.cpuprofile`. */
const STEPS = ['full', 'resync', 'incremental', 'rederive', 'spreadsheet'] as const;
for (const step of values.profile!) {
  if (!(STEPS as readonly string[]).includes(step)) {
    throw new Error(`--profile takes one of ${STEPS.join(', ')}; "${step}" is not a step`);
  }
}
const profileOf = (engine: string, step: (typeof STEPS)[number]) =>
  values.profile!.includes(step) ? `bench/results/${engine}-${step}.cpuprofile` : null;
const PUPILS = Number(values.pupils);
const SCHOOLS = Number(values.schools);
const SPREADSHEET_ROWS = Number(values.rows);
// The local server through its socket where it has one, as a service on the database's own
// machine would connect (on this machine, loopback TCP costs each query several times more).
const SOCKET_DIR = '/var/run/postgresql';
const SERVER =
  process.env.BENCH_DATABASE_URL ??
  (existsSync(path.join(SOCKET_DIR, '.s.PGSQL.5432'))
    ? `postgres://postgres@localhost/postgres?host=${SOCKET_DIR}`
    : 'postgres://postgres@127.0.0.1:5432/postgres');

interface Figure {
  engine: string;
  figure: string;
  value: number;
  unit: string;
  limit: number | null;
  target: string;
}

const figures: Figure[] = [];
const record = (figure: Figure) => {
  figures.push(figure);
  const ratio = figure.limit ? ` (${(figure.value / figure.limit).toFixed(1)}x limit)` : '';
  process.stdout.write(`  ${figure.figure}: ${figure.value.toFixed(1)} ${figure.unit}${ratio}\n`);
};

const ENGINES = values.engine === 'both' ? ['postgres', 'pglite'] : [values.engine!];
const trust = await startTrust(SCHOOLS, PUPILS);
const totalResults = trust.schools.reduce((sum, school) => sum + school.results, 0);
process.stdout.write(
  `Synthetic trust: ${SCHOOLS} schools, ${PUPILS} pupils, ${totalResults} results\n` +
    `PostgreSQL at ${new URL(SERVER).searchParams.get('host') ?? new URL(SERVER).host}\n`,
);

try {
  for (const engine of ENGINES) {
    if (values.only === 'reports') break;
    process.stdout.write(`\n${engine}\n`);
    await benchEngine(engine);
  }
} finally {
  await trust.fake.close();
}
for (const engine of ENGINES) {
  if (values.only === 'sync') break;
  process.stdout.write(`\n${engine}: report pages over nine collections\n`);
  await benchReports(engine);
}
printTable();

async function benchEngine(engine: string) {
  const { database, drop, url } = await freshDatabase(engine);
  try {
    await seedReferenceData(database.db, TODAY);
    await addTrustSources(database, trust);
    const engineOf = (owner: string): Engine => ({
      db: database.db,
      secretKey: SECRET_KEY,
      logger: createLogger('silent'),
      clock: { now: () => new Date(), today: () => TODAY },
      owner,
      leaseMs: 120_000,
      rawRetentionDays: 30,
    });
    const worker = new SyncWorker(engineOf('bench'), { concurrency: 2 });
    const syncAll = async (mode: 'full' | 'incremental' = 'full') => {
      const all = await database.db.select().from(sources);
      for (const source of all) {
        await requestRun(database.db, {
          sourceId: source.id,
          schoolId: source.schoolId,
          trigger: 'manual',
          mode,
          requestedBy: null,
        });
      }
      for (let pass = 0; pass < all.length; pass += 1) {
        await worker.tick();
        await worker.idle();
        const [left] = await rows<{ n: number }>(
          database.db,
          sql`select count(*)::int as n from sync_runs where status in ('queued', 'running')`,
        );
        if (left?.n === 0) break;
      }
    };

    // A first pull finds the aspects; subject leaders confirm them and the library, then the
    // staged data is cleared so that the measured sync lands everything end to end.
    await syncAll('full');
    await confirmMappings(database);
    await database.db.execute(
      sql`truncate assessments, assessment_conflicts, staged_results, pupil_match_suggestions,
          source_pupils, pupils cascade`,
    );

    // Each measured step starts from a checkpoint: the writes of the step before are on disk,
    // not flushed (with every page written whole once after it) during the step measured.
    const settle = () => database.db.execute(sql`checkpoint`);
    await settle();
    const rss = rssSampler();
    const full = await profiled(profileOf(engine, 'full'), () => syncAll('full'));
    // The worker counts the schools' report figures once the queue is quiet, after the last run.
    const counted = await timed(() => worker.reportsCounted());
    const peak = rss.stop();
    process.stdout.write(
      `  (at the peak: heap ${peak.heapUsed.toFixed(0)} MB in use of ${peak.heapTotal.toFixed(0)}` +
        ` MB, buffers ${peak.external.toFixed(0)} MB)\n`,
    );
    // A figure for a sync that staged less than the trust has would be no figure at all.
    const [staged] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from staged_results where retracted_at is null`,
    );
    process.stdout.write(`  (the full sync staged ${staged?.n} of ${totalResults} results)\n`);
    if (staged?.n !== totalResults) throw new Error('the full sync did not stage every result');
    const bare = await timed(() => bareFetch(trust.fake.url, trust.fake.token, trust.wondeIds));
    const copy = await timed(() => copyLimit(database, url));
    record({
      engine,
      figure: 'full sync (pull, stage, map, land)',
      value: full.ms / 1000,
      unit: 's',
      limit: (bare.ms + copy.ms) / 1000,
      target: '< 4x limit and < 30 s',
    });
    record({
      engine,
      figure: 'report figures counted after it, every school',
      value: counted.ms / 1000,
      unit: 's',
      limit: null,
      target: '',
    });
    record({
      engine,
      figure: 'full sync peak RSS',
      value: peak.rss,
      unit: 'MB',
      limit: null,
      target: '< 400 MB',
    });

    await settle();
    const mark = await transactionMark(database);
    const again = await profiled(profileOf(engine, 'resync'), async () => {
      await syncAll('full');
      await worker.reportsCounted();
    });
    record({
      engine,
      figure: 'unchanged re-sync',
      value: again.ms / 1000,
      unit: 's',
      limit: full.ms / 3000,
      target: '< 1/3 of full sync',
    });
    record({
      engine,
      figure: 'unchanged re-sync rows written',
      value: await rowsWrittenSince(database, mark),
      unit: 'rows',
      limit: null,
      target: '0',
    });

    // What the nightly schedule runs: each source asked only for what changed since its last run.
    await settle();
    const deltaMark = await transactionMark(database);
    const delta = await profiled(profileOf(engine, 'incremental'), async () => {
      await syncAll('incremental');
      await worker.reportsCounted();
    });
    record({
      engine,
      figure: 'unchanged re-sync, incremental (as scheduled)',
      value: delta.ms / 1000,
      unit: 's',
      limit: null,
      target: '',
    });
    record({
      engine,
      figure: 'unchanged incremental re-sync rows written',
      value: await rowsWrittenSince(database, deltaMark),
      unit: 'rows',
      limit: null,
      target: '0',
    });

    const proposed = await proposeTenPercent(database);
    await settle();
    const rederive = await profiled(profileOf(engine, 'rederive'), () =>
      decideGradeRules(
        database.db,
        BENCH_ACTOR,
        proposed,
        { decision: 'confirm', reason: 'bench' },
        TODAY,
      ),
    );
    record({
      engine,
      figure: 're-derive after rules touching 10%',
      value: rederive.ms / 1000,
      unit: 's',
      limit: null,
      target: '< 2 s',
    });

    await settle();
    const spreadsheet = await profiled(profileOf(engine, 'spreadsheet'), () =>
      importSpreadsheet(database, engineOf('upload')),
    );
    record({
      engine,
      figure: `${SPREADSHEET_ROWS}-row spreadsheet import`,
      value: spreadsheet.ms / 1000,
      unit: 's',
      limit: null,
      target: '< 10 s',
    });

    // What the worker does at its next tick after the rules and the upload: every school's
    // reconciliation worked out again, so that the pages below read it kept.
    const warm = await timed(() => warmReconciliation(database.db, TODAY));
    record({
      engine,
      figure: 'reconciliation worked out again, every school',
      value: warm.ms / 1000,
      unit: 's',
      limit: null,
      target: '',
    });

    await settle();
    await benchPages(database, engine);
  } finally {
    await database.close();
    await drop();
  }
}

async function freshDatabase(
  engine: string,
): Promise<{ database: Database; drop: () => Promise<void>; url: string | null }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'nss-bench-'));
    return {
      database: await openDatabase({ url: null, dataDir: dir }),
      drop: async () => {},
      url: null,
    };
  }
  const name = `nss_bench_${Date.now()}`;
  const admin = postgres(SERVER, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), dataDir: 'memory', poolSize: 10 });
  return {
    database,
    url: url.toString(),
    drop: async () => {
      if (values.keep) process.stdout.write(`  (kept database ${name})\n`);
      else await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function confirmMappings(database: Database) {
  const mappings = await database.db
    .select({ id: subjectMappings.id })
    .from(subjectMappings)
    .where(eq(subjectMappings.status, 'proposed'));
  await decideSubjectMappings(
    database.db,
    BENCH_ACTOR,
    mappings.map((m) => m.id),
    { decision: 'confirm', reason: 'bench' },
    TODAY,
  );
  const library = await database.db
    .select({ id: gradeRules.id })
    .from(gradeRules)
    .where(and(isNull(gradeRules.schoolId), eq(gradeRules.status, 'proposed')));
  await decideGradeRules(
    database.db,
    BENCH_ACTOR,
    library.map((r) => r.id),
    { decision: 'confirm', reason: 'bench' },
    TODAY,
  );
}

/**
 * Trust-wide rules for two of the schools' own tracker grades, proposed: about a tenth of all
 * results. Confirming them is what is measured.
 */
async function proposeTenPercent(database: Database) {
  const [nx8] = await database.db.select().from(nxPoints).where(eq(nxPoints.code, 'NX8'));
  const ids: number[] = [];
  for (const value of ['Y4 Secure', 'Y5 Secure']) {
    const rule = await proposeGradeRule(database.db, BENCH_ACTOR, {
      schoolId: null,
      subjectId: null,
      aspectId: null,
      gradeSet: null,
      yearFrom: null,
      yearTo: null,
      match: 'value',
      value,
      rangeMin: null,
      rangeMax: null,
      aliasOf: null,
      nxPointId: nx8!.id,
      reason: 'bench',
    });
    ids.push(rule.id);
  }
  const [touched] = await rows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from staged_results where raw_value in ('Y4 Secure', 'Y5 Secure')`,
  );
  process.stdout.write(`  (the rules touch ${touched?.n} results)\n`);
  return ids;
}

/**
 * The limit of landing: as many rows as the sync staged, written in one go. On PostgreSQL that is
 * a COPY; PGlite takes them through one INSERT from a single parameter, its nearest equivalent.
 */
async function copyLimit(database: Database, url: string | null) {
  const [count] = await rows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from staged_results`,
  );
  const lines: string[] = [];
  for (let n = 0; n < (count?.n ?? 0); n += 1) {
    lines.push(`${n}\tB1930500000-${n}\tEXS\t2026-12-08\tAutumn 2026\n`);
  }
  await database.db.execute(sql`
    create table if not exists bench_copy
      (id int, external_id text, raw_value text, assessed_on date, label text)`);
  if (url) {
    const client = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const writable = await client`copy bench_copy from stdin`.writable();
      await pipeline(Readable.from([lines.join('')]), writable);
    } finally {
      await client.end();
    }
    return;
  }
  await database.db.execute(sql`
    insert into bench_copy
    select (f[1])::int, f[2], f[3], (f[4])::date, f[5]
    from (select string_to_array(line, E'\\t') as f
          from unnest(string_to_array(rtrim(${lines.join('')}, E'\\n'), E'\\n')) as line) parsed`);
}

/**
 * A spreadsheet return of SPREADSHEET_ROWS rows, one subject a row, for a school of its own so
 * that the pages measured after it read an ordinary school. Pupils have valid UPNs and their own
 * dates of birth, as a school's export does.
 */
async function importSpreadsheet(database: Database, engine: Engine) {
  const school = await addSchool(database.db, BENCH_ACTOR, {
    name: 'Bench Upload Academy',
    urn: '169999',
    laestab: '8016999',
    phase: 'primary',
    setting: 'mainstream',
    joinedTrustOn: '2019-09-01',
  });
  const [source] = await database.db
    .insert(sources)
    .values({ schoolId: school.id, kind: 'spreadsheet', name: 'bench upload' })
    .returning();
  const lines = ['UPN,Surname,Forename,Date of birth,Year group,Assessment date,Subject,Value'];
  const subjects = ['Reading', 'Writing', 'Maths'];
  for (let n = 0; n < SPREADSHEET_ROWS; n += 1) {
    const pupil = Math.floor(n / 3);
    const rest = `8016999${String(10 + Math.floor(pupil / 1000)).padStart(2, '0')}${String(pupil % 1000).padStart(3, '0')}`;
    const born = `${String(1 + (pupil % 28)).padStart(2, '0')}/${String(1 + (pupil % 12)).padStart(2, '0')}/2018`;
    lines.push(
      `${upnCheckLetter(rest)}${rest},Pupil${pupil},Bench,${born},Y3,27/11/2026,${subjects[n % 3]},EXS`,
    );
  }
  await queueUpload(
    database.db,
    BENCH_ACTOR,
    source!,
    {
      fileName: 'bench.csv',
      bytes: Buffer.from(lines.join('\r\n')),
      contentType: 'text/csv',
    },
    30,
  );
  const worker = new SyncWorker(engine, { concurrency: 1 });
  await worker.tick();
  await worker.idle();
}

async function serveApp(database: Database) {
  const user = await createUser(database.db, BENCH_ACTOR, {
    email: `bench-${Date.now()}@nexus.example`,
    displayName: 'Bench Analyst',
    password: null,
    grants: [{ role: 'trust_analyst', schoolId: null, subjectId: null }],
  });
  const token = await createApiToken(database.db, BENCH_ACTOR, user.id, 'bench');
  const session = await startSession(database.db, user.id, 8);
  const app = await buildApp(
    {
      config: loadConfig({ SCHEDULER: 'false', LOG_LEVEL: 'silent' }),
      database,
      logger: createLogger('silent'),
      secretKey: SECRET_KEY,
      clock: { now: () => new Date(), today: () => TODAY },
    },
    { scheduler: false },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    token,
    cookie: `nss_session=${session}`,
    close: () => app.close(),
  };
}

async function benchPages(database: Database, engine: string) {
  const { baseUrl, token, cookie, close } = await serveApp(database);
  const allSchools = await database.db
    .select({ id: schools.id, name: schools.name })
    .from(schools)
    .orderBy(schools.name);
  const school = allSchools.find((each) => each.name === 'Bench Academy 1');
  const subjects = await activeSubjects(database.db);
  const [collection] = await rows<{ id: number }>(
    database.db,
    sql`select id from collections where label = 'Autumn 2026/27'`,
  );
  // Beside each page, its limit: the same queries the page runs, asked for directly (no HTTP, no
  // sign-in, no JSON).
  const scope = { schoolId: school!.id, collectionId: collection!.id, subjectId: 3 };
  const pages: [string, string, () => Promise<unknown>][] = [
    [
      'console trust overview',
      `/?collection=${collection!.id}`,
      () =>
        progressOfSchools(
          database.db,
          allSchools.map((each) => each.id),
          collection!.id,
          subjects,
        ),
    ],
    [
      'console unmapped values',
      `/schools/${school!.id}/unmapped`,
      async () => {
        await unmappedValues(database.db, school!.id, null);
        await orphanResults(database.db, school!.id);
      },
    ],
    [
      'console missing pupils',
      `/schools/${school!.id}/missing?collection=${collection!.id}&subject=3`,
      async () => {
        await missingPupils(database.db, scope);
        await excludedPupils(database.db, scope);
      },
    ],
    [
      'API landed assessments (1,000)',
      '/api/v1/assessments?limit=1000',
      () => landedPage(database.db, 'all', { limit: 1000, after: 0 }),
    ],
    [
      'API unmapped values',
      `/api/v1/schools/${school!.id}/unmapped-values`,
      async () => {
        await unmappedValues(database.db, school!.id, null);
        await orphanResults(database.db, school!.id);
      },
    ],
    [
      'API missing pupils',
      `/api/v1/schools/${school!.id}/missing-pupils?collectionId=${collection!.id}&subjectId=3`,
      async () => {
        await missingPupils(database.db, scope);
        await excludedPupils(database.db, scope);
      },
    ],
  ];
  try {
    for (const [name, url, raw] of pages) {
      // The clients run on a thread of their own, as browsers and scripts would on machines of
      // their own: the service's event loop serves requests and nothing else.
      const result = await autocannon({
        url: `${baseUrl}${url}`,
        connections: 20,
        duration: 5,
        workers: 1,
        headers: url.startsWith('/api/') ? { authorization: `Bearer ${token}` } : { cookie },
      });
      const sqlTimes: number[] = [];
      // Thirty times, or as many as fit in 20 seconds for a page whose queries are slow.
      const limitUntil = performance.now() + 20_000;
      for (let n = 0; n < 30 && (n < 3 || performance.now() < limitUntil); n += 1) {
        sqlTimes.push((await timed(raw)).ms);
      }
      sqlTimes.sort((a, b) => a - b);
      record({
        engine,
        figure: `${name} p50`,
        value: result.latency.p50,
        unit: 'ms',
        limit: percentile(sqlTimes, 0.5),
        target: '',
      });
      record({
        engine,
        figure: `${name} p95`,
        value: result.latency.p97_5 ?? result.latency.p99,
        unit: 'ms',
        limit: percentile(sqlTimes, 0.95),
        target: '< 150 ms',
      });
      record({
        engine,
        figure: `${name} requests/s`,
        value: result.requests.average,
        unit: 'req/s',
        limit: null,
        target: '',
      });
      if (result.non2xx > 0) process.stdout.write(`  (${result.non2xx} answers were not 2xx)\n`);
      if (result.timeouts > 0 || result.errors > 0) {
        process.stdout.write(
          `  (${result.timeouts} requests timed out after 10 s, ${result.errors} failed: ` +
            'the figures above leave them out)\n',
        );
      }
    }
  } finally {
    await close();
  }
}

/**
 * The report pages over a trust with nine collections of landed points. Each page is asked for
 * in turn; the first asking counts what a sync left, the rest read the kept counts. Beside them:
 * the first view of the trust's dashboard after one school's points change, and after every
 * school's do (nothing kept).
 */
async function benchReports(engine: string) {
  const { database, drop } = await freshDatabase(engine);
  try {
    await seedReferenceData(database.db, TODAY);
    const seeding = await timed(() =>
      seedReportTrust(database, {
        schools: SCHOOLS,
        pupils: PUPILS,
        collections: 9,
        today: TODAY,
      }),
    );
    process.stdout.write(
      `  (${seeding.value.assessments} landed points written in ${(seeding.ms / 1000).toFixed(0)} s)\n`,
    );
    const { baseUrl, token, close } = await serveApp(database);
    try {
      const pages = reportPages(seeding.value);
      for (const timing of await timePages(baseUrl, token, pages, 20)) {
        record({
          engine,
          figure: `${timing.page} median`,
          value: timing.median,
          unit: 'ms',
          limit: null,
          target: '< 300 ms',
        });
        record({
          engine,
          figure: `${timing.page} p95`,
          value: timing.p95,
          unit: 'ms',
          limit: null,
          target: '',
        });
      }
      const dashboard = pages.slice(0, 1);
      await database.db.execute(
        sql`update assessments set raw_value = raw_value where id = (select min(id) from assessments)`,
      );
      const oneSchool = await timePages(baseUrl, token, dashboard, 0, false);
      record({
        engine,
        figure: 'trust dashboard, first view after one school changed',
        value: oneSchool[0]!.median,
        unit: 'ms',
        limit: null,
        target: '',
      });
      await database.db.execute(sql`delete from report_summaries`);
      const everySchool = await timePages(baseUrl, token, dashboard, 0, false);
      record({
        engine,
        figure: 'trust dashboard, first view with nothing kept',
        value: everySchool[0]!.median,
        unit: 'ms',
        limit: null,
        target: '',
      });
    } finally {
      await close();
    }
  } finally {
    await database.close();
    await drop();
  }
}

function printTable() {
  const header = '| engine | figure | value | limit | ratio | target |';
  const lines = [header, '| --- | --- | --- | --- | --- | --- |'];
  for (const f of figures) {
    const limit = f.limit === null ? '' : `${f.limit.toFixed(1)} ${f.unit}`;
    const ratio = f.limit ? `${(f.value / f.limit).toFixed(1)}x` : '';
    lines.push(
      `| ${f.engine} | ${f.figure} | ${f.value.toFixed(1)} ${f.unit} | ${limit} | ${ratio} | ${f.target} |`,
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/latest.json',
    JSON.stringify(
      {
        pupils: PUPILS,
        schools: SCHOOLS,
        results: totalResults,
        postgres: new URL(SERVER).searchParams.get('host') ?? new URL(SERVER).host,
        at: new Date().toISOString(),
        figures,
      },
      null,
      2,
    ),
  );
  process.stdout.write('\nWritten to bench/results/latest.json\n');
}
