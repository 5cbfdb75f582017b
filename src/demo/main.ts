import { rmSync } from 'node:fs';
import path from 'node:path';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Grant } from '../access/principal.ts';
import { createUser } from '../access/users.ts';
import { type Actor, SYSTEM_ACTOR } from '../audit.ts';
import type { Db } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import { collections, gradeRules, subjectMappings, subjects, syncRuns } from '../db/schema.ts';
import { configOrExit, createLogger, runUntilSignalled, startService } from '../service.ts';
import { decideGradeRules, decideSubjectMappings } from '../sync/mapping.ts';
import { createSource } from '../sync/sources.ts';
import { queueUpload } from '../sync/worker.ts';
import { addSchool } from '../trust/schools.ts';
import { startDemoSystems } from './fakes.ts';
import { baselineReturn } from './spreadsheet.ts';

/**
 * `npm run demo`: the service on the embedded database with a demo trust of seven schools whose
 * simulated systems sync on schedule. It starts afresh each time in ./data/demo.
 */

const PASSWORD = 'nexus-demo-password';
const DEMO_ACTOR: Actor = { userId: null, label: 'demo set-up' };

const dataDir = path.resolve(process.env.DATA_DIR ?? './data/demo');
rmSync(dataDir, { recursive: true, force: true });
const config = configOrExit({
  ...process.env,
  DATA_DIR: dataDir,
  COOKIE_SECURE: 'false',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});
const logger = createLogger(config.logLevel);
const systems = await startDemoSystems();

const service = await runUntilSignalled(async () => {
  const running = await startService(config, logger);
  const stop = running.stop;
  running.stop = async (reason) => {
    await stop(reason);
    await systems.close();
  };
  return running;
}, logger);

const db = service.context.database.db;
await setUpTrust(db, service.context.secretKey);
print(service.address);
void confirmOnceLanded(db, service.context.clock.today());

async function setUpTrust(db: Db, secretKey: Buffer) {
  const subjectRows = await db.select().from(subjects);
  const maths = subjectRows.find((s) => s.code === 'mathematics')!.id;
  const schoolIds: string[] = [];
  for (const demo of systems.schools) {
    const school = await addSchool(db, DEMO_ACTOR, demo.school);
    schoolIds.push(school.id);
    if (!demo.source) continue;
    await createSource(db, secretKey, DEMO_ACTOR, {
      schoolId: school.id,
      ...demo.source,
      schedule: 'every 10m',
      fullSchedule: 'every 1h',
    });
  }

  // A school that converted on the first day of autumn half term 2: its baseline is this term.
  const meadow = await addSchool(db, DEMO_ACTOR, {
    name: 'Meadow Lane Primary',
    urn: '150123',
    laestab: '8010123',
    phase: 'primary',
    setting: 'mainstream',
    joinedTrustOn: '2026-11-02',
  });
  const upload = await createSource(db, secretKey, DEMO_ACTOR, {
    schoolId: meadow.id,
    kind: 'spreadsheet',
    name: 'Trust spreadsheet',
    config: {},
    secrets: {},
  });
  const [baseline] = await db
    .select({ id: collections.id })
    .from(collections)
    .where(eq(collections.schoolId, meadow.id));
  await queueUpload(
    db,
    DEMO_ACTOR,
    upload,
    {
      fileName: 'meadow-lane-baseline.csv',
      bytes: Buffer.from(baselineReturn(), 'utf8'),
      contentType: 'text/csv',
      collectionId: baseline?.id ?? null,
    },
    30,
  );

  const users: [string, string, Grant[]][] = [
    ['analyst', 'Priya Shah', [{ role: 'trust_analyst', schoolId: null, subjectId: null }]],
    ['admin', 'Sam Carter', [{ role: 'trust_admin', schoolId: null, subjectId: null }]],
    ['maths.lead', 'Dev Raman', [{ role: 'subject_leader', schoolId: null, subjectId: maths }]],
    [
      'data.lead',
      'Jo Whitfield',
      [{ role: 'school_data_lead', schoolId: schoolIds[0]!, subjectId: null }],
    ],
    ['governor', 'Helen Price', [{ role: 'viewer', schoolId: null, subjectId: null }]],
  ];
  for (const [login, name, grants] of users) {
    await createUser(db, SYSTEM_ACTOR, {
      email: `${login}@nexus-demo.example`,
      displayName: name,
      password: PASSWORD,
      grants,
    });
  }
}

/**
 * The trust's subject leaders have already agreed the standard codes and the obvious column
 * mappings; each school's own tracker grades are left for them to map in the console.
 */
async function confirmOnceLanded(db: Db, today: string) {
  const leader: Actor = { userId: null, label: 'Dev Raman (demo)' };
  for (let waited = 0; waited < 180; waited += 2) {
    const [pending] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from sync_runs where status in ('queued', 'running')`,
    );
    const [finished] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from sync_runs where finished_at is not null`,
    );
    if ((pending?.n ?? 1) === 0 && (finished?.n ?? 0) > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  const proposedMappings = await db
    .select({ id: subjectMappings.id })
    .from(subjectMappings)
    .where(eq(subjectMappings.status, 'proposed'));
  if (proposedMappings.length > 0) {
    await decideSubjectMappings(
      db,
      leader,
      proposedMappings.map((m) => m.id),
      { decision: 'confirm', reason: 'Agreed at the trust PLC' },
      today,
    );
  }
  const library = await db
    .select({ id: gradeRules.id })
    .from(gradeRules)
    .where(inArray(gradeRules.status, ['proposed']));
  await decideGradeRules(
    db,
    leader,
    library.map((rule) => rule.id),
    { decision: 'confirm', reason: 'Trust library agreed at the autumn PLC' },
    today,
  );
  const [runs] = await db.select({ n: sql<number>`count(*)::int` }).from(syncRuns);
  logger.warn({ runs: runs?.n }, 'demo mappings confirmed');
}

function print(address: string) {
  const lines = [
    '',
    `Next Steps Sync demo is running at ${address}`,
    '',
    `Sign in as analyst@nexus-demo.example with the password ${PASSWORD}`,
    '  (also admin@, maths.lead@, data.lead@ and governor@nexus-demo.example)',
    '',
    'Seven schools sync from simulated Wonde, Arbor, Assembly and OneRoster systems every',
    "10 minutes; Northgate Academy's platform keeps failing, and Meadow Lane Primary has just",
    'converted and uploaded its baseline. Press Ctrl+C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}
