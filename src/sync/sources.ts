import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { type Actor, recordAudit } from '../audit.ts';
import { connectorKind } from '../connectors/registry.ts';
import type { Db } from '../db/index.ts';
import { sources } from '../db/schema.ts';
import { openSecrets, sealSecrets } from '../security/secrets.ts';
import { checkSchedule, DEFAULT_FULL_SCHEDULE, DEFAULT_SCHEDULE, nextDue } from './schedule.ts';

/**
 * Sources: a school's connection to one system. Configuration is checked against the connector's
 * own schema; secrets are sealed before they reach the database and never come back out of it
 * except into a run or a connection check.
 */

export type Source = typeof sources.$inferSelect;

export interface SourceInput {
  schoolId: string;
  kind: string;
  name: string;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
  schedule?: string | null;
  fullSchedule?: string | null;
}

export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export async function createSource(db: Db, secretKey: Buffer, actor: Actor, input: SourceInput) {
  const kind = connectorKind(input.kind);
  if (!kind) throw new SourceError('kind', `There is no connector called "${input.kind}".`);
  const config = parseOrExplain(kind.configSchema, input.config, 'config');
  const secrets = parseOrExplain(kind.secretsSchema, input.secrets, 'secrets');
  const api = kind.transport === 'api';
  const schedule = api ? (input.schedule ?? DEFAULT_SCHEDULE) : null;
  const fullSchedule = api ? (input.fullSchedule ?? DEFAULT_FULL_SCHEDULE) : null;
  for (const [field, value] of [
    ['schedule', schedule],
    ['fullSchedule', fullSchedule],
  ] as const) {
    const check = value === null ? null : checkSchedule(value);
    if (check && !check.ok) throw new SourceError(field, check.reason);
  }

  return db.transaction(async (tx) => {
    const [source] = await tx
      .insert(sources)
      .values({
        schoolId: input.schoolId,
        kind: input.kind,
        name: input.name,
        config: config as Record<string, unknown>,
        secrets: sealSecrets(secretKey, secrets as Record<string, unknown>),
        schedule,
        fullSchedule,
      })
      .returning();
    await recordAudit(tx, actor, {
      action: 'source.create',
      entityType: 'source',
      entityId: source!.id,
      schoolId: input.schoolId,
      // The secret fields' names only: their values never leave the sealed column.
      details: { kind: input.kind, name: input.name, secretFields: Object.keys(input.secrets) },
    });
    return source!;
  });
}

export async function setPaused(db: Db, actor: Actor, sourceId: string, paused: boolean) {
  return db.transaction(async (tx) => {
    const [source] = await tx
      .update(sources)
      .set({ paused, updatedAt: new Date() })
      .where(eq(sources.id, sourceId))
      .returning();
    if (!source) throw new SourceError('source', 'There is no such source.');
    await recordAudit(tx, actor, {
      action: paused ? 'source.pause' : 'source.resume',
      entityType: 'source',
      entityId: sourceId,
      schoolId: source.schoolId,
    });
    return source;
  });
}

export interface SourceChanges {
  name: string;
  config: Record<string, unknown>;
  /** Every secret, the kept ones included: the sealed column is replaced whole. */
  secrets: Record<string, unknown>;
  /** The secret fields given a new value, for the audit log (never their values). */
  changedSecrets: string[];
  schedule: string | null;
  fullSchedule: string | null;
}

/** Saves an edited source, checked as a new one is; a new schedule takes effect from now. */
export async function updateSource(
  db: Db,
  secretKey: Buffer,
  actor: Actor,
  source: Source,
  changes: SourceChanges,
  now: Date,
) {
  const kind = connectorKind(source.kind);
  if (!kind) throw new SourceError('kind', `There is no connector called "${source.kind}".`);
  const config = parseOrExplain(kind.configSchema, changes.config, 'config');
  const secrets = parseOrExplain(kind.secretsSchema, changes.secrets, 'secrets');
  for (const [field, value] of [
    ['schedule', changes.schedule],
    ['fullSchedule', changes.fullSchedule],
  ] as const) {
    const check = value === null ? null : checkSchedule(value);
    if (check && !check.ok) throw new SourceError(field, check.reason);
  }

  return db.transaction(async (tx) => {
    const rescheduled = changes.schedule !== source.schedule;
    const [saved] = await tx
      .update(sources)
      .set({
        name: changes.name,
        config: config as Record<string, unknown>,
        secrets: sealSecrets(secretKey, secrets as Record<string, unknown>),
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

/**
 * Removes a source from service. Its staged results and landed points stay (they are the school's
 * history); a run in flight notices at its next page and stops without landing.
 */
export async function archiveSource(db: Db, actor: Actor, sourceId: string) {
  return db.transaction(async (tx) => {
    const [source] = await tx
      .update(sources)
      .set({ archivedAt: new Date(), paused: true, updatedAt: new Date() })
      .where(eq(sources.id, sourceId))
      .returning();
    if (!source) throw new SourceError('source', 'There is no such source.');
    await recordAudit(tx, actor, {
      action: 'source.archive',
      entityType: 'source',
      entityId: sourceId,
      schoolId: source.schoolId,
    });
    return source;
  });
}

/** The source's secrets, opened for a run or a connection check. */
export function sourceSecrets(secretKey: Buffer, source: Source): Record<string, unknown> {
  return source.secrets ? openSecrets(secretKey, source.secrets) : {};
}

function parseOrExplain<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join('.') : where;
  throw new SourceError(field, `${field}: ${issue.message}`);
}
