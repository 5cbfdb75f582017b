import type { Executor } from './db/index.ts';
import { auditLog } from './db/schema.ts';

/** Who is acting: a signed-in person, an API token's user, or the service itself. */
export interface Actor {
  userId: string | null;
  label: string;
}

export const SYSTEM_ACTOR: Actor = { userId: null, label: 'system' };

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  schoolId?: string | null;
  /** What changed: ids, before and after. Never secrets, never raw pupil values. */
  details?: Record<string, unknown>;
}

/** Records a change in the audit log, inside the caller's transaction. */
export async function recordAudit(executor: Executor, actor: Actor, entry: AuditEntry) {
  await executor.insert(auditLog).values({
    actorUserId: actor.userId,
    actorLabel: actor.label,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    schoolId: entry.schoolId ?? null,
    details: entry.details ?? {},
  });
}
