import { html } from 'ghtml';
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
import { count, dateTime, duration, plural } from './format.ts';
import { isActiveRun, runStatusBadge } from './status.ts';

export interface RunCounts {
  id: string;
  status: string;
  pagesDone: number;
  pupilsSeen: number;
  pupilsNew: number;
  pupilsChanged: number;
  pupilsLeft: number;
  resultsSeen: number;
  resultsNew: number;
  resultsChanged: number;
  resultsUnchanged: number;
  resultsRetracted: number;
  resultsMapped: number;
  resultsUnmapped: number;
  resultsLanded: number;
  problems: number;
}

export interface RunEventRow {
  at: Date;
  level: string;
  code: string;
  message: string;
}

export interface RunProblemRow {
  location: string;
  row: number | null;
  field: string | null;
  code: string;
  message: string;
}

export interface RunView {
  crumbs: Crumb[];
  run: RunCounts & {
    trigger: string;
    mode: string;
    queuedAt: Date;
    startedAt: Date | null;
    finishedAt: Date | null;
    durationMs: number | null;
    message: string | null;
    failureCategory: string | null;
    warnings: readonly string[];
  };
  source: { id: string; name: string };
  school: { id: string; name: string };
  fileName: string | null;
  whatToDo: string | null;
  events: RunEventRow[];
  problems: RunProblemRow[];
  /** More problems were recorded than are listed. */
  problemsShown: number;
  /**
   * What can be run again, by someone who manages the source: the kept file of an upload, or
   * the kept pages of a pull from the school's system; null when nothing can.
   */
  replay: 'file' | 'pages' | null;
  csrf: string;
}

const TRIGGERS: Record<string, string> = {
  schedule: 'on its schedule',
  manual: 'by hand',
  upload: 'from an upload',
  replay: 'as a replay',
};

const REPLAY_LABELS = {
  file: 'Read the file again',
  pages: 'Replay from the kept pages',
} as const;

const CATEGORIES: Record<string, string> = {
  auth: 'access refused',
  config: 'settings',
  rate_limited: 'rate limited',
  transient: 'temporary failure',
  bad_data: 'unreadable data',
  internal: 'a problem on our side',
};

const LEVELS: Record<string, string> = { info: 'Info', warn: 'Warning', error: 'Error' };

/** One run's own log: what it read, what it landed, and every record it could not read. */
export function runView(view: RunView): string {
  const { run } = view;
  const title = view.fileName ? `Upload of ${view.fileName}` : `Sync run of ${view.source.name}`;
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: `${view.school.name} · ${view.source.name}`,
      title,
      lede: `Queued ${dateTime(run.queuedAt)} ${TRIGGERS[run.trigger] ?? ''}, ${run.mode} pull.`,
      actions: view.replay
        ? postButton({
            action: `/runs/${run.id}/replay`,
            label: REPLAY_LABELS[view.replay],
            csrf: view.csrf,
          })
        : '',
    })}
    !${outcome(view)}
    !${runCounts(run)}
    <section class="section" aria-labelledby="problems-title">
      <h2 id="problems-title">Record problems</h2>
      !${problemsTable(view)}
    </section>
    <section class="section" aria-labelledby="events-title">
      <h2 id="events-title">Run log</h2>
      !${eventsTable(view.events)}
    </section>`;
}

function outcome(view: RunView): string {
  const { run } = view;
  if (isActiveRun(run.status)) {
    return notice(
      'info',
      html`<p>This run is still going. The figures below update by themselves.</p>`,
    );
  }
  if (run.status === 'failed') {
    return notice(
      'bad',
      html`<p>
          <strong>The run failed</strong>
          (${CATEGORIES[run.failureCategory ?? ''] ?? 'unknown cause'}). ${run.message ?? ''}
        </p>
        !${view.whatToDo ? html`<p><strong>What to do:</strong> ${view.whatToDo}</p>` : ''}
        <p>Nothing from this run was landed; what landed before is kept.</p>`,
    );
  }
  const problems =
    run.problems > 0
      ? html` ${plural(run.problems, 'record problem')} listed below need a look.`
      : '';
  const warnings = run.warnings.map((warning) => html`<p>${warning}</p>`);
  return notice(
    run.status === 'succeeded' && run.problems === 0 ? 'good' : 'warn',
    html`<p>
        <strong>Finished ${dateTime(run.finishedAt)}</strong> in ${duration(run.durationMs)}:
        ${plural(run.resultsLanded, 'point')} landed.!${problems}
      </p>
      !${warnings}`,
  );
}

/** The counts box; while the run is active it asks for itself again every two seconds. */
export function runCounts(run: RunCounts): string {
  const active = isActiveRun(run.status);
  const poll = active
    ? html`hx-get="/runs/${run.id}/progress" hx-trigger="every 2s" hx-swap="outerHTML"`
    : '';
  return html`<section id="run-progress" class="card" aria-labelledby="counts-title"
    aria-live="polite" !${poll}>
    <div class="section-head">
      <h2 id="counts-title">Progress</h2>
      !${runStatusBadge(run.status)}
    </div>
    <div class="count-grid">
      !${facts([
        ['Pages read', html`${count(run.pagesDone)}`],
        ['Pupils seen', html`${count(run.pupilsSeen)}`],
        ['New pupils', html`${count(run.pupilsNew)}`],
        ['Changed pupils', html`${count(run.pupilsChanged)}`],
        ['Left', html`${count(run.pupilsLeft)}`],
      ])}
      !${facts([
        ['Results seen', html`${count(run.resultsSeen)}`],
        ['New', html`${count(run.resultsNew)}`],
        ['Changed', html`${count(run.resultsChanged)}`],
        ['Unchanged', html`${count(run.resultsUnchanged)}`],
        ['Retracted', html`${count(run.resultsRetracted)}`],
      ])}
      !${facts([
        ['Mapped', html`${count(run.resultsMapped)}`],
        ['Not mapped yet', html`${count(run.resultsUnmapped)}`],
        ['Landed', html`${count(run.resultsLanded)}`],
        ['Problems', html`${count(run.problems)}`],
      ])}
    </div>
  </section>`;
}

function problemsTable(view: RunView): string {
  if (view.problems.length === 0) {
    return emptyState('No record problems', 'Every row and record this run read was usable.');
  }
  const rows = view.problems.map(
    (problem) => html`<tr>
      <td class="num">${problem.row ?? '–'}</td>
      <td>${problem.field ?? '–'}</td>
      <td>${problem.message}</td>
      <td><code>${problem.code}</code></td>
      <td>${problem.location}</td>
    </tr>`,
  );
  const more =
    view.run.problems > view.problemsShown
      ? html`<p class="muted">
          Showing the first ${count(view.problemsShown)} of ${count(view.run.problems)}.
        </p>`
      : '';
  return html`!${table(
    'Record problems',
    [
      { label: 'Row', numeric: true },
      { label: 'Field' },
      { label: 'Problem' },
      { label: 'Code' },
      { label: 'Where' },
    ],
    rows,
  )}!${more}`;
}

function eventsTable(events: readonly RunEventRow[]): string {
  if (events.length === 0) return emptyState('Nothing logged yet', 'The run has not started.');
  const rows = events.map(
    (event) => html`<tr>
      <td>${dateTime(event.at)}</td>
      <td>${LEVELS[event.level] ?? event.level}</td>
      <td>${event.message}</td>
    </tr>`,
  );
  return table(
    'Run log',
    [{ label: 'When' }, { label: 'Level' }, { label: 'What happened' }],
    rows,
  );
}
