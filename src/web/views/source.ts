import { html } from 'ghtml';
import { type ChartRun, runChart } from './chart.ts';
import {
  breadcrumbs,
  type Crumb,
  emptyState,
  facts,
  notice,
  pageHead,
  postButton,
  table,
} from './components.ts';
import { count, dateTime, duration, schedule, shortDateTime } from './format.ts';
import { type Health, healthSummary, runStatusBadge } from './status.ts';

export interface RunRow {
  id: string;
  startedAt: Date | null;
  queuedAt: Date;
  trigger: string;
  mode: string;
  status: string;
  durationMs: number | null;
  pupilsSeen: number;
  resultsSeen: number;
  resultsNew: number;
  resultsChanged: number;
  resultsLanded: number;
  problems: number;
}

export interface LastError {
  runId: string;
  at: Date | null;
  category: string;
  code: string | null;
  message: string;
  whatToDo: string;
  /** A later run succeeded, so the error no longer stands. */
  resolved: boolean;
}

export interface CheckView {
  ok: boolean;
  message: string;
  details: readonly [string, string][];
}

export interface SourceView {
  crumbs: Crumb[];
  source: {
    id: string;
    name: string;
    kindLabel: string;
    transport: 'api' | 'file';
    schedule: string | null;
    fullSchedule: string | null;
    paused: boolean;
    schoolId: string;
    nextRunAt: Date | null;
  };
  health: Health;
  runs: RunRow[];
  chart: ChartRun[];
  lastError: LastError | null;
  /** What "check connection" found, when the page answers a plain form post: `html` output. */
  check: string | null;
  canManage: boolean;
  csrf: string;
  now: Date;
}

const TRIGGERS: Record<string, string> = {
  schedule: 'Schedule',
  manual: 'Run now',
  upload: 'Upload',
  replay: 'Replay',
};

const CATEGORIES: Record<string, string> = {
  auth: 'Access refused',
  config: 'Settings',
  rate_limited: 'Rate limited',
  transient: 'Temporary failure',
  bad_data: 'Unreadable data',
  internal: 'Our side',
};

