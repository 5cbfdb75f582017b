import type { Db } from '../../db/index.ts';
import { type GradeRule, ruleApplies } from '../../domain/grade-rules.ts';
import {
  excludedPupils,
  type MissingPupil,
  missingPupils,
  type UnmappedValue,
  unmappedValues,
} from '../../sync/reconcile.ts';
import type { CellState, ProgressCell } from '../views/status.ts';
import { pendingRulesFor, pendingSubjectMappings, pupilCount, type RuleRecord } from './queries.ts';

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

export async function schoolProgress(
  db: Db,
  schoolId: string,
  collectionId: number,
  subjects: readonly { id: number; name: string }[],
  syncing: boolean,
): Promise<SchoolProgress> {
  const first = subjects[0];
  const total = await pupilCount(db, schoolId);
  const excluded = first
    ? await excludedPupils(db, { schoolId, collectionId, subjectId: first.id })
    : [];
  const onRoll = total - excluded.length;
  const unmapped = await unmappedValues(db, schoolId, collectionId);
  const pendingRules = await pendingRulesFor(db, schoolId);
  const pendingMappings = await pendingSubjectMappings(db, schoolId);

  const cells: ProgressCell[] = [];
  for (const subject of subjects) {
    const missing = await missingPupils(db, { schoolId, collectionId, subjectId: subject.id });
    const waiting = {
      rule: unmapped.some(
        (value) => value.subject_id === subject.id && coveredByProposal(value, pendingRules),
      ),
      mapping: pendingMappings.some(
        (mapping) => mapping.subjectId === subject.id || mapping.subjectId === null,
      ),
    };
    cells.push({
      subjectId: subject.id,
      subject: subject.name,
      state: cellState(missing, onRoll, syncing, waiting),
      landed: Math.max(0, onRoll - missing.length),
      expected: onRoll,
      missingHref: `/schools/${schoolId}/missing?collection=${collectionId}&subject=${subject.id}`,
    });
  }
  return { cells, onRoll, unmapped, pendingRules, pendingMappings: pendingMappings.length };
}

function cellState(
  missing: readonly MissingPupil[],
  onRoll: number,
  syncing: boolean,
  waiting: { rule: boolean; mapping: boolean },
): CellState {
  const reasons = new Set(missing.map((pupil) => pupil.reason));
  if (syncing || reasons.has('not_landed_yet')) return 'syncing';
  if (onRoll > 0 && missing.length === 0) return 'complete';
  const valueWaits = reasons.has('value_unmapped');
  const aspectWaits = reasons.has('aspect_unmapped');
  if ((valueWaits && waiting.rule) || (aspectWaits && waiting.mapping)) {
    return 'needs confirmation';
  }
  if (valueWaits || aspectWaits) return 'needs mapping';
  return missing.length >= onRoll ? 'not started' : 'in progress';
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
