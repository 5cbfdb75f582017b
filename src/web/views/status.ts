import { html } from 'ghtml';
import { badge, type Tone } from './components.ts';
import { age, share } from './format.ts';

/** The shapes the console's status badges show, and the words for each. */

export type HealthState = 'healthy' | 'warning' | 'failing' | 'stale';

export interface Health {
  state: HealthState;
  lastGoodAt: Date | null;
  /** A run is queued or in progress. */
  syncing: boolean;
  paused: boolean;
  /** Why, in a sentence: the failure or the warning. */
  reason: string | null;
}

export type CellState =
  | 'not started'
  | 'syncing'
  | 'needs mapping'
  | 'needs confirmation'
  | 'in progress'
  | 'complete';

export interface ProgressCell {
  subjectId: number;
  subject: string;
  state: CellState;
  landed: number;
  expected: number;
  /** The school's missing pupils for this subject and collection. */
  missingHref: string;
}

const HEALTH_TONE: Record<HealthState, Tone> = {
  healthy: 'good',
  warning: 'warn',
  failing: 'bad',
  stale: 'neutral',
};

const CELL_TONE: Record<CellState, Tone> = {
  'not started': 'neutral',
  syncing: 'info',
  'needs mapping': 'warn',
  'needs confirmation': 'action',
  'in progress': 'info',
  complete: 'good',
};

const RUN_STATUS: Record<string, [string, Tone]> = {
  queued: ['Queued', 'info'],
  running: ['Running', 'info'],
  succeeded: ['Succeeded', 'good'],
  succeeded_with_warnings: ['Succeeded with warnings', 'warn'],
  failed: ['Failed', 'bad'],
  interrupted: ['Interrupted, will resume', 'warn'],
  cancelled: ['Cancelled', 'neutral'],
};

export function healthBadge(health: Health): string {
  const word = health.state.charAt(0).toUpperCase() + health.state.slice(1);
  return badge(word, HEALTH_TONE[health.state]);
}

/** The health badge with its extras: syncing now, paused, and the age of the last good sync. */
export function healthSummary(health: Health, now: Date): string {
  return html`<span class="health">
    !${healthBadge(health)} !${health.syncing ? badge('Syncing now', 'info') : ''}
    !${health.paused ? badge('Paused', 'neutral') : ''}
    <span class="muted">${lastGood(health, now)}</span>
  </span>`;
}

/** "Last good sync 3 days ago", or "No good sync yet". */
export function lastGood(health: Health, now: Date): string {
  return health.lastGoodAt ? `Last good sync ${age(health.lastGoodAt, now)}` : 'No good sync yet';
}

export function cellBadge(state: CellState): string {
  return badge(state.charAt(0).toUpperCase() + state.slice(1), CELL_TONE[state]);
}

export function runStatusBadge(status: string): string {
  const [word, tone] = RUN_STATUS[status] ?? [status, 'neutral'];
  return badge(word, tone);
}

export function isActiveRun(status: string): boolean {
  return status === 'queued' || status === 'running' || status === 'interrupted';
}

/** A collection cell: its state, and the share of pupils with a point linking to who is missing. */
export function progressCell(cell: ProgressCell): string {
  if (cell.expected === 0) {
    return html`<div class="cell">
      !${cellBadge(cell.state)}
      <a href="${cell.missingHref}" class="cell-share">No pupils on roll yet</a>
    </div>`;
  }
  const text = share(cell.landed, cell.expected);
  return html`<div class="cell">
    !${cellBadge(cell.state)}
    <a href="${cell.missingHref}" class="cell-share">
      ${text}<span class="visually-hidden"> of pupils have a ${cell.subject} point</span>
    </a>
    <meter min="0" max="${Math.max(cell.expected, 1)}" value="${cell.landed}"
      aria-hidden="true"></meter>
  </div>`;
}
