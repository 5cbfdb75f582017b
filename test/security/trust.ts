import { and, asc, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { html } from 'ghtml';
import { SYSTEM_ACTOR } from '../../src/audit.ts';
import { rows } from '../../src/db/rows.ts';
import {
  aspects,
  assessmentConflicts,
  collections,
  nxPoints,
  pupilMatchSuggestions,
  pupils,
  roleGrants,
  sourcePupils,
  sources,
  stagedResults,
  subjectMappings,
} from '../../src/db/schema.ts';
import { proposeGradeRule } from '../../src/sync/mapping.ts';
import { createSource as addSource } from '../../src/sync/sources.ts';
import { addSchool } from '../../src/trust/schools.ts';
import { PASSWORD, type TestUser, testApp, userWith } from '../support/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST, testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, seedTrust, subjectId } from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';

/**
 * Two schools of one trust, each with records of every kind a route can name: a school, its
 * sources, an upload run with problems, pupils, assessments, subject mappings, a school rule, a
 * match suggestion waiting for a person, and a data lead. Riverside converted this term, so it
 * also has its own baseline collection. Oakfield's data lead is the one who tries the doors.
 */

export const HEADER =
  'UPN,Surname,Forename,Date of birth,Year group,Sex,SEN status,Disadvantaged,EAL,' +
  'Assessment date,Reading,Writing,Maths';

const oakfieldUpn = (serial: number) => makeUpn(801, 2345, 19, serial);
const riversideUpn = (serial: number) => makeUpn(801, 2904, 20, serial);

const OAKFIELD_RETURN = [
  HEADER,
  `${oakfieldUpn(1)},Okafor,Amara,14/03/2019,Y2,F,N,N,Y,27/11/2026,EXS,WTS,EXS`,
  `${oakfieldUpn(2)},Nowak,Tomasz,02/09/2019,Y2,M,K,Y,Y,27/11/2026,GDS,EXS,Secure+`,
  `${oakfieldUpn(3)},Hughes,Ellie-May,21/06/2016,Y6,F,N,N,N,27/11/2026,EXS,EXS,GDS`,
  '',
].join('\r\n');

/** Riverside's baseline, with one row the reader refuses (an impossible date of birth). */
const RIVERSIDE_RETURN = [
  HEADER,
  `${riversideUpn(1)},Kowalczyk,Zofia,02/02/2019,Y2,F,N,N,Y,20/11/2026,EXS,EXS,Step 3b`,
  `${riversideUpn(2)},Mensah,Kwame,17/06/2019,Y2,M,N,Y,N,20/11/2026,WTS,WTS,Step 2a`,
  `${riversideUpn(3)},Adebayo,Tolulope,09/10/2015,Y6,F,K,N,Y,20/11/2026,EXS,WTS,EXS`,
  `${riversideUpn(4)},Fairbairn,Isla,31/02/2016,Y6,F,N,N,N,20/11/2026,GDS,EXS,GDS`,
  '',
].join('\r\n');

export const OTHER_SCHOOL_NAME = 'Riverside Primary Academy';
/** Every surname of Riverside's pupils: none may reach Oakfield's data lead. */
export const OTHER_SURNAMES = ['Kowalczyk', 'Mensah', 'Adebayo', 'Fairbairn'];

/** The ids of one school's records, by the name routes give them. */
export interface SchoolRecords {
  schoolId: string;
  /** A spreadsheet source, with an upload run. */
  sourceId: string;
  /** A Wonde source, which pulls rather than takes uploads. */
  systemSourceId: string;
  runId: string;
  pupilId: string;
  aspectId: string;
  mappingId: string;
  ruleId: string;
  ruleKey: string;
  suggestionId: string;
  conflictId: string;
  userId: string;
  grantId: string;
  /** The school's own baseline collection, or a termly one where it has none. */
  collectionId: string;
}

export interface SecurityTrust {
  database: TestDatabase;
  app: FastifyInstance;
  own: SchoolRecords;
  other: SchoolRecords;
  users: { admin: TestUser; lead: TestUser; otherLead: TestUser };
  maths: number;
  autumn: number;
}

export async function buildSecurityTrust(): Promise<SecurityTrust> {
  const database = await testDatabase();
  const db = database.db;
  await seedTrust(db);
  const oakfield = await createSchool(db);
  const riverside = await addSchool(db, SYSTEM_ACTOR, {
    name: OTHER_SCHOOL_NAME,
    urn: '152904',
    laestab: '8012904',
    phase: 'primary',
    setting: 'mainstream',
    joinedTrustOn: '2026-11-02',
  });
  const maths = await subjectId(db, 'mathematics');
  const users = {
    admin: await userWith(database, 'Sam Carter', [
      { role: 'trust_admin', schoolId: null, subjectId: null },
    ]),
    lead: await userWith(database, 'Jo Whitfield', [
      { role: 'school_data_lead', schoolId: oakfield.id, subjectId: null },
    ]),
    otherLead: await userWith(database, 'Tom Ellis', [
      { role: 'school_data_lead', schoolId: riverside.id, subjectId: null },
    ]),
  };
  const engine = testEngine(database);
  const own = await schoolRecords(database, engine, {
    schoolId: oakfield.id,
    file: OAKFIELD_RETURN,
    userId: users.lead.id,
    rule: 'Secure+',
  });
  const other = await schoolRecords(database, engine, {
    schoolId: riverside.id,
    file: RIVERSIDE_RETURN,
    userId: users.otherLead.id,
    rule: 'Step 3b',
  });
  const [autumn] = await db
    .select({ id: collections.id })
    .from(collections)
    .where(eq(collections.label, 'Autumn 2026/27'));
  return {
    database,
    app: await testApp(database),
    own,
    other,
    users,
    maths,
    autumn: autumn!.id,
  };
}

interface Seed {
  schoolId: string;
  file: string;
  userId: string;
  rule: string;
}

async function schoolRecords(
  database: TestDatabase,
  engine: ReturnType<typeof testEngine>,
  seed: Seed,
): Promise<SchoolRecords> {
  const db = database.db;
  const upload = await addSource(db, engine.secretKey, ANALYST, {
    schoolId: seed.schoolId,
    kind: 'spreadsheet',
    name: 'Termly return',
    config: {},
    secrets: {},
  });
  const run = await uploadAndRun(engine, upload, 'autumn-return.csv', seed.file);
  const system = await addSource(db, engine.secretKey, ANALYST, {
    schoolId: seed.schoolId,
    kind: 'wonde',
    name: 'Wonde (Arbor MIS)',
    config: { schoolId: 'A1930499544', baseUrl: 'http://127.0.0.1:9/v1.0/' },
    secrets: { token: 'wonde-test-token-0001' },
  });
  // Its nightly pull is not due while the tests run.
  const tomorrow = new Date(Date.now() + 86_400_000);
  await db
    .update(sources)
    .set({ nextRunAt: tomorrow, nextFullRunAt: tomorrow })
    .where(eq(sources.id, system.id));

  const [pupil] = await db
    .select()
    .from(pupils)
    .where(eq(pupils.schoolId, seed.schoolId))
    .orderBy(asc(pupils.lastName));
  const [aspect] = await db
    .select()
    .from(aspects)
    .where(and(eq(aspects.schoolId, seed.schoolId), eq(aspects.name, 'Maths')));
  const [mapping] = await db
    .select()
    .from(subjectMappings)
    .where(eq(subjectMappings.aspectId, aspect!.id));
  const [point] = await db.select().from(nxPoints).where(eq(nxPoints.code, 'NX6'));
  const rule = await proposeGradeRule(db, ANALYST, {
    schoolId: seed.schoolId,
    subjectId: mapping!.subjectId,
    aspectId: aspect!.id,
    gradeSet: null,
    yearFrom: null,
    yearTo: null,
    match: 'value',
    value: seed.rule,
    rangeMin: null,
    rangeMax: null,
    aliasOf: null,
    nxPointId: point!.id,
    reason: `${seed.rule} is the school's expected standard`,
  });
  const [sourcePupil] = await db
    .insert(sourcePupils)
    .values({
      sourceId: system.id,
      externalId: 'B2849201',
      record: { firstName: pupil!.firstName, lastName: pupil!.lastName },
      fingerprint: 'suggested',
    })
    .returning();
  const [suggestion] = await db
    .insert(pupilMatchSuggestions)
    .values({
      sourcePupilId: sourcePupil!.id,
      pupilId: pupil!.id,
      reason: 'Same name and date of birth, no UPN in the MIS',
    })
    .returning();
  // Two results for one pupil and subject: the conflict a reviewer would be shown.
  const staged = await db
    .select()
    .from(stagedResults)
    .where(eq(stagedResults.sourceId, upload.id))
    .orderBy(asc(stagedResults.id))
    .limit(2);
  const [conflict] = await db
    .insert(assessmentConflicts)
    .values({
      pupilId: pupil!.id,
      subjectId: mapping!.subjectId!,
      collectionId: staged[0]!.collectionId!,
      keptStagedResultId: staged[0]!.id,
      otherStagedResultId: staged[1]!.id,
      reason: 'Two sources gave a point; the later assessment date was kept.',
    })
    .returning();
  const [grant] = await db.select().from(roleGrants).where(eq(roleGrants.userId, seed.userId));
  const [baseline] = await db
    .select({ id: collections.id })
    .from(collections)
    .where(eq(collections.schoolId, seed.schoolId));
  const [termly] = await db
    .select({ id: collections.id })
    .from(collections)
    .where(eq(collections.label, 'Autumn 2026/27'));
  return {
    schoolId: seed.schoolId,
    sourceId: upload.id,
    systemSourceId: system.id,
    runId: run.id,
    pupilId: pupil!.id,
    aspectId: String(aspect!.id),
    mappingId: String(mapping!.id),
    ruleId: String(rule.id),
    ruleKey: rule.ruleKey,
    suggestionId: String(suggestion!.id),
    conflictId: String(conflict!.id),
    userId: seed.userId,
    grantId: String(grant!.id),
    collectionId: String((baseline ?? termly)!.id),
  };
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
    payload: { email: user.email, password: PASSWORD },
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

/** A route's URL with each `:param` (and fastify's `*`) filled from the ids given. */
export function fill(url: string, ids: Record<string, string>): string {
  return url
    .replace(/:(\w+)/g, (_, name: string) => {
      const id = ids[name];
      if (id === undefined) throw new Error(`no id for :${name} in ${url}`);
      return encodeURIComponent(id);
    })
    .replace(/\*$/, 'no-such-page');
}

/** The names of a route's path parameters. */
export function paramsOf(url: string): string[] {
  return [...url.matchAll(/:(\w+)/g)].map((match) => match[1]!);
}

/** Escaped as the console's templates escape text: the form a payload should take on a page. */
export function escaped(text: string): string {
  return html`${text}`;
}

const WATCHED = [
  'schools',
  'collections',
  'users',
  'role_grants',
  'api_tokens',
  'audit_log',
  'sources',
  'sync_runs',
  'pupils',
  'source_pupils',
  'aspects',
  'staged_results',
  'subject_mappings',
  'grade_rules',
  'assessments',
  'targets',
  'pupil_match_suggestions',
];

/** Every row of the tables a request could change, to show that a refused one changed nothing. */
export async function snapshot(database: TestDatabase) {
  const tables: Record<string, unknown[]> = {};
  for (const table of WATCHED) {
    tables[table] = await rows(
      database.db,
      sql`select row from (
            select to_jsonb(t) - 'last_sign_in_at' - 'last_used_at' as row
            from ${sql.identifier(table)} t
          ) rows order by row::text`,
    );
  }
  return tables;
}
