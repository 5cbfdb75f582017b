import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../../src/audit.ts';
import {
  aspects,
  gradeRules,
  sources,
  subjectMappings,
  syncRunEvents,
  syncRuns,
} from '../../src/db/schema.ts';
import { sealSecrets } from '../../src/security/secrets.ts';
import { decideGradeRules, decideSubjectMappings } from '../../src/sync/mapping.ts';
import { PASSWORD, type TestUser, testApp, userWith } from '../support/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { testEngine, uploadAndRun } from '../support/engine.ts';
import {
  collectionId,
  createPupil,
  createSchool,
  createSource,
  seedTrust,
  subjectId,
  TODAY,
} from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * A small trust that looks like a real one, for the console's tests: three schools at different
 * points of the autumn collection, their termly returns uploaded and run through the engine, the
 * library confirmed, a few values left for a subject leader, and the people who use the console.
 */

export const XSS_NAME = '<img src=x onerror=alert(1)>';

const oakfieldUpn = (serial: number) => makeUpn(801, 2345, 19, serial);
const riversideUpn = (serial: number) => makeUpn(801, 4002, 14, serial);
const hollybrookUpn = (serial: number) => makeUpn(801, 2771, 20, serial);

const HEADER =
  'UPN,Surname,Forename,Date of birth,Year group,Sex,SEN status,Disadvantaged,EAL,' +
  'Assessment date,Reading,Writing,Maths';

/** Oakfield's summer return, in the trust's own codes, a year group below this year's. */
export const OAKFIELD_SUMMER = [
  HEADER,
  `${oakfieldUpn(1)},Okafor,Amara,14/03/2019,Y1,F,N,N,Y,10/07/2026,NX6,NX5,NX6`,
  `${oakfieldUpn(2)},Nowak,Tomasz,02/09/2019,Y1,M,K,Y,Y,10/07/2026,NX7,NX6,NX7`,
  `${oakfieldUpn(3)},Hughes,Ellie-May,21/06/2016,Y5,F,N,N,N,10/07/2026,NX8,NX8,NX9`,
  `${oakfieldUpn(4)},Begum,Ayesha,05/01/2016,Y5,F,E,Y,Y,10/07/2026,NX4,NX4,NX5`,
  `${oakfieldUpn(5)},O'Brien,Callum,30/10/2015,Y5,M,N,Y,N,10/07/2026,NX8,NX7,NX8`,
  `${oakfieldUpn(6)},Patel,Riya,11/11/2016,Y4,F,N,N,Y,10/07/2026,NX8,NX7,NX8`,
  `${oakfieldUpn(8)},Kowalczyk,Lena,08/08/2016,Y5,F,N,N,Y,10/07/2026,NX9,NX9,NX9`,
  `${oakfieldUpn(9)},Ahmed,Yusuf,23/01/2019,Y1,M,K,N,Y,10/07/2026,NX5,NX5,NX6`,
  `${oakfieldUpn(10)},Marsh,${XSS_NAME},12/12/2016,Y5,F,N,N,N,10/07/2026,NX8,NX8,NX8`,
  `${oakfieldUpn(11)},Thompson,Freya,02/05/2016,Y4,F,N,N,N,10/07/2026,NX8,NX8,NX8`,
  `${oakfieldUpn(12)},Singh,Arjun,17/09/2015,Y5,M,N,Y,Y,10/07/2026,NX8,NX7,NX9`,
  '',
].join('\r\n');