/** Sync health for one source: its runs, what went wrong last, and what to do. */
export function sourceView(view: SourceView): string {
  const { source } = view;
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: `Sync health · ${source.kindLabel}`,
      title: source.name,
      actions: view.canManage ? actions(view) : '',
    })}
    <div class="card">
      !${facts([
        ['Health', healthSummary(view.health, view.now)],
        [
          'Schedule',
          html`${source.transport === 'file' ? 'Read from uploads' : schedule(source.schedule)}`,
        ],
        ['Full pull', html`${schedule(source.fullSchedule)}`],
        ['Next run', html`${source.paused ? 'Paused' : dateTime(source.nextRunAt)}`],
      ])}
      <div id="check-result" aria-live="polite">!${view.check ?? ''}</div>
    </div>
    !${view.lastError ? lastError(view.lastError) : ''}
    <section class="section" aria-labelledby="runs-title">
      <h2 id="runs-title">Run history</h2>
      !${
        view.runs.length === 0
          ? emptyState('No runs yet', 'The first run appears here when it is queued.')
          : html`!${runChart(view.chart)} !${runsTable(view.runs)}`
      }
    </section>`;
}

function actions(view: SourceView): string {
  const { source } = view;
  const run =
    source.transport === 'file'
      ? html`<a class="button button-primary" href="/schools/${source.schoolId}/uploads"
          >Upload a file</a
        >`
      : postButton({
          action: `/sources/${source.id}/run`,
          label: 'Run now',
          csrf: view.csrf,
          variant: 'primary',
        });
  const pause = postButton({
    action: `/sources/${source.id}/${source.paused ? 'resume' : 'pause'}`,
    label: source.paused ? 'Resume' : 'Pause',
    csrf: view.csrf,
  });
  const check = postButton({
    action: `/sources/${source.id}/check`,
    label: 'Check connection',
    csrf: view.csrf,
    target: '#check-result',
    swap: 'innerHTML',
  });
  const edit = html`<a class="button button-secondary" href="/sources/${source.id}/edit">Edit</a>`;
  const remove = html`<a class="button button-danger" href="/sources/${source.id}/remove"
    >Remove</a
  >`;
  return html`!${run} !${source.transport === 'api' ? pause : ''} !${check} !${edit} !${remove}`;
}

function lastError(error: LastError): string {
  return html`<section class="section" aria-labelledby="error-title">
    <div class="notice ${error.resolved ? 'notice-info' : 'notice-bad'}" role="status">
      <h2 id="error-title">
        Last error · ${CATEGORIES[error.category] ?? error.category}${
          error.resolved ? ' (a later run succeeded)' : ''
        }
      </h2>
      <p>${error.message}</p>
      <p><strong>What to do:</strong> ${error.whatToDo}</p>
      <p class="muted">
        ${dateTime(error.at)}${error.code ? ` · code ${error.code}` : ''} ·
        <a href="/runs/${error.runId}">Open the run log</a>
      </p>
    </div>
  </section>`;
}

function runsTable(runs: readonly RunRow[]): string {
  const rows = runs.map(
    (run) => html`<tr>
      <th scope="row" class="nowrap">
        <a href="/runs/${run.id}">${shortDateTime(run.startedAt ?? run.queuedAt)}</a>
      </th>
      <td class="nowrap">
        ${TRIGGERS[run.trigger] ?? run.trigger}
        <span class="muted block">${run.mode === 'full' ? 'Full pull' : 'Incremental'}</span>
      </td>
      <td>!${runStatusBadge(run.status)}</td>
      <td class="num">${duration(run.durationMs)}</td>
      <td class="num">${count(run.pupilsSeen)}</td>
      <td class="num">${count(run.resultsSeen)}</td>
      <td class="num">${count(run.resultsNew)}</td>
      <td class="num">${count(run.resultsChanged)}</td>
      <td class="num">${count(run.resultsLanded)}</td>
      <td class="num">${count(run.problems)}</td>
    </tr>`,
  );
  return table(
    'Run history, newest first',
    [
      { label: 'Started' },
      { label: 'Trigger and mode' },
      { label: 'Status' },
      { label: 'Duration', numeric: true },
      { label: 'Pupils', numeric: true },
      { label: 'Results', numeric: true },
      { label: 'New', numeric: true },
      { label: 'Changed', numeric: true },
      { label: 'Landed', numeric: true },
      { label: 'Problems', numeric: true },
    ],
    rows,
  );
}

/** What "check connection" found, in the source's own words. */
export function checkView(check: CheckView): string {
  const details = check.details.length
    ? facts(check.details.map(([term, value]) => [term, html`${value}`]))
    : '';
  return notice(check.ok ? 'good' : 'bad', html`<p>${check.message}</p>!${details}`);
}

export interface RemoveSourceView {
  crumbs: Crumb[];
  source: { id: string; name: string; kindLabel: string };
  csrf: string;
}

/** Removing a source asks first: its history stays, but it will not sync again. */
export function removeSourceView(view: RemoveSourceView): string {
  return html`!${breadcrumbs(view.crumbs)}
    <div class="card problem">
      <p class="eyebrow">${view.source.kindLabel}</p>
      <h1>Remove ${view.source.name}?</h1>
      <p>
        It will not sync again, and a run in progress stops without landing anything. Its runs,
        results and the points it landed stay as the school's history.
      </p>
      <div class="button-row">
        !${postButton({
          action: `/sources/${view.source.id}/remove`,
          label: 'Remove this source',
          csrf: view.csrf,
          variant: 'danger',
        })}
        <a class="button button-secondary" href="/sources/${view.source.id}">Keep it</a>
      </div>
    </div>`;
}
