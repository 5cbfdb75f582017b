import { and, asc, desc, eq, ilike, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Principal } from '../../access/principal.ts';
import { schoolScope } from '../../access/principal.ts';
import type { Db } from '../../db/index.ts';
import { rows } from '../../db/rows.ts';
import {
  academicYears,
  aspects,
  assessments,
  auditLog,
  collections,
  gradeRules,
  nxPoints,
  pupils,
  rawPayloads,
  recordProblems,
  roleGrants,
  schools,
  sources,
  subjectMappings,
  subjects,
  syncRunEvents,
  syncRuns,
  terms,
  users,
} from '../../db/schema.ts';

/**
 * The reads the console needs beyond the engine's own functions. Every one takes ids that came
 * through scope.ts, or a principal to scope by; every value reaches SQL as a parameter.
 */

export type School = typeof schools.$inferSelect;
export type SourceRow = typeof sources.$inferSelect;
export type RunRecord = typeof syncRuns.$inferSelect;
export type RuleRecord = typeof gradeRules.$inferSelect;

export interface Collection {
  id: number;
  label: string;
  date: string;
  /** The first day of the collection's term. */
  termStartsOn: string;
  kind: string;
  startYear: number;
}

export async function schoolsInScope(db: Db, principal: Principal): Promise<School[]> {
  const scope = schoolScope(principal);
  const active = eq(schools.status, 'active');
  const where = scope === 'all' ? active : and(active, inArray(schools.id, scope));
  return db.select().from(schools).where(where).orderBy(asc(schools.name));
}

export function activeSubjects(db: Db) {
  return db
    .select({ id: subjects.id, code: subjects.code, name: subjects.name })
    .from(subjects)
    .where(eq(subjects.active, true))
    .orderBy(asc(subjects.position));
}

/** The trust's termly collections, oldest first; a school's baseline stands in where it has one. */
export function termlyCollections(db: Db): Promise<Collection[]> {
  return collectionsWhere(db, isNull(collections.schoolId));
}

/** A school's own baseline collection (8.3), in the same shape; at most one. */
export function baselineCollections(db: Db, schoolId: string): Promise<Collection[]> {
  return collectionsWhere(
    db,
    and(eq(collections.schoolId, schoolId), eq(collections.kind, 'baseline')),
  );
}

function collectionsWhere(db: Db, condition: SQL | undefined): Promise<Collection[]> {
  return db
    .select({
      id: collections.id,
      label: collections.label,
      date: collections.collectionDate,
      termStartsOn: terms.startsOn,
      kind: collections.kind,
      startYear: academicYears.startYear,
    })
    .from(collections)
    .innerJoin(academicYears, eq(academicYears.id, collections.academicYearId))
    .innerJoin(terms, eq(terms.id, collections.termId))
    .where(condition)
    .orderBy(asc(collections.collectionDate));
}

export function sourcesOf(db: Db, schoolIds: readonly string[]) {
  if (schoolIds.length === 0) return Promise.resolve([] as SourceRow[]);
  return db
    .select()
    .from(sources)
    .where(and(inArray(sources.schoolId, [...schoolIds]), isNull(sources.archivedAt)))
    .orderBy(asc(sources.name));
}

/** What a source's health and the console's run badges read of a run. */
export interface RunSummary {
  id: string;
  status: RunRecord['status'];
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  message: string | null;
  problems: number;
}

export interface RunState {
  latest: RunSummary | null;
  lastFinished: RunSummary | null;
  lastGood: RunSummary | null;
}

interface RunSummaryJson {
  id: string;
  status: RunRecord['status'];
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  message: string | null;
  problems: number;
}

const summaryOf = (run: string) =>
  sql.raw(`jsonb_build_object('id', ${run}.id, 'status', ${run}.status,
    'queued_at', ${run}.queued_at, 'started_at', ${run}.started_at,
    'finished_at', ${run}.finished_at, 'message', ${run}.message, 'problems', ${run}.problems)`);

/** For each source, in one query: its newest run, its newest finished run, its newest good run. */
export async function runStates(db: Db, sourceIds: readonly string[]) {
  const states = new Map<string, RunState>();
  for (const id of sourceIds) states.set(id, { latest: null, lastFinished: null, lastGood: null });
  if (sourceIds.length === 0) return states;
  for (const row of await runStatesWhere(db, sql`s.id in ${[...new Set(sourceIds)]}`)) {
    states.set(row.sourceId, row.state);
  }
  return states;
}