/** Oakfield's autumn return: one maths grade ("Secure+") and one writing grade no rule maps. */
export const OAKFIELD_RETURN = [
  HEADER,
  `${oakfieldUpn(1)},Okafor,Amara,14/03/2019,Y2,F,N,N,Y,27/11/2026,EXS,WTS,EXS`,
  `${oakfieldUpn(2)},Nowak,Tomasz,02/09/2019,Y2,M,K,Y,Y,27/11/2026,GDS,EXS,Secure+`,
  `${oakfieldUpn(3)},Hughes,Ellie-May,21/06/2016,Y6,F,N,N,N,27/11/2026,EXS,EXS,GDS`,
  `${oakfieldUpn(4)},Begum,Ayesha,05/01/2016,Y6,F,E,Y,Y,27/11/2026,PK4,PK3,PK4`,
  `${oakfieldUpn(5)},O'Brien,Callum,30/10/2015,Y6,M,N,Y,N,27/11/2026,WTS,WTS,EXS`,
  `${oakfieldUpn(6)},Patel,Riya,11/11/2016,Y5,F,N,N,Y,27/11/2026,NX8,NX8,NX9`,
  `${oakfieldUpn(7)},Williams,Jayden,19/04/2019,Y2,M,N,Y,N,27/11/2026,EXS,Emerging,EXS`,
  `${oakfieldUpn(8)},Kowalczyk,Lena,08/08/2016,Y6,F,N,N,Y,27/11/2026,GDS,GDS,GDS`,
  `${oakfieldUpn(9)},Ahmed,Yusuf,23/01/2019,Y2,M,K,N,Y,27/11/2026,WTS,WTS,Secure+`,
  `${oakfieldUpn(10)},Marsh,${XSS_NAME},12/12/2016,Y6,F,N,N,N,27/11/2026,EXS,EXS,EXS`,
  `${oakfieldUpn(11)},Thompson,Freya,02/05/2016,Y5,F,N,N,N,27/11/2026,NX9,NX8,NX9`,
  `${oakfieldUpn(12)},Singh,Arjun,17/09/2015,Y6,M,N,Y,Y,27/11/2026,EXS,WTS,EXS`,
  '',
].join('\r\n');

/** Riverside's return: Year 7 in the school's own words, which no library rule covers. */
export const RIVERSIDE_RETURN = [
  HEADER,
  `${riversideUpn(1)},Kowalski,Zofia,04/02/2014,Y7,F,N,N,Y,25/11/2026,Secure,Developing,Secure`,
  `${riversideUpn(2)},Evans,Harry,13/07/2014,Y7,M,K,Y,N,25/11/2026,Developing,Emerging,Secure`,
  `${riversideUpn(3)},Mensah,Kwame,29/10/2013,Y7,M,N,Y,N,25/11/2026,Secure,Secure,Mastered`,
  `${riversideUpn(4)},Ali,Maryam,06/03/2014,Y7,F,N,N,Y,25/11/2026,Mastered,Secure,Secure`,
  `${riversideUpn(5)},Brown,Olivia,21/12/2013,Y7,F,E,N,N,25/11/2026,Emerging,Emerging,NX7`,
  '',
].join('\r\n');

/** A return with rows the reader refuses: a bad UPN, an impossible date, a missing name. */
export const BROKEN_RETURN = [
  HEADER,
  `${hollybrookUpn(1)},Clarke,Ruby,14/03/2019,Y2,F,N,N,Y,27/11/2026,EXS,WTS,EXS`,
  `${hollybrookUpn(2)},Dobson,Alfie,31/02/2019,Y2,M,K,Y,Y,27/11/2026,GDS,EXS,EXS`,
  'H80127712000,Green,Harry,10/10/2016,Y6,M,N,N,N,27/11/2026,EXS,EXS,EXS',
  ',,,,Y6,,,,,27/11/2026,EXS,EXS,EXS',
  `${hollybrookUpn(5)},Iqbal,Sana,05/05/2016,Y6,F,N,Maybe,N,31/11/2026,EXS,GDS,EXS`,
  '',
].join('\r\n');

const meadowbankUpn = (serial: number) => makeUpn(801, 2904, 20, serial);

/**
 * A newly converted school's baseline, exported from its old tracker: statutory and pre-key
 * stage codes, which the trust library maps once the columns are confirmed as subjects.
 */
