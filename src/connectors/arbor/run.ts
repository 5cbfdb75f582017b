import type {
  Checkpoint,
  PullEvent,
  PulledPage,
  PullPage,
  RawPayload,
  RecordProblem,
  SourceDeletion,
} from '../contract.ts';
import type { BuildContext } from './pupils.ts';
import { idOf, isRow } from './records.ts';

/** What one pull shares between its steps. */
export interface PullRun extends BuildContext {
  log(event: PullEvent): void;
}

/** A page for the engine: records, problems, the answers they came from, and where next. */
export function pulled(
  run: PullRun,
  page: PullPage,
  problems: RecordProblem[],
  checkpoint: Checkpoint,
  raw: RawPayload | null = run.raw.take(),
): PulledPage {
  return { page, problems, raw, checkpoint: { ...checkpoint } };
}

export type ChangeKind = 'create' | 'update' | 'delete';

/** Arbor's changeType, which its SDK example prints as create, update or delete. */
export function changeKind(value: unknown): ChangeKind | null {
  const word = String(value ?? '').toLowerCase();
  if (word.startsWith('creat') || word.startsWith('insert')) return 'create';
  if (word.startsWith('updat') || word.startsWith('modif')) return 'update';
  if (word.startsWith('delet') || word.startsWith('remov')) return 'delete';
  return null;
}

/** The deletions a page of changes records, as the engine takes them. */
export function deletedIn(
  rows: readonly unknown[],
  entity: SourceDeletion['entity'],
): SourceDeletion[] {
  const found: SourceDeletion[] = [];
  for (const row of rows) {
    if (!isRow(row) || changeKind(row.changeType) !== 'delete') continue;
    const externalId = idOf(row.changedObject);
    if (externalId) found.push({ entity, externalId, at: null });
  }
  return found;
}