/**
 * The schools' sources that are not archived, by name, each with whether it is paused and its run
 * state, in one query: what a school's sync health reads.
 */
export async function sourceStatesOfSchools(db: Db, schoolIds: readonly string[]) {
  if (schoolIds.length === 0) return [];
  return runStatesWhere(
    db,
    sql`s.school_id in ${[...new Set(schoolIds)]} and s.archived_at is null`,
  );
}

async function runStatesWhere(db: Db, where: SQL) {
  const found = await rows<{
    source_id: string;
    school_id: string;
    paused: boolean;
    latest: RunSummaryJson | string | null;
    finished: RunSummaryJson | string | null;
    good: RunSummaryJson | string | null;
  }>(
    db,
    sql`select s.id as source_id, s.school_id, s.paused, ${summaryOf('l')} as latest,
          ${summaryOf('f')} as finished, ${summaryOf('g')} as good
        from sources s
        left join lateral (select * from sync_runs r where r.source_id = s.id
          order by r.queued_at desc limit 1) l on true
        left join lateral (select * from sync_runs r where r.source_id = s.id
          and r.finished_at is not null order by r.finished_at desc limit 1) f on true
        left join lateral (select * from sync_runs r where r.source_id = s.id
          and r.status in ('succeeded', 'succeeded_with_warnings')
          order by r.finished_at desc nulls last limit 1) g on true
        where ${where}
        order by s.name, s.id`,
  );
  return found.map((row) => ({
    sourceId: row.source_id,
    schoolId: row.school_id,
    paused: row.paused,
    state: {
      latest: runSummary(row.latest),
      lastFinished: runSummary(row.finished),
      lastGood: runSummary(row.good),
    } satisfies RunState,
  }));
}

function runSummary(value: RunSummaryJson | string | null): RunSummary | null {
  const run = typeof value === 'string' ? (JSON.parse(value) as RunSummaryJson) : value;
  if (!run || run.id === null) return null;
  const at = (text: string | null) => (text === null ? null : new Date(text));
  return {
    id: run.id,
    status: run.status,
    queuedAt: new Date(run.queued_at),
    startedAt: at(run.started_at),
    finishedAt: at(run.finished_at),
    message: run.message,
    problems: run.problems,
  };
}

export async function pupilCount(db: Db, schoolId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(pupils)
    .where(eq(pupils.schoolId, schoolId));
  return row?.n ?? 0;
}

/** Display names of people, for "proposed by": a missing one reads as the service. */
export async function userNames(db: Db, ids: readonly (string | null)[]) {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  const names = new Map<string, string>();
  if (wanted.length === 0) return names;
  const found = await db
    .select({ id: users.id, name: users.displayName })
    .from(users)
    .where(inArray(users.id, wanted));
  for (const user of found) names.set(user.id, user.name);
  return names;
}

export function nameOf(names: Map<string, string>, id: string | null): string {
  return id === null ? 'Next Steps Sync (suggestion)' : (names.get(id) ?? 'a former user');
}

export function pendingSubjectMappings(db: Db, schoolId: string) {
  return db
    .select({
      id: subjectMappings.id,
      aspectId: subjectMappings.aspectId,
      subjectId: subjectMappings.subjectId,
      ignored: subjectMappings.ignored,
      reason: subjectMappings.proposalReason,
      proposedBy: subjectMappings.proposedBy,
      proposedAt: subjectMappings.proposedAt,
      aspectName: aspects.name,
      sourceName: sources.name,
    })
    .from(subjectMappings)
    .innerJoin(aspects, eq(aspects.id, subjectMappings.aspectId))
    .innerJoin(sources, eq(sources.id, aspects.sourceId))
    .where(and(eq(aspects.schoolId, schoolId), eq(subjectMappings.status, 'proposed')))
    .orderBy(asc(aspects.name));
}

/** Aspects nobody has proposed or confirmed a subject for (every proposal was rejected, say). */
export function unlinkedAspects(db: Db, schoolId: string) {
  return db
    .select({
      id: aspects.id,
      name: aspects.name,
      sourceName: sources.name,
      firstSeen: aspects.firstSeenAt,
    })
    .from(aspects)
    .innerJoin(sources, eq(sources.id, aspects.sourceId))
    .where(
      and(
        eq(aspects.schoolId, schoolId),
        sql`not exists (select 1 from subject_mappings m where m.aspect_id = ${aspects.id}
          and m.status in ('proposed', 'confirmed'))`,
      ),
    )
    .orderBy(asc(aspects.name));
}

