import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createApiToken, createUser } from '../src/access/users.ts';
import { loadConfig } from '../src/config/index.ts';
import { openDatabase } from '../src/db/index.ts';
import { createLogger } from '../src/logging.ts';
import { seedReferenceData } from '../src/trust/seed.ts';
import { buildApp } from '../src/web/app.ts';
import { timed } from './measure.ts';
import { reportPages, seedReportTrust, timePages } from './reports.ts';
import { BENCH_ACTOR, SECRET_KEY } from './trust.ts';

/** Report pages only, on a PostgreSQL database kept for inspection: `--keep` leaves it. */
const TODAY = '2026-12-03';
const { values } = parseArgs({
  options: {
    pupils: { type: 'string', default: '60000' },
    schools: { type: 'string', default: '30' },
    database: { type: 'string' },
    times: { type: 'string', default: '10' },
  },
});
const server = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let url = values.database ? new URL(values.database) : null;
let seeded = true;
if (!url) {
  const name = `nss_reports_${Date.now()}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  url = new URL(server);
  url.pathname = `/${name}`;
  seeded = false;
}
process.stdout.write(`database ${url}\n`);
const database = await openDatabase({ url: url.toString(), dataDir: 'memory', poolSize: 10 });
let trust: Awaited<ReturnType<typeof seedReportTrust>>;
if (!seeded) {
  await seedReferenceData(database.db, TODAY);
  const seeding = await timed(() =>
    seedReportTrust(database, {
      schools: Number(values.schools),
      pupils: Number(values.pupils),
      collections: 9,
      today: TODAY,
    }),
  );
  trust = seeding.value;
  process.stdout.write(
    `seeded ${trust.assessments} points in ${(seeding.ms / 1000).toFixed(1)} s\n`,
  );
} else {
  const { rows } = await import('../src/db/rows.ts');
  const { sql } = await import('drizzle-orm');
  const schoolIds = (
    await rows<{ id: string }>(database.db, sql`select id from schools order by urn`)
  ).map((r) => r.id);
  const collectionIds = (
    await rows<{ id: number }>(
      database.db,
      sql`select distinct collection_id as id from assessments order by 1 desc`,
    )
  ).map((r) => r.id);
  trust = { schoolIds, collectionIds, assessments: 0 };
}
const user = await createUser(database.db, BENCH_ACTOR, {
  email: `bench-${Date.now()}@nexus.example`,
  displayName: 'Bench Analyst',
  password: null,
  grants: [{ role: 'trust_analyst', schoolId: null, subjectId: null }],
});
const token = await createApiToken(database.db, BENCH_ACTOR, user.id, 'bench');
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
const { port } = app.server.address() as { port: number };
for (const t of await timePages(
  `http://127.0.0.1:${port}`,
  token,
  reportPages(trust),
  Number(values.times),
)) {
  process.stdout.write(
    `${t.page}: median ${t.median.toFixed(0)} ms, p95 ${t.p95.toFixed(0)} ms, ${t.bytes} bytes\n`,
  );
}
await app.close();
await database.close();
