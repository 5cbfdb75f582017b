import { asc, eq, gt, sql } from 'drizzle-orm';
import { type Actor, recordAudit } from '../audit.ts';
import type { Db, Executor } from '../db/index.ts';
import { nxPoints } from '../db/schema.ts';
import { NX_SCALE_SEED } from '../domain/nx-scale.ts';

/**
 * The Next Steps scale as the trust edits it. Landed assessments reference a point's id, so a
 * renamed, re-described, moved or renumbered point keeps every pupil's history.
 */

export type NxPoint = typeof nxPoints.$inferSelect;

export interface PointChanges {
  code?: string;
  mainstreamDescriptor?: string;
  specialistDescriptor?: string;
  qualificationDescriptor?: string;
}

export async function seedScale(executor: Executor): Promise<void> {
  const [existing] = await executor.select({ id: nxPoints.id }).from(nxPoints).limit(1);
  if (existing) return;
  await executor.insert(nxPoints).values(
    NX_SCALE_SEED.map((point, index) => ({
      code: point.code,
      position: index + 1,
      mainstreamDescriptor: point.mainstream,
      specialistDescriptor: point.specialist,
      qualificationDescriptor: point.qualification,
    })),
  );
}

export function listScale(executor: Executor): Promise<NxPoint[]> {
  return executor.select().from(nxPoints).orderBy(asc(nxPoints.position));
}

/** Renames or re-describes one point. */
export async function updatePoint(db: Db, actor: Actor, id: string, changes: PointChanges) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(nxPoints).where(eq(nxPoints.id, id));
    if (!before) throw new ScaleError(`There is no Next Steps point with id ${id}.`);
    const [after] = await tx
      .update(nxPoints)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(nxPoints.id, id))
      .returning();
    await recordAudit(tx, actor, {
      action: 'nx_point.update',
      entityType: 'nx_point',
      entityId: id,
      details: { before: describe(before), after: describe(after!) },
    });
    return after!;
  });
}

/** Inserts a point after another (or first when `afterId` is null), moving the rest down. */
export async function insertPoint(
  db: Db,
  actor: Actor,
  afterId: string | null,
  point: Required<PointChanges>,
) {
  return db.transaction(async (tx) => {
    const position = afterId === null ? 1 : (await positionOf(tx, afterId)) + 1;
    await shiftPositionsFrom(tx, position);
    const [created] = await tx
      .insert(nxPoints)
      .values({ ...point, position })
      .returning();
    await recordAudit(tx, actor, {
      action: 'nx_point.insert',
      entityType: 'nx_point',
      entityId: created!.id,
      details: { after: describe(created!) },
    });
    return created!;
  });
}

/** Gives every active point the code NX<position>, in order, after an insertion or a move. */
export async function renumberScale(db: Db, actor: Actor): Promise<NxPoint[]> {
  return db.transaction(async (tx) => {
    const before = await listScale(tx);
    // Two steps, because a unique code may only move to a code another point is giving up.
    await tx.update(nxPoints).set({ code: sql`'~' || ${nxPoints.id}::text` });
    await tx.execute(sql`
      update nx_points p set code = 'NX' || ordered.n, updated_at = now()
      from (select id, row_number() over (order by position) as n from nx_points) ordered
      where ordered.id = p.id`);
    const after = await listScale(tx);
    await recordAudit(tx, actor, {
      action: 'nx_scale.renumber',
      entityType: 'nx_scale',
      entityId: 'scale',
      details: {
        codes: after.map((point) => ({
          id: point.id,
          from: before.find((old) => old.id === point.id)?.code,
          to: point.code,
        })),
      },
    });
    return after;
  });
}

export class ScaleError extends Error {
  override name = 'ScaleError';
}

async function positionOf(executor: Executor, id: string): Promise<number> {
  const [row] = await executor
    .select({ position: nxPoints.position })
    .from(nxPoints)
    .where(eq(nxPoints.id, id));
  if (!row) throw new ScaleError(`There is no Next Steps point with id ${id}.`);
  return row.position;
}

async function shiftPositionsFrom(executor: Executor, position: number) {
  // Positions carry no unique index, so one update can move them all.
  await executor
    .update(nxPoints)
    .set({ position: sql`${nxPoints.position} + 1` })
    .where(gt(nxPoints.position, position - 1));
}

function describe(point: NxPoint) {
  return {
    code: point.code,
    position: point.position,
    mainstream: point.mainstreamDescriptor,
    specialist: point.specialistDescriptor,
    qualification: point.qualificationDescriptor,
  };
}