export const MEADOWBANK_BASELINE = [
  HEADER,
  `${meadowbankUpn(1)},Adebayo,Tolu,02/02/2019,Y2,F,N,N,Y,20/11/2026,EXS,EXS,GDS`,
  `${meadowbankUpn(2)},Fraser,Isla,17/06/2019,Y2,F,N,Y,N,20/11/2026,WTS,WTS,EXS`,
  `${meadowbankUpn(3)},Gill,Harpreet,09/10/2015,Y6,M,K,N,Y,20/11/2026,EXS,WTS,EXS`,
  `${meadowbankUpn(4)},Lewis,Mason,28/03/2016,Y6,M,N,Y,N,20/11/2026,GDS,EXS,GDS`,
  `${meadowbankUpn(5)},Novak,Elena,14/12/2015,Y6,F,E,N,Y,20/11/2026,PK5,PK4,PK5`,
  '',
].join('\r\n');

/** The school the baseline belongs to: it joined on the first day of autumn half term 2. */
export const MEADOWBANK = {
  name: 'Meadowbank Primary Academy',
  urn: '152904',
  laestab: '8012904',
  phase: 'primary',
  setting: 'mainstream',
  joinedTrustOn: '2026-11-02',
};

export interface Trust {
  database: TestDatabase;
  oakfield: { id: string; name: string };
  riverside: { id: string; name: string };
  hollybrook: { id: string; name: string };
  oakfieldSource: { id: string; schoolId: string };
  riversideSource: { id: string; schoolId: string };
  riversideMis: { id: string; schoolId: string };
  hollybrookSource: { id: string; schoolId: string };
  failedRunId: string;
  users: {
    admin: TestUser;
    analyst: TestUser;
    viewer: TestUser;
    oakfieldLead: TestUser;
    oakfieldMaths: TestUser;
    trustMaths: TestUser;
    riversideLead: TestUser;
    hollybrookLead: TestUser;
  };
  maths: number;
  reading: number;
  writing: number;
  /** The collection the returns land in; the overview opens on the summer before it. */
  autumn: number;
}

