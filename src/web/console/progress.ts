import { sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { rows } from '../../db/rows.ts';
import { type GradeRule, ruleApplies } from '../../domain/grade-rules.ts';
import { keptPerSchool } from '../../sync/kept.ts';
import {
  excludedPupils,
  type MissingReason,
  missingPupils,
  orphanResultsOfSchools,
  type UnmappedValue,
  unmappedValues,
  unmappedValuesOfSchools,
} from '../../sync/reconcile.ts';
import type { CellState, ProgressCell } from '../views/status.ts';
import { pickCollection } from './choices.ts';
import {
  activeSubjects,
  pendingRulesFor,
  pendingSubjectMappings,
  pupilCount,
  type RuleRecord,
  termlyCollections,
} from './queries.ts';

/**
 * Where a school stands in a collection, per subject, from reconciliation itself: who is on roll,
 * who still has no point and why, and whether a person's decision is what it waits for.
 */

export interface SchoolProgress {
  cells: ProgressCell[];
  onRoll: number;
  unmapped: UnmappedValue[];
  pendingRules: RuleRecord[];
  pendingMappings: number;
}

/** What a school's cells are drawn from, kept with its reconciliation (src/sync/kept.ts). */
export interface ProgressTally {
  onRoll: number;
  subjects: {
    subjectId: number;
    missing: number;
    reasons: MissingReason[];
    /** A proposal waiting for a decision would map one of its unmapped values. */
    waitsForRule: boolean;
    /** A subject mapping for one of the school's assessments waits for a decision. */
    waitsForMapping: boolean;
  }[];
}

type Subjects = readonly { id: number; name: string }[];

export async function schoolProgress(
  db: Db,
  schoolId: string,
  collectionId: number,
  subjects: Subjects,
  syncing: boolean,
): Promise<SchoolProgress> {
  const tallies = await progressOfSchools(db, [schoolId], collectionId, subjects);
  const tally = tallies.get(schoolId) ?? { onRoll: 0, subjects: [] };
  return {
    cells: progressCells(tally, schoolId, collectionId, subjects, syncing),
    onRoll: tally.onRoll,
    unmapped: await unmappedValues(db, schoolId, collectionId),
    pendingRules: await pendingRulesFor(db, schoolId),
    pendingMappings: (await pendingSubjectMappings(db, schoolId)).length,
  };
}

/** Each school's tally for a collection, read from what is kept and worked out where it moved. */
export function progressOfSchools(
  db: Db,
  schoolIds: readonly string[],
  collectionId: number,
  subjects: Subjects,
): Promise<Map<string, ProgressTally>> {
  const scope = `${collectionId}|${subjects.map((subject) => subject.id).join(',')}`;
  return keptPerSchool(db, { kind: 'progress', scope }, schoolIds, (schoolId) =>
    tallyProgress(db, schoolId, collectionId, subjects),
  );
}

async function tallyProgress(
  db: Db,
  schoolId: string,
  collectionId: number,
  subjects: Subjects,
): Promise<ProgressTally> {
  const first = subjects[0];
  const total = await pupilCount(db, schoolId);
  const excluded = first
    ? await excludedPupils(db, { schoolId, collectionId, subjectId: first.id })
    : [];
  const unmapped = await unmappedValues(db, schoolId, collectionId);
  const pendingRules = await pendingRulesFor(db, schoolId);
  const pendingMappings = await pendingSubjectMappings(db, schoolId);
  const tallies: ProgressTally['subjects'] = [];
  for (const subject of subjects) {
    const missing = await missingPupils(db, { schoolId, collectionId, subjectId: subject.id });
    tallies.push({
      subjectId: subject.id,
      missing: missing.length,
      reasons: [...new Set(missing.map((pupil) => pupil.reason))].sort(),
      waitsForRule: unmapped.some(
        (value) => value.subject_id === subject.id && coveredByProposal(value, pendingRules),
      ),
      waitsForMapping: pendingMappings.some(
        (mapping) => mapping.subjectId === subject.id || mapping.subjectId === null,
      ),
    });
  }
  return { onRoll: total - excluded.length, subjects: tallies };
}

/** A school's cells, one per subject; whether it is syncing now is read live, never kept. */
export function progressCells(
  tally: ProgressTally,
  schoolId: string,
  collectionId: number,
  subjects: Subjects,
  syncing: boolean,
): ProgressCell[] {
  const { onRoll } = tally;
  return subjects.map((subject) => {
    const counted = tally.subjects.find((each) => each.subjectId === subject.id);
    const missing = counted?.missing ?? onRoll;
    return {
      subjectId: subject.id,
      subject: subject.name,
      state: cellState(counted?.reasons ?? [], missing, onRoll, syncing, {
        rule: counted?.waitsForRule ?? false,
        mapping: counted?.waitsForMapping ?? false,
      }),
      landed: Math.max(0, onRoll - missing),
      expected: onRoll,
      missingHref: `/schools/${schoolId}/missing?collection=${collectionId}&subject=${subject.id}`,
    };
  });
}

function cellState(
  reasonList: readonly MissingReason[],
  missing: number,
  onRoll: number,
  syncing: boolean,
  waiting: { rule: boolean; mapping: boolean },
): CellState {
  const reasons = new Set(reasonList);
  if (syncing || reasons.has('not_landed_yet')) return 'syncing';
  if (onRoll > 0 && missing === 0) return 'complete';
  const valueWaits = reasons.has('value_unmapped');
  const aspectWaits = reasons.has('aspect_unmapped');
  if ((valueWaits && waiting.rule) || (aspectWaits && waiting.mapping)) {
    return 'needs confirmation';
  }
  if (valueWaits || aspectWaits) return 'needs mapping';
  return missing >= onRoll ? 'not started' : 'in progress';
}

/**
 * Works out again what the console reads first, for each active school whose data has moved
 * since it was kept: its progress in the collection the console opens on, its unmapped values
 * and its results with no pupil. A school with a run queued or running is left until the run
 * ends, since every page of the run would move it again.
 */
export async function warmReconciliation(db: Db, today: string) {
  const settled = await rows<{ id: string }>(
    db,
    sql`select s.id from schools s where s.status = 'active' and not exists (
          select 1 from sync_runs r where r.school_id = s.id and r.status in ('queued', 'running'))
        order by s.name`,
  );
  const ids = settled.map((school) => school.id);
  const collection = pickCollection(await termlyCollections(db), today, null);
  if (collection) await progressOfSchools(db, ids, collection.id, await activeSubjects(db));
  await unmappedValuesOfSchools(db, ids, null);
  await orphanResultsOfSchools(db, ids);
}

/** Whether a proposal waiting for a decision would map the value if it were confirmed. */
export function coveredByProposal(value: UnmappedValue, proposals: readonly RuleRecord[]) {
  return proposals.some((proposal) => proposalCovers(proposal, value));
}

export function proposalCovers(proposal: RuleRecord, value: UnmappedValue): boolean {
  if (value.subject_id === null) return false;
  // The value's pupils may be in any year, so a year range is left out of the comparison.
  const rule: GradeRule = {
    ...proposal,
    yearFrom: null,
    yearTo: null,
    rangeMin: proposal.rangeMin === null ? null : Number(proposal.rangeMin),
    rangeMax: proposal.rangeMax === null ? null : Number(proposal.rangeMax),
  };
  return ruleApplies(rule, {
    schoolId: proposal.schoolId ?? '',
    subjectId: value.subject_id,
    aspectId: value.aspect_id,
    gradeSet: value.grade_set,
    value: value.raw_value,
    yearOrdinal: null,
  });
}
