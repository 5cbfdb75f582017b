import type { SourceAspect, SourceDeletion, SourceResult } from '../contract.ts';
import type { OneRosterCsvConfig } from './config.ts';
import type { LineItem, Lookups } from './lookups.ts';
import type { Table, TableRow } from './table.ts';
import { readDate } from './values.ts';

export type ResultOutcome =
  | { kind: 'results'; record: SourceResult }
  | { kind: 'deletions'; record: SourceDeletion };

export interface ResultTally {
  /** Rows with neither a score nor a text score: not entered yet, or exempt. */
  unscored: number;
  /** Line items whose academic session is not in academicSessions.csv. */
  unplacedLineItems: Set<string>;
}

export interface ResultScope {
  table: Table;
  lookups: Lookups;
  aspectFrom: OneRosterCsvConfig['aspectFrom'];
  tally: ResultTally;
}

/** How results.csv and the Assessment Results Profile's file name their line item. */
const LINE_ITEM_COLUMN = {
  results: 'lineItemSourcedId',
  assessmentResults: 'assessmentLineItemSourcedId',
} as const;

/**
 * A results.csv (or assessmentResults.csv) row as a result or a result's deletion. The value is
 * the local grade exactly as written: 1.2's textScore where there is one ("EXS"), else the score.
 */
export function readResult(scope: ResultScope, row: TableRow): ResultOutcome | null {
  const { table } = scope;
  const id = table.needed(row, 'sourcedId', 'the id that keeps this result the same result');
  const status = id === null ? null : table.status(row);
  if (id === null || status === null) return null;
  if (status === 'deleted') {
    const at = table.modified(row);
    return { kind: 'deletions', record: { entity: 'result', externalId: id, at } };
  }

  const column = table.file === 'assessmentResults' ? 'assessmentResults' : 'results';
  const lineItemId = table.needed(row, LINE_ITEM_COLUMN[column], 'the line item it is a result of');
  const pupilId = table.needed(row, 'studentSourcedId', 'the pupil it is a result of');
  if (lineItemId === null || pupilId === null) return null;
  const lineItem = lineItemOf(scope, row, LINE_ITEM_COLUMN[column], lineItemId);
  if (!lineItem) return null;

  const value = row.text('textScore') || row.text('score');
  if (value === '') {
    scope.tally.unscored += 1;
    return null;
  }
  return {
    kind: 'results',
    record: {
      externalId: id,
      pupilExternalId: pupilId,
      aspect: aspectOf(scope, lineItemId, lineItem),
      value,
      assessedOn: table.date(row, 'scoreDate', readDate),
      periodLabel: periodOf(scope, lineItemId, lineItem),
      modifiedAt: table.modified(row),
    },
  };
}

function lineItemOf(
  scope: ResultScope,
  row: TableRow,
  column: string,
  lineItemId: string,
): LineItem | null {
  const { table, lookups } = scope;
  const items =
    table.file === 'assessmentResults' ? lookups.assessmentLineItems : lookups.lineItems;
  const lineItem = items.get(lineItemId);
  if (lineItem) return lineItem;
  const file = table.file === 'assessmentResults' ? 'assessmentLineItems.csv' : 'lineItems.csv';
  table.problem(
    row,
    column,
    'line_item_unknown',
    `The line item "${lineItemId}" is not in ${file}, so this result was not read: without ` +
      `it the result has no assessment name or term. A delta package must carry ${file} ` +
      '(bulk) with every line item its results use.',
  );
  return null;
}

/** The aspect a subject leader maps, grouped as the source settings say (config.ts). */
function aspectOf(scope: ResultScope, lineItemId: string, lineItem: LineItem): SourceAspect {
  const { lookups } = scope;
  const scale = lookups.lineItemScales.get(lineItemId);
  const gradeSet = scale === undefined ? null : (lookups.scoreScales.get(scale) ?? null);
  if (scope.aspectFrom === 'category' && lineItem.categoryId !== '') {
    const name = lookups.categories.get(lineItem.categoryId) ?? lineItem.categoryId;
    return { key: lineItem.categoryId, name, gradeSet };
  }
  if (scope.aspectFrom === 'title') return { key: lineItem.title, name: lineItem.title, gradeSet };
  return { key: lineItemId, name: lineItem.title, gradeSet };
}

/** The academic session's title ("Autumn 2025"), which the engine reads as the collection. */
function periodOf(scope: ResultScope, lineItemId: string, lineItem: LineItem): string | null {
  if (lineItem.sessionId === '') return null;
  const title = scope.lookups.sessions.get(lineItem.sessionId);
  if (title === undefined) scope.tally.unplacedLineItems.add(lineItemId);
  return title ?? null;
}
