import { eq } from 'drizzle-orm';
import { type Actor, recordAudit } from '../../audit.ts';
import type { Db } from '../../db/index.ts';
import { sources } from '../../db/schema.ts';
import { sealSecrets } from '../../security/secrets.ts';
import { nextDue } from '../../sync/schedule.ts';
import type { Source } from '../../sync/sources.ts';

/**
 * Saving an edited source. The engine has `createSource` and `setPaused` but nothing that edits a
 * source yet, so the console writes the change here, as `createSource` would: settings already
 * checked against the connector's schemas, secrets sealed, the change audited by field name only.
 * TODO(sync): move into src/sync/sources.ts as updateSource, so the JSON API can share it.
 */

export interface SourceChanges {
  name: string;
  config: Record<string, unknown>;
  /** Every secret, the kept ones included: the sealed column is replaced whole. */
  secrets: Record<string, unknown>;
  /** The secret fields given a new value. */
  changedSecrets: string[];
  schedule: string | null;
  fullSchedule: string | null;
}

export async function saveSourceChanges(
  db: Db,
  secretKey: Buffer,
  actor: Actor,
  source: Source,
  changes: SourceChanges,
  now: Date,
) {
  return db.transaction(async (tx) => {
    const rescheduled = changes.schedule !== source.schedule;
    const [saved] = await tx
      .update(sources)
      .set({
        name: changes.name,
        config: changes.config,
        secrets: sealSecrets(secretKey, changes.secrets),
        schedule: changes.schedule,
        fullSchedule: changes.fullSchedule,
        nextRunAt:
          rescheduled && changes.schedule ? nextDue(changes.schedule, now) : source.nextRunAt,
        updatedAt: now,
      })
      .where(eq(sources.id, source.id))
      .returning();
    await recordAudit(tx, actor, {
      action: 'source.update',
      entityType: 'source',
      entityId: source.id,
      schoolId: source.schoolId,
      details: {
        name: changes.name,
        schedule: changes.schedule,
        configFields: Object.keys(changes.config),
        secretFieldsChanged: changes.changedSecrets,
      },
    });
    return saved!;
  });
}