export async function buildTrust(): Promise<Trust> {
  const database = await testDatabase();
  const db = database.db;
  await seedTrust(db);
  const oakfield = await createSchool(db);
  const riverside = await createSchool(db, {
    name: 'Riverside Academy',
    urn: '141002',
    laestab: '8014002',
    phase: 'secondary',
  });
  const hollybrook = await createSchool(db, {
    name: 'Hollybrook Primary Academy',
    urn: '147731',
    laestab: '8012771',
    joinedTrustOn: '2026-04-01',
  });
  const maths = await subjectId(db, 'mathematics');
  const reading = await subjectId(db, 'reading');
  const writing = await subjectId(db, 'writing');

  const users = {
    admin: await userWith(database, 'Sam Carter', [
      { role: 'trust_admin', schoolId: null, subjectId: null },
    ]),
    analyst: await userWith(database, 'Priya Shah', [
      { role: 'trust_analyst', schoolId: null, subjectId: null },
    ]),
    viewer: await userWith(database, 'Helen Price', [
      { role: 'viewer', schoolId: null, subjectId: null },
    ]),
    oakfieldLead: await userWith(database, 'Jo Whitfield', [
      { role: 'school_data_lead', schoolId: oakfield.id, subjectId: null },
    ]),
    oakfieldMaths: await userWith(database, 'Dev Raman', [
      { role: 'subject_leader', schoolId: oakfield.id, subjectId: maths },
    ]),
    trustMaths: await userWith(database, 'Grace Adeyemi', [
      { role: 'subject_leader', schoolId: null, subjectId: maths },
    ]),
    riversideLead: await userWith(database, 'Tom Ellis', [
      { role: 'school_data_lead', schoolId: riverside.id, subjectId: null },
    ]),
    hollybrookLead: await userWith(database, 'Aisha Rahman', [
      { role: 'school_data_lead', schoolId: hollybrook.id, subjectId: null },
    ]),
  };
  const admin: Actor = { userId: users.admin.id, label: 'Sam Carter' };

  const oakfieldSource = await renamed(db, await createSource(db, oakfield.id), 'Termly return');
  const riversideSource = await renamed(db, await createSource(db, riverside.id), 'Termly return');
  const hollybrookSource = await renamed(
    db,
    await createSource(db, hollybrook.id),
    'Baseline return',
  );
  const engine = testEngine(database);
  await uploadAndRun(engine, oakfieldSource, 'oakfield-summer-2026.csv', OAKFIELD_SUMMER);
  await uploadAndRun(engine, oakfieldSource, 'oakfield-autumn-2026.csv', OAKFIELD_RETURN);
  // A pupil who left in October is not expected in the autumn collection, and says so.
  await createPupil(db, oakfield.id, {
    upn: oakfieldUpn(13),
    firstName: 'Noah',
    lastName: 'Fletcher',
    ncYear: 'Y4',
    onRollFrom: '2021-09-01',
    onRollTo: '2026-10-16',
  });
  await uploadAndRun(engine, riversideSource, 'riverside-autumn-2026.csv', RIVERSIDE_RETURN);

  // Oakfield's columns and the trust library are confirmed; Riverside's columns still wait.
  const oakfieldMappings = await db
    .select({ id: subjectMappings.id })
    .from(subjectMappings)
    .where(eq(subjectMappings.status, 'proposed'));
  const riversideIds = await aspectMappingsOf(database, riversideSource.id);
  await decideSubjectMappings(
    db,
    admin,
    oakfieldMappings.map((m) => m.id).filter((id) => !riversideIds.includes(id)),
    { decision: 'confirm', reason: 'Columns of the trust template' },
    TODAY,
  );
  const library = await db
    .select({ id: gradeRules.id })
    .from(gradeRules)
    .where(and(isNull(gradeRules.schoolId), eq(gradeRules.status, 'proposed')));
  await decideGradeRules(
    db,
    admin,
    library.map((rule) => rule.id),
    { decision: 'confirm', reason: 'Trust library agreed at the autumn subject leaders meeting' },
    TODAY,
  );

  const riversideMis = await createSource(db, riverside.id, 'wonde');
  const tomorrow = new Date(Date.now() + 86_400_000);
  tomorrow.setUTCHours(2, 0, 0, 0);
  await db
    .update(sources)
    .set({
      name: 'Wonde (Arbor MIS)',
      config: { schoolId: 'A1930499544' },
      secrets: sealSecrets(engine.secretKey, { token: 'wonde-test-token-0001' }),
      schedule: '0 2 * * *',
      fullSchedule: '0 3 * * 6',
      nextRunAt: tomorrow,
      nextFullRunAt: new Date(tomorrow.getTime() + 2 * 86_400_000),
    })
    .where(eq(sources.id, riversideMis.id));
  const failedRunId = await nightlyHistory(database, riversideMis);

  return {
    database,
    oakfield,
    riverside,
    hollybrook,
    oakfieldSource,
    riversideSource,
    riversideMis,
    hollybrookSource,
    failedRunId,
    users,
    maths,
    reading,
    writing,
    autumn: await collectionId(db, 'Autumn 2026/27'),
  };
}

async function renamed(
  db: TestDatabase['db'],
  source: { id: string; schoolId: string },
  name: string,
) {
  await db.update(sources).set({ name }).where(eq(sources.id, source.id));
  return source;
}

async function aspectMappingsOf(database: TestDatabase, sourceId: string) {
  const found = await database.db
    .select({ id: subjectMappings.id })
    .from(subjectMappings)
    .innerJoin(aspects, eq(aspects.id, subjectMappings.aspectId))
    .where(eq(aspects.sourceId, sourceId));
  return found.map((row) => row.id);
}