/** Proposed rules that can apply at a school: its own and the trust library's. */
export function pendingRulesFor(db: Db, schoolId: string) {
  return db
    .select()
    .from(gradeRules)
    .where(
      and(
        eq(gradeRules.status, 'proposed'),
        or(isNull(gradeRules.schoolId), eq(gradeRules.schoolId, schoolId)),
      ),
    )
    .orderBy(asc(gradeRules.id));
}

/** A school's own rules (or the library's, for null) in force or waiting, newest first. */
export function currentRules(db: Db, schoolId: string | null) {
  return db
    .select()
    .from(gradeRules)
    .where(
      and(
        schoolId === null ? isNull(gradeRules.schoolId) : eq(gradeRules.schoolId, schoolId),
        inArray(gradeRules.status, ['proposed', 'confirmed']),
      ),
    )
    .orderBy(desc(gradeRules.id));
}

/** Each aspect of a school with the subject its confirmed mapping gives it. */
export function aspectsOf(db: Db, schoolId: string) {
  return db
    .select({
      id: aspects.id,
      name: aspects.name,
      gradeSet: aspects.gradeSet,
      subjectId: subjectMappings.subjectId,
    })
    .from(aspects)
    .leftJoin(
      subjectMappings,
      and(eq(subjectMappings.aspectId, aspects.id), eq(subjectMappings.status, 'confirmed')),
    )
    .where(eq(aspects.schoolId, schoolId));
}

export async function aspectById(db: Db, aspectId: number) {
  const [aspect] = await db.select().from(aspects).where(eq(aspects.id, aspectId));
  return aspect ?? null;
}

export async function confirmedSubjectOf(db: Db, aspectId: number) {
  const [mapping] = await db
    .select({ subjectId: subjectMappings.subjectId })
    .from(subjectMappings)
    .where(and(eq(subjectMappings.aspectId, aspectId), eq(subjectMappings.status, 'confirmed')));
  return mapping?.subjectId ?? null;
}

export async function mappingById(db: Db, mappingId: number) {
  const [mapping] = await db
    .select()
    .from(subjectMappings)
    .where(eq(subjectMappings.id, mappingId));
  return mapping ?? null;
}

export async function ruleById(db: Db, ruleId: number) {
  const [rule] = await db.select().from(gradeRules).where(eq(gradeRules.id, ruleId));
  return rule ?? null;
}

export function runEvents(db: Db, runId: string) {
  return db
    .select()
    .from(syncRunEvents)
    .where(eq(syncRunEvents.runId, runId))
    .orderBy(asc(syncRunEvents.id));
}

export function runProblems(db: Db, runId: string, limit: number) {
  return db
    .select()
    .from(recordProblems)
    .where(eq(recordProblems.runId, runId))
    .orderBy(asc(recordProblems.row), asc(recordProblems.id))
    .limit(limit);
}

/** The name of the file a run read, for an upload (or a replay of one). */
export async function uploadedFileName(db: Db, run: RunRecord): Promise<string | null> {
  const [stored] = await db
    .select({ label: rawPayloads.label })
    .from(rawPayloads)
    .where(and(eq(rawPayloads.runId, run.replayOf ?? run.id), eq(rawPayloads.seq, 0)));
  return run.trigger === 'upload' || run.trigger === 'replay' ? (stored?.label ?? null) : null;
}

/** A school's recent upload runs, newest first, with the file each read. */
export function uploadRuns(db: Db, schoolId: string, limit: number) {
  return db
    .select({
      id: syncRuns.id,
      queuedAt: syncRuns.queuedAt,
      status: syncRuns.status,
      resultsSeen: syncRuns.resultsSeen,
      resultsLanded: syncRuns.resultsLanded,
      problems: syncRuns.problems,
      sourceName: sources.name,
      fileName: rawPayloads.label,
    })
    .from(syncRuns)
    .innerJoin(sources, eq(sources.id, syncRuns.sourceId))
    .leftJoin(rawPayloads, and(eq(rawPayloads.runId, syncRuns.id), eq(rawPayloads.seq, 0)))
    .where(and(eq(syncRuns.schoolId, schoolId), eq(syncRuns.trigger, 'upload')))
    .orderBy(desc(syncRuns.queuedAt))
    .limit(limit);
}

