import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type Actor, recordAudit } from '../audit.ts';
import type { Db, Tx } from '../db/index.ts';
import { aspects, gradeRules, nxPoints, subjectMappings, subjects } from '../db/schema.ts';
import { GRADE_LIBRARY } from '../domain/grade-library.ts';
import { ncYearOrdinal } from '../domain/nc-year.ts';
import { academicYearStartOf } from '../domain/school-year.ts';
import { suggestSubject } from '../domain/subject-suggestions.ts';
import { allConfirmedRules, type DeriveOutcome, deriveSchools } from './derive.ts';

/**
 * Mapping, decided by people (6.1, 6.2): an aspect to a trust subject, a local value to an NX
 * point. Anyone with the right role proposes, or the system suggests with its reason; a subject
 * leader confirms or rejects with a reason. Every change is a new version, so the history says
 * who, when and why, and every decision re-derives the results it touches at once.
 */

export type SubjectMapping = typeof subjectMappings.$inferSelect;
export type GradeRuleRow = typeof gradeRules.$inferSelect;

export class MappingError extends Error {
  override name = 'MappingError';
}

export interface Decision {
  decision: 'confirm' | 'reject';
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Subject mappings

export interface SubjectProposal {
  aspectId: number;
  subjectId: number | null;
  ignored: boolean;
  reason: string;
}

export async function proposeSubjectMapping(
  executor: Db | Tx,
  actor: Actor,
  proposal: SubjectProposal,
): Promise<SubjectMapping> {
  if (!proposal.ignored && proposal.subjectId === null) {
    throw new MappingError('Choose a subject for this aspect, or mark it as not a trust subject.');
  }
  const run = async (tx: Tx) => {
    const [latest] = await tx
      .select({ version: subjectMappings.version })
      .from(subjectMappings)
      .where(eq(subjectMappings.aspectId, proposal.aspectId))
      .orderBy(desc(subjectMappings.version))
      .limit(1);
    // One open proposal at a time: a newer proposal replaces the one still waiting.
    await tx
      .update(subjectMappings)
      .set({ status: 'superseded' })
      .where(
        and(
          eq(subjectMappings.aspectId, proposal.aspectId),
          eq(subjectMappings.status, 'proposed'),
        ),
      );
    const [created] = await tx
      .insert(subjectMappings)
      .values({
        aspectId: proposal.aspectId,
        version: (latest?.version ?? 0) + 1,
        subjectId: proposal.ignored ? null : proposal.subjectId,
        ignored: proposal.ignored,
        status: 'proposed',
        proposedBy: actor.userId,
        proposalReason: proposal.reason,
      })
      .returning();
    await recordAudit(tx, actor, {
      action: 'subject_mapping.propose',
      entityType: 'aspect',
      entityId: String(proposal.aspectId),
      schoolId: await schoolOfAspect(tx, proposal.aspectId),
      details: {
        version: created!.version,
        subjectId: created!.subjectId,
        ignored: proposal.ignored,
      },
    });
    return created!;
  };
  // Inside a caller's transaction this is a savepoint; on its own, a transaction.
  return (executor as Db).transaction(run);
}

export async function decideSubjectMappings(
  db: Db,
  actor: Actor,
  mappingIds: number[],
  decision: Decision,
  today: string,
): Promise<DeriveOutcome> {
  requireReason(decision);
  return db.transaction(async (tx) => {
    const touched = new Set<string>();
    for (const id of mappingIds) {
      const [mapping] = await tx.select().from(subjectMappings).where(eq(subjectMappings.id, id));
      if (!mapping) throw new MappingError(`There is no subject mapping ${id}.`);
      if (mapping.status !== 'proposed') {
        throw new MappingError(`Subject mapping ${id} is already ${mapping.status}.`);
      }
      if (decision.decision === 'confirm') {
        await tx
          .update(subjectMappings)
          .set({ status: 'superseded' })
          .where(
            and(
              eq(subjectMappings.aspectId, mapping.aspectId),
              eq(subjectMappings.status, 'confirmed'),
            ),
          );
      }
      await tx
        .update(subjectMappings)
        .set({
          status: decision.decision === 'confirm' ? 'confirmed' : 'rejected',
          decidedBy: actor.userId,
          decidedAt: new Date(),
          decisionReason: decision.reason,
        })
        .where(eq(subjectMappings.id, id));
      const schoolId = await schoolOfAspect(tx, mapping.aspectId);
      touched.add(schoolId);
      await recordAudit(tx, actor, {
        action: `subject_mapping.${decision.decision}`,
        entityType: 'aspect',
        entityId: String(mapping.aspectId),
        schoolId,
        details: { version: mapping.version, reason: decision.reason },
      });
    }
    return deriveSchools(tx, [...touched], academicYearStartOf(today));
  });
}

/** Suggests a subject for each aspect of the school that nobody has mapped yet. */
export async function suggestSubjectsForNewAspects(tx: Tx, schoolId: string) {
  const unmapped = await tx
    .select({ id: aspects.id, name: aspects.name })
    .from(aspects)
    .where(
      and(
        eq(aspects.schoolId, schoolId),
        sql`not exists (select 1 from subject_mappings m where m.aspect_id = ${aspects.id})`,
      ),
    );
  if (unmapped.length === 0) return 0;
  const options = await tx
    .select({ id: subjects.id, code: subjects.code, name: subjects.name })
    .from(subjects)
    .where(eq(subjects.active, true));
  let suggested = 0;
  for (const aspect of unmapped) {
    const suggestion = suggestSubject(aspect.name, options);
    if (!suggestion) continue;
    const subject = options.find((option) => option.code === suggestion.subjectCode);
    await proposeSubjectMapping(
      tx,
      { userId: null, label: 'system' },
      {
        aspectId: aspect.id,
        subjectId: subject?.id ?? null,
        ignored: suggestion.ignore,
        reason: `Suggested from the name "${aspect.name}": ${suggestion.reason}`,
      },
    );
    suggested += 1;
  }
  return suggested;
}

// ---------------------------------------------------------------------------------------------
// Grade rules

export interface GradeRuleProposal {
  /** Set to change an existing rule: the new version keeps its key. */
  ruleKey?: string;
  schoolId: string | null;
  subjectId: number | null;
  aspectId: number | null;
  gradeSet: string | null;
  yearFrom: number | null;
  yearTo: number | null;
  match: 'value' | 'range' | 'alias';
  value: string | null;
  rangeMin: number | null;
  rangeMax: number | null;
  aliasOf: string | null;
  nxPointId: string | null;
  reason: string;
  suggestedBySystem?: boolean;
}

export async function proposeGradeRule(
  db: Db,
  actor: Actor,
  proposal: GradeRuleProposal,
): Promise<GradeRuleRow> {
  checkRuleShape(proposal);
  return db.transaction((tx) => insertRuleVersion(tx, actor, proposal));
}

async function insertRuleVersion(tx: Tx, actor: Actor, proposal: GradeRuleProposal) {
  const ruleKey = proposal.ruleKey ?? randomUUID();
  const [latest] = await tx
    .select({ version: gradeRules.version })
    .from(gradeRules)
    .where(eq(gradeRules.ruleKey, ruleKey))
    .orderBy(desc(gradeRules.version))
    .limit(1);
  if (proposal.ruleKey && !latest) throw new MappingError('There is no rule to change.');
  await tx
    .update(gradeRules)
    .set({ status: 'superseded' })
    .where(and(eq(gradeRules.ruleKey, ruleKey), eq(gradeRules.status, 'proposed')));
  const [created] = await tx
    .insert(gradeRules)
    .values({
      ruleKey,
      version: (latest?.version ?? 0) + 1,
      schoolId: proposal.schoolId,
      subjectId: proposal.subjectId,
      aspectId: proposal.aspectId,
      gradeSet: proposal.gradeSet,
      yearFrom: proposal.yearFrom,
      yearTo: proposal.yearTo,
      match: proposal.match,
      value: proposal.value?.trim() ?? null,
      rangeMin: proposal.rangeMin === null ? null : String(proposal.rangeMin),
      rangeMax: proposal.rangeMax === null ? null : String(proposal.rangeMax),
      aliasOf: proposal.aliasOf?.trim() ?? null,
      nxPointId: proposal.nxPointId,
      status: 'proposed',
      suggestedBySystem: proposal.suggestedBySystem ?? false,
      proposedBy: actor.userId,
      proposalReason: proposal.reason,
    })
    .returning();
  await recordAudit(tx, actor, {
    action: 'grade_rule.propose',
    entityType: 'grade_rule',
    entityId: ruleKey,
    schoolId: proposal.schoolId,
    details: { version: created!.version, match: proposal.match, nxPointId: proposal.nxPointId },
  });
  return created!;
}

/** Confirms or rejects proposed rule versions, then re-derives every school they can touch. */
export async function decideGradeRules(
  db: Db,
  actor: Actor,
  ruleIds: number[],
  decision: Decision,
  today: string,
): Promise<DeriveOutcome> {
  requireReason(decision);
  return db.transaction(async (tx) => {
    const touched = new Set<string>();
    let libraryTouched = false;
    // Two people deciding overlapping rules at once: the rows are locked in one order, so the
    // second waits for the first, then sees its decision rather than deciding again.
    const locked = await tx
      .select()
      .from(gradeRules)
      .where(inArray(gradeRules.id, ruleIds))
      .orderBy(asc(gradeRules.id))
      .for('update');
    // The rules as they stood: each school derives again only what the decisions change.
    const rulesBefore = await allConfirmedRules(tx);
    for (const id of ruleIds) {
      const rule = locked.find((row) => row.id === id);
      if (!rule) throw new MappingError(`There is no grade rule ${id}.`);
      if (rule.status !== 'proposed') {
        throw new MappingError(`Rule version ${rule.version} is already ${rule.status}.`);
      }
      if (decision.decision === 'confirm') {
        await tx
          .update(gradeRules)
          .set({ status: 'superseded' })
          .where(and(eq(gradeRules.ruleKey, rule.ruleKey), eq(gradeRules.status, 'confirmed')));
      }
      await tx
        .update(gradeRules)
        .set({
          status: decision.decision === 'confirm' ? 'confirmed' : 'rejected',
          decidedBy: actor.userId,
          decidedAt: new Date(),
          decisionReason: decision.reason,
        })
        .where(eq(gradeRules.id, id));
      await recordAudit(tx, actor, {
        action: `grade_rule.${decision.decision}`,
        entityType: 'grade_rule',
        entityId: rule.ruleKey,
        schoolId: rule.schoolId,
        details: { version: rule.version, reason: decision.reason },
      });
      if (rule.schoolId) touched.add(rule.schoolId);
      else libraryTouched = true;
    }
    const schools = libraryTouched ? await schoolsWithResults(tx) : [...touched];
    return deriveSchools(tx, schools, academicYearStartOf(today), { rulesBefore });
  });
}

/** Every version of a rule, oldest first: who proposed and decided each, when and why. */
export function gradeRuleHistory(executor: Db | Tx, ruleKey: string) {
  return executor
    .select()
    .from(gradeRules)
    .where(eq(gradeRules.ruleKey, ruleKey))
    .orderBy(asc(gradeRules.version));
}

/** Seeds the trust-wide library as proposals, once. */
export async function seedGradeLibrary(tx: Tx) {
  const [existing] = await tx
    .select({ id: gradeRules.id })
    .from(gradeRules)
    .where(isNull(gradeRules.schoolId))
    .limit(1);
  if (existing) return;
  const points = await tx.select({ id: nxPoints.id, code: nxPoints.code }).from(nxPoints);
  const pointId = new Map(points.map((point) => [point.code, point.id]));
  for (const seed of GRADE_LIBRARY) {
    await insertRuleVersion(
      tx,
      { userId: null, label: 'system' },
      {
        schoolId: null,
        subjectId: null,
        aspectId: null,
        gradeSet: seed.gradeSet ?? null,
        yearFrom: seed.yearFrom ? ncYearOrdinal(seed.yearFrom) : null,
        yearTo: seed.yearTo ? ncYearOrdinal(seed.yearTo) : null,
        match: seed.match,
        value: seed.value ?? null,
        rangeMin: seed.rangeMin ?? null,
        rangeMax: seed.rangeMax ?? null,
        aliasOf: seed.aliasOf ?? null,
        nxPointId: seed.nxCode ? (pointId.get(seed.nxCode) ?? null) : null,
        reason: seed.reason,
        suggestedBySystem: true,
      },
    );
  }
}

// ---------------------------------------------------------------------------------------------

async function schoolsWithResults(tx: Tx): Promise<string[]> {
  const found = await tx.selectDistinct({ schoolId: aspects.schoolId }).from(aspects);
  return found.map((row) => row.schoolId);
}

async function schoolOfAspect(tx: Tx, aspectId: number): Promise<string> {
  const [aspect] = await tx
    .select({ schoolId: aspects.schoolId })
    .from(aspects)
    .where(inArray(aspects.id, [aspectId]));
  if (!aspect) throw new MappingError(`There is no aspect ${aspectId}.`);
  return aspect.schoolId;
}

function requireReason(decision: Decision) {
  if (decision.decision === 'reject' && decision.reason.trim() === '') {
    throw new MappingError('Say why the proposal is rejected, so the proposer can put it right.');
  }
}

function checkRuleShape(proposal: GradeRuleProposal) {
  if (proposal.match === 'value' && !proposal.value?.trim()) {
    throw new MappingError('A rule needs the local value it maps, such as "EXS".');
  }
  if (proposal.match === 'alias' && (!proposal.value?.trim() || !proposal.aliasOf?.trim())) {
    throw new MappingError('An alias needs both the spelling and the value it stands for.');
  }
  if (proposal.match === 'range' && proposal.rangeMin === null && proposal.rangeMax === null) {
    throw new MappingError('A range rule needs a lowest or highest score, or both.');
  }
  if (proposal.match !== 'alias' && !proposal.nxPointId) {
    throw new MappingError('Choose the Next Steps point this value means.');
  }
  if (
    proposal.yearFrom !== null &&
    proposal.yearTo !== null &&
    proposal.yearFrom > proposal.yearTo
  ) {
    throw new MappingError('The first year group of the range comes after the last.');
  }
}