/**
 * Nine nightly pulls of Riverside's MIS, as the engine records them: steady counts, one night
 * when the school's token had been withdrawn, and the last good run a day ago.
 */
async function nightlyHistory(database: TestDatabase, source: { id: string; schoolId: string }) {
  const night = (daysAgo: number) => {
    const at = new Date(Date.now() - daysAgo * 86_400_000);
    at.setUTCHours(2, 0, 0, 0);
    return at;
  };
  const shapes = [
    { days: 9, seen: 1810, seconds: 74, fresh: 1810, changed: 0, status: 'succeeded' },
    { days: 8, seen: 1822, seconds: 58, fresh: 12, changed: 41, status: 'succeeded' },
    { days: 7, seen: 1822, seconds: 55, fresh: 0, changed: 18, status: 'succeeded' },
    { days: 6, seen: 1836, seconds: 61, fresh: 14, changed: 27, status: 'succeeded' },
    { days: 5, seen: 0, seconds: 3, fresh: 0, changed: 0, status: 'failed' },
    { days: 4, seen: 1840, seconds: 66, fresh: 4, changed: 39, status: 'succeeded_with_warnings' },
    { days: 3, seen: 1840, seconds: 57, fresh: 0, changed: 12, status: 'succeeded' },
    { days: 2, seen: 1851, seconds: 63, fresh: 11, changed: 22, status: 'succeeded' },
    { days: 1, seen: 1851, seconds: 52, fresh: 0, changed: 9, status: 'succeeded' },
  ] as const;
  let failedId = '';
  for (const shape of shapes) {
    const started = night(shape.days);
    const failed = shape.status === 'failed';
    const [run] = await database.db
      .insert(syncRuns)
      .values({
        sourceId: source.id,
        schoolId: source.schoolId,
        trigger: 'schedule',
        mode: shape.days === 9 || shape.days === 2 ? 'full' : 'incremental',
        status: shape.status,
        queuedAt: started,
        startedAt: started,
        finishedAt: new Date(started.getTime() + shape.seconds * 1000),
        pagesDone: failed ? 0 : 10,
        pupilsSeen: failed ? 0 : 612,
        resultsSeen: shape.seen,
        resultsNew: shape.fresh,
        resultsChanged: shape.changed,
        resultsUnchanged: failed ? 0 : shape.seen - shape.fresh - shape.changed,
        resultsLanded: 0,
        problems: shape.status === 'succeeded_with_warnings' ? 3 : 0,
        failureCategory: failed ? 'auth' : null,
        failureCode: failed ? 'token_rejected' : null,
        message: failed
          ? 'Wonde refused the school’s API token (401). The school may have revoked access.'
          : null,
      })
      .returning({ id: syncRuns.id });
    await database.db.insert(syncRunEvents).values({
      runId: run!.id,
      at: started,
      level: failed ? 'error' : 'info',
      code: failed ? 'token_rejected' : 'landed',
      message: failed
        ? 'Wonde refused the school’s API token (401). The school may have revoked access.'
        : `Read ${shape.seen} results in 10 pages.`,
    });
    if (failed) failedId = run!.id;
  }
  return failedId;
}

export interface Session {
  cookie: string;
  csrf: string;
}

/** Signs in through the form, as a browser would, and reads the session's CSRF token. */
export async function signInAs(app: FastifyInstance, user: TestUser): Promise<Session> {
  const response = await app.inject({
    method: 'POST',
    url: '/sign-in',
    payload: { email: user.email, password: PASSWORD, next: '/pupils' },
  });
  const set = response.cookies.find((cookie) => cookie.name === 'nss_session');
  if (!set) throw new Error(`sign-in failed with ${response.statusCode}`);
  const cookie = `nss_session=${set.value}`;
  const page = await app.inject({ url: '/pupils', headers: { cookie } });
  return { cookie, csrf: csrfIn(page.body) };
}

export function csrfIn(body: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

export async function consoleApp(trust: Trust) {
  return testApp(trust.database);
}