/** LIKE's own wildcards in a search are searched for, not obeyed. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** Pupils by name or UPN among the schools the principal may see. */
export function searchPupils(
  db: Db,
  principal: Principal,
  query: string,
  schoolId: string | null,
  limit: number,
) {
  const scope = schoolScope(principal);
  const pattern = likePattern(query.trim());
  const words = query.trim().split(/\s+/).filter(Boolean).slice(0, 4);
  const nameMatches = words.map((word) =>
    or(ilike(pupils.firstName, likePattern(word)), ilike(pupils.lastName, likePattern(word))),
  );
  return db
    .select({
      id: pupils.id,
      firstName: pupils.firstName,
      lastName: pupils.lastName,
      upn: pupils.upn,
      ncYear: pupils.ncYear,
      school: schools.name,
    })
    .from(pupils)
    .innerJoin(schools, eq(schools.id, pupils.schoolId))
    .where(
      and(
        scope === 'all' ? undefined : inArray(pupils.schoolId, scope),
        schoolId ? eq(pupils.schoolId, schoolId) : undefined,
        or(ilike(pupils.upn, pattern), and(...nameMatches)),
      ),
    )
    .orderBy(asc(pupils.lastName), asc(pupils.firstName))
    .limit(limit);
}

/** A pupil's landed points with where each came from, oldest collection first. */
export function pupilPoints(db: Db, pupilId: string) {
  return db
    .select({
      collection: collections.label,
      collectionDate: collections.collectionDate,
      subject: subjects.name,
      subjectPosition: subjects.position,
      code: nxPoints.code,
      position: nxPoints.position,
      rawValue: assessments.rawValue,
      sourceId: sources.id,
      sourceName: sources.name,
      ruleKey: gradeRules.ruleKey,
      ruleVersion: gradeRules.version,
      runId: assessments.runId,
      assessedOn: assessments.assessedOn,
    })
    .from(assessments)
    .innerJoin(collections, eq(collections.id, assessments.collectionId))
    .innerJoin(subjects, eq(subjects.id, assessments.subjectId))
    .innerJoin(nxPoints, eq(nxPoints.id, assessments.nxPointId))
    .leftJoin(sources, eq(sources.id, assessments.sourceId))
    .leftJoin(gradeRules, eq(gradeRules.id, assessments.gradeRuleId))
    .where(eq(assessments.pupilId, pupilId))
    .orderBy(asc(collections.collectionDate), asc(subjects.position));
}

export function auditPage(db: Db, page: number, size: number) {
  return db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      actor: auditLog.actorLabel,
      action: auditLog.action,
      entityType: auditLog.entityType,
      entityId: auditLog.entityId,
      school: schools.name,
      details: auditLog.details,
    })
    .from(auditLog)
    .leftJoin(schools, eq(schools.id, auditLog.schoolId))
    .orderBy(desc(auditLog.id))
    .limit(size + 1)
    .offset((page - 1) * size);
}

export type UserRecord = Pick<
  typeof users.$inferSelect,
  'id' | 'email' | 'displayName' | 'active' | 'createdAt' | 'lastSignInAt'
>;
export type GrantRecord = typeof roleGrants.$inferSelect;

/** Everyone with an account, by name, each with the roles they hold. */
export async function usersWithGrants(db: Db) {
  const people: UserRecord[] = await db
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      active: users.active,
      createdAt: users.createdAt,
      lastSignInAt: users.lastSignInAt,
    })
    .from(users)
    .orderBy(asc(users.displayName), asc(users.email));
  const grants = await db.select().from(roleGrants).orderBy(asc(roleGrants.id));
  return people.map((user) => ({
    ...user,
    grants: grants.filter((grant) => grant.userId === user.id),
  }));
}

/** The names that describe a role's scope: every school and subject, by id. */
export async function scopeNames(db: Db) {
  const schoolRows = await db
    .select({ id: schools.id, name: schools.name })
    .from(schools)
    .orderBy(asc(schools.name));
  const subjectRows = await db
    .select({ id: subjects.id, name: subjects.name })
    .from(subjects)
    .orderBy(asc(subjects.position));
  return {
    schools: new Map(schoolRows.map((row) => [row.id, row.name])),
    subjects: new Map(subjectRows.map((row) => [row.id, row.name])),
  };
}

export async function userById(db: Db, userId: string): Promise<UserRecord | null> {
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      active: users.active,
      createdAt: users.createdAt,
      lastSignInAt: users.lastSignInAt,
    })
    .from(users)
    .where(eq(users.id, userId));
  return user ?? null;
}

export function grantsOf(db: Db, userId: string): Promise<GrantRecord[]> {
  return db
    .select()
    .from(roleGrants)
    .where(eq(roleGrants.userId, userId))
    .orderBy(asc(roleGrants.id));
}
