import { sql } from 'drizzle-orm';
import { type Actor, recordAudit } from '../audit.ts';
import type { Db, Executor } from '../db/index.ts';
import { rows } from '../db/rows.ts';

/**
 * Two sources gave a result for the same pupil, subject and collection. Landing keeps the one
 * assessed later (then the one the source changed later) and lists the pair here, so that a
 * person can check the stated rule chose well. Marking one reviewed records who and why; it is
 * listed again if either value changes afterwards. To keep the other value, the school corrects
 * or removes the result in the source it disagrees with.
 */

export type ConflictStatus = 'open' | 'reviewed' | 'all';

export interface ConflictSide {
  source: string;
  rawValue: string;
  assessedOn: string | null;
  /** Withdrawn by its source since the conflict was listed. */
  retracted: boolean;
}

export interface Conflict {
  id: number;
  pupil: { id: string; name: string; upn: string | null };
  subject: { id: number; name: string };
  collection: { id: number; label: string };
  kept: ConflictSide;
  other: ConflictSide;
  /** The point that stands now, and whether it still comes from the kept result. */
  landed: { code: string; fromKept: boolean } | null;
  reason: string;
  detectedAt: string;
  review: { at: string; by: string; note: string } | null;
}

interface ConflictRow extends Record<string, unknown> {
  id: number;
  school_id: string;
  pupil_id: string;
  first_name: string;
  last_name: string;
  upn: string | null;
  subject_id: number;
  subject: string;
  collection_id: number;
  collection: string;
  kept_source: string;
  kept_value: string;
  kept_on: string | null;
  kept_retracted: boolean;
  other_source: string;
  other_value: string;
  other_on: string | null;
  other_retracted: boolean;
  landed_code: string | null;
  landed_from_kept: boolean | null;
  reason: string;
  detected_at: string;
  resolved_at: string | null;
  resolved_by_label: string | null;
  resolution_note: string | null;
}

export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(
    readonly code: 'not_found' | 'already_reviewed',
    message: string,
  ) {
    super(message);
  }
}

function selectConflicts(where: ReturnType<typeof sql>) {
  return sql`
    select c.id, p.school_id, p.id as pupil_id, p.first_name, p.last_name, p.upn,
      s.id as subject_id, s.name as subject, col.id as collection_id, col.label as collection,
      ksrc.name as kept_source, ks.raw_value as kept_value, ks.assessed_on::text as kept_on,
      ks.retracted_at is not null as kept_retracted,
      osrc.name as other_source, os.raw_value as other_value, os.assessed_on::text as other_on,
      os.retracted_at is not null as other_retracted,
      n.code as landed_code, a.staged_result_id = ks.id as landed_from_kept,
      c.reason, c.detected_at::text as detected_at, c.resolved_at::text as resolved_at,
      c.resolved_by_label, c.resolution_note
    from assessment_conflicts c
    join pupils p on p.id = c.pupil_id
    join subjects s on s.id = c.subject_id
    join collections col on col.id = c.collection_id
    join staged_results ks on ks.id = c.kept_staged_result_id
    join sources ksrc on ksrc.id = ks.source_id
    join staged_results os on os.id = c.other_staged_result_id
    join sources osrc on osrc.id = os.source_id
    left join assessments a on a.pupil_id = c.pupil_id and a.subject_id = c.subject_id
      and a.collection_id = c.collection_id
    left join nx_points n on n.id = a.nx_point_id
    where ${where}`;
}

/** A school's conflicts, newest first: those waiting for review, those reviewed, or both. */
export async function listConflicts(
  executor: Executor,
  schoolId: string,
  status: ConflictStatus = 'open',
): Promise<Conflict[]> {
  const state =
    status === 'open'
      ? sql`c.resolved_at is null`
      : status === 'reviewed'
        ? sql`c.resolved_at is not null`
        : sql`true`;
  const found = await rows<ConflictRow>(
    executor,
    sql`${selectConflicts(sql`p.school_id = ${schoolId} and ${state}`)}
      order by c.detected_at desc, c.id desc`,
  );
  return found.map(conflictOf);
}

/** How many of each school's conflicts wait for review. */
export async function openConflictCounts(executor: Executor): Promise<Map<string, number>> {
  const found = await rows<{ school_id: string; n: number }>(
    executor,
    sql`select p.school_id, count(*)::int as n
        from assessment_conflicts c join pupils p on p.id = c.pupil_id
        where c.resolved_at is null group by 1`,
  );
  return new Map(found.map((row) => [row.school_id, row.n]));
}

/** The conflict and the school it belongs to, or null. */
export async function findConflict(executor: Executor, id: number) {
  const [found] = await rows<ConflictRow>(executor, selectConflicts(sql`c.id = ${id}`));
  return found ? { conflict: conflictOf(found), schoolId: found.school_id } : null;
}

/** Marks a conflict reviewed, with the reviewer's note, and records it in the audit log. */
export async function reviewConflict(
  db: Db,
  actor: Actor,
  id: number,
  note: string,
): Promise<Conflict> {
  return db.transaction(async (tx) => {
    const [locked] = await rows<{ resolved_at: string | null; school_id: string }>(
      tx,
      sql`select c.resolved_at::text as resolved_at, p.school_id
          from assessment_conflicts c join pupils p on p.id = c.pupil_id
          where c.id = ${id} for update of c`,
    );
    if (!locked) throw new ConflictError('not_found', 'There is no such conflict.');
    if (locked.resolved_at !== null) {
      throw new ConflictError('already_reviewed', 'Someone has already reviewed this conflict.');
    }
    await tx.execute(sql`
      update assessment_conflicts
      set resolved_at = now(), resolved_by = ${actor.userId}, resolved_by_label = ${actor.label},
        resolution_note = ${note}
      where id = ${id}`);
    const reviewed = (await findConflict(tx, id))!.conflict;
    await recordAudit(tx, actor, {
      action: 'conflict.review',
      entityType: 'assessment_conflict',
      entityId: String(id),
      schoolId: locked.school_id,
      details: {
        subject: reviewed.subject.name,
        collection: reviewed.collection.label,
        kept: `${reviewed.kept.rawValue} from ${reviewed.kept.source}`,
        other: `${reviewed.other.rawValue} from ${reviewed.other.source}`,
        note,
      },
    });
    return reviewed;
  });
}

function conflictOf(row: ConflictRow): Conflict {
  return {
    id: Number(row.id),
    pupil: { id: row.pupil_id, name: `${row.first_name} ${row.last_name}`, upn: row.upn },
    subject: { id: row.subject_id, name: row.subject },
    collection: { id: row.collection_id, label: row.collection },
    kept: {
      source: row.kept_source,
      rawValue: row.kept_value,
      assessedOn: row.kept_on,
      retracted: row.kept_retracted,
    },
    other: {
      source: row.other_source,
      rawValue: row.other_value,
      assessedOn: row.other_on,
      retracted: row.other_retracted,
    },
    landed:
      row.landed_code === null
        ? null
        : { code: row.landed_code, fromKept: row.landed_from_kept === true },
    reason: row.reason,
    detectedAt: row.detected_at,
    review:
      row.resolved_at === null
        ? null
        : {
            at: row.resolved_at,
            by: row.resolved_by_label ?? 'someone',
            note: row.resolution_note ?? '',
          },
  };
}
