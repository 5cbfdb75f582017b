import { html } from 'ghtml';
import {
  badge,
  breadcrumbs,
  type Crumb,
  facts,
  notice,
  pageHead,
  postButton,
  type Tone,
} from './components.ts';
import { calendarDate, dateTime, longDate, plural, shortDateTime } from './format.ts';
import { type ProgressCell, progressCell, runStatusBadge } from './status.ts';
import { type UploadFormContext, type UploadRun, type UploadSource, uploadForm } from './upload.ts';

/**
 * A newly converted school's guided path, as a numbered checklist: where the school is, each
 * step's state in words, and the link or form to act on it, ending with its baseline (8.3).
 */

export type StepState =
  | 'done'
  | 'to do'
  | 'syncing'
  | 'failed'
  | 'needs confirmation'
  | 'in progress'
  | 'waiting'
  | 'not needed';

const STEP_BADGE: Record<StepState, Tone> = {
  done: 'good',
  'to do': 'warn',
  syncing: 'info',
  failed: 'bad',
  'needs confirmation': 'action',
  'in progress': 'info',
  waiting: 'neutral',
  'not needed': 'neutral',
};

export interface HalfTermName {
  term: string;
  half: 1 | 2;
}

/** Why the baseline is the collection it is: where the conversion date falls, and what follows. */
export interface BaselineReason {
  convertedOn: string;
  at: 'first_day' | 'during' | 'holiday';
  /** The half term the date falls in, or, in a holiday, the one the holiday follows. */
  half: HalfTermName;
  firstFullHalfTerm: HalfTermName;
  /** The termly collection the baseline is held at: "Autumn 2026/27". */
  termly: string;
}

export type BaselineFacts =
  | {
      kind: 'due';
      reason: BaselineReason;
      collection: { id: number; label: string; date: string } | null;
    }
  | { kind: 'not_needed'; convertedOn: string; firstYear: string }
  | { kind: 'beyond_calendar'; convertedOn: string; lastYear: string | null };

export interface ConnectStep {
  state: StepState;
  sources: { id: string; name: string; kindLabel: string }[];
  /** The school's file sources, each with its upload form. */
  fileSources: UploadSource[];
  /** File kinds the school has no source for yet, to set up with one click. */
  missingFileKinds: { kind: string; label: string }[];
  upload: UploadFormContext;
  recent: UploadRun[];
  failure: { runId: string; message: string } | null;
}

export interface MapStep {
  state: StepState;
  arrived: boolean;
  assessmentsWaiting: number;
  valuesWaiting: number;
}

export interface ConfirmStep {
  state: StepState;
  schoolRules: number;
  libraryRules: number;
}

export interface LandedStep {
  state: StepState;
  cells: ProgressCell[];
  onRoll: number;
}

export interface OnboardingView {
  crumbs: Crumb[];
  school: {
    id: string;
    name: string;
    urn: string;
    laestab: string;
    phase: string;
    addedOn: Date;
  };
  baseline: BaselineFacts;
  connect: ConnectStep;
  map: MapStep;
  confirm: ConfirmStep;
  landed: LandedStep;
  csrf: string;
}

const TITLES = [
  'Add the school',
  'Connect its system or upload its file',
  'Map its assessments and grades',
  'Confirm the rules',
  'The baseline lands',
] as const;

export function onboardingView(view: OnboardingView): string {
  const states: StepState[] = [
    'done',
    view.connect.state,
    view.map.state,
    view.confirm.state,
    view.landed.state,
  ];
  const current = states.findIndex((state) => state !== 'done' && state !== 'not needed');
  const bodies = [
    addedStep(view),
    connectStep(view),
    mapStep(view),
    confirmStep(view),
    landedStep(view),
  ];
  const lede =
    current === -1
      ? 'Every step is done: the school’s baseline has landed.'
      : `Step ${current + 1} of ${TITLES.length}: ${TITLES[current]!.toLowerCase()}.`;
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: `Onboarding · URN ${view.school.urn}`,
      title: view.school.name,
      lede,
      actions: html`<a class="button button-secondary" href="/schools/${view.school.id}"
        >The school’s page</a
      >`,
    })}
    <ol class="steps" aria-label="Onboarding steps">
      !${bodies.map((body, index) => step(index, states[index]!, index === current, body))}
    </ol>`;
}

function step(index: number, state: StepState, current: boolean, body: string): string {
  const id = `step-${index + 1}`;
  return html`<li class="step step-${state.replace(/ /g, '-')}" id="${id}"
    !${current ? 'aria-current="step"' : ''}>
    <span class="step-number" aria-hidden="true">${state === 'done' ? '✓' : index + 1}</span>
    <div class="step-body">
      <div class="step-head">
        <h2 id="${id}-title">
          <span class="visually-hidden">Step ${index + 1}: </span>${TITLES[index]}
        </h2>
        !${badge(state.charAt(0).toUpperCase() + state.slice(1), STEP_BADGE[state])}
        !${current ? html`<span class="step-marker">You are here</span>` : ''}
      </div>
      !${body}
    </div>
  </li>`;
}

function addedStep(view: OnboardingView): string {
  const { school, baseline } = view;
  const collection = baseline.kind === 'due' ? baseline.collection : null;
  const label = collection
    ? collection.label
    : baseline.kind === 'not_needed'
      ? 'None needed'
      : 'Not in the calendar yet';
  return html`<p>Added to the trust on ${dateTime(school.addedOn)}.</p>
    !${facts([
      ['Converted on', html`${longDate(convertedOn(baseline))}`],
      ['Phase', html`${school.phase}`],
      ['LAESTAB', html`${school.laestab}`],
      ['Baseline', html`${label}`],
      ['Collection date', html`${collection ? calendarDate(collection.date) : '–'}`],
    ])}
    !${notice('info', html`<p>${baselineSentence(baseline)}</p>`)}`;
}

function convertedOn(baseline: BaselineFacts): string {
  return baseline.kind === 'due' ? baseline.reason.convertedOn : baseline.convertedOn;
}

/** Why the school's baseline is the collection it is, or why there is none (8.3). */
export function baselineSentence(baseline: BaselineFacts): string {
  if (baseline.kind === 'not_needed') {
    return (
      `Converted on ${longDate(baseline.convertedOn)}, before the first school year in the ` +
      `calendar (${baseline.firstYear}): its baseline was due long ago, so none is needed ` +
      'now (policy 8.3).'
    );
  }
  if (baseline.kind === 'beyond_calendar') {
    const reach = baseline.lastYear ? `, which runs to ${baseline.lastYear},` : '';
    return (
      `Converted on ${longDate(baseline.convertedOn)}: the school year calendar${reach} does ` +
      'not reach its first full half term as a trust academy yet. Its baseline is worked out ' +
      'as soon as the calendar holds that year’s term dates (policy 8.3).'
    );
  }
  const { reason } = baseline;
  return (
    `Converted on ${longDate(reason.convertedOn)}, ${where(reason)}: its first full half term ` +
    `as a trust academy is ${halfName(reason.firstFullHalfTerm)}, so its baseline is the ` +
    `${reason.termly} collection (policy 8.3).`
  );
}

function where(reason: BaselineReason): string {
  const { term, half } = reason.half;
  if (reason.at === 'first_day') return `the first day of ${term} half term ${half}`;
  if (reason.at === 'during') return `during ${term} half term ${half}`;
  return half === 1
    ? `in the half-term break after ${term} half term 1`
    : `in the holidays after the ${term} term`;
}

function halfName(half: HalfTermName): string {
  return `${half.term} ${half.half}`;
}

function connectStep(view: OnboardingView): string {
  const { connect, school } = view;
  return html`<p>!${connectSummary(connect)}</p>
    !${
      connect.failure
        ? notice(
            'bad',
            html`<p>${connect.failure.message}</p>
              <p><a href="/runs/${connect.failure.runId}">See the run log</a></p>`,
          )
        : ''
    }
    <div class="button-row">
      <a class="button button-secondary" href="/schools/${school.id}/sources/new"
        >Connect the school’s system</a
      >
      !${connect.missingFileKinds.map((kind) =>
        postButton({
          action: `/schools/${school.id}/onboarding/file-source`,
          label: `Set up a ${kind.label} upload`,
          csrf: view.csrf,
          fields: { kind: kind.kind },
        }),
      )}
    </div>
    !${connect.fileSources.length > 0 ? uploadForms(connect) : ''}
    !${connect.recent.length > 0 ? recentUploads(connect.recent) : ''}`;
}

/** Open while nothing has arrived; tucked away, for a second file, once something has. */
function uploadForms(connect: ConnectStep): string {
  const forms = html`<p class="hint">
      The old school’s data, often a CTF or a spreadsheet in its old scheme, lands as the
      baseline: the form already chooses the baseline collection.
    </p>
    !${connect.fileSources.map((source) => uploadForm(source, connect.upload))}`;
  if (connect.state !== 'done') return forms;
  return html`<details class="more">
    <summary>Upload another file</summary>
    !${forms}
  </details>`;
}

function connectSummary(connect: ConnectStep): string {
  if (connect.sources.length === 0) {
    return html`Nothing is connected yet. Connect the school’s system, or set up an upload for
      the file its old system exported.`;
  }
  const names = connect.sources.map((source) => source.name);
  const arrived =
    connect.state === 'done'
      ? 'Data has arrived.'
      : connect.state === 'syncing'
        ? 'A run is reading its data now.'
        : connect.state === 'failed'
          ? 'Its last run failed.'
          : 'Nothing has arrived yet.';
  return html`${connect.sources.length === 1 ? 'Source' : 'Sources'}: ${names.join(', ')}.
    ${arrived}`;
}

function recentUploads(runs: readonly UploadRun[]): string {
  const items = runs.map(
    (run) => html`<li>
      <a href="/runs/${run.id}">${run.fileName ?? 'Upload'}</a>
      !${runStatusBadge(run.status)}
      <span class="muted">
        ${shortDateTime(run.queuedAt)} · ${plural(run.resultsSeen, 'result')} read
      </span>
    </li>`,
  );
  return html`<div>
    <h3 class="step-subhead">Latest uploads</h3>
    <ul class="run-list">
      !${items}
    </ul>
  </div>`;
}

function mapStep(view: OnboardingView): string {
  const { map, school } = view;
  if (!map.arrived) {
    return html`<p>There is nothing to map until the school’s results arrive.</p>`;
  }
  const waiting = map.assessmentsWaiting + map.valuesWaiting > 0;
  return html`<p>
      ${
        waiting
          ? `${plural(map.assessmentsWaiting, 'assessment')} ` +
            `${map.assessmentsWaiting === 1 ? 'waits' : 'wait'} for a trust subject, and ` +
            `${plural(map.valuesWaiting, 'local grade')} for a confirmed rule.`
          : 'Every assessment has a trust subject, and every local grade a confirmed rule.'
      }
    </p>
    <p>
      !${
        waiting
          ? html`<a class="button button-primary" href="/schools/${school.id}/unmapped"
              >Map them in unmapped values</a
            >`
          : html`<a href="/schools/${school.id}/unmapped">See unmapped values</a>`
      }
    </p>`;
}

function confirmStep(view: OnboardingView): string {
  const { confirm, school } = view;
  const total = confirm.schoolRules + confirm.libraryRules;
  if (total === 0) {
    return html`<p>
      No proposed rule is waiting. A subject leader confirms each rule that maps the school’s
      grades (6.1, 6.2).
    </p>`;
  }
  return html`<p>
      ${plural(total, 'proposed rule')} ${total === 1 ? 'waits' : 'wait'} for a subject leader
      to confirm ${total === 1 ? 'it' : 'them'} (6.1, 6.2).
    </p>
    <div class="button-row">
      !${
        confirm.schoolRules > 0
          ? html`<a class="button button-primary" href="/schools/${school.id}/rules"
              >Confirm the school’s rules (${confirm.schoolRules})</a
            >`
          : ''
      }
      !${
        confirm.libraryRules > 0
          ? html`<a class="button button-secondary" href="/rules/library"
              >Confirm library rules (${confirm.libraryRules})</a
            >`
          : ''
      }
    </div>`;
}

function landedStep(view: OnboardingView): string {
  const { baseline, landed } = view;
  if (baseline.kind === 'not_needed') {
    return html`<p>This school needs no baseline.</p>`;
  }
  if (baseline.kind === 'beyond_calendar' || !baseline.collection) {
    return html`<p>The baseline collection is set up once the calendar reaches it.</p>`;
  }
  const date = longDate(baseline.collection.date);
  if (landed.onRoll === 0) {
    return html`<p>
      No pupils are on roll on ${date}, the baseline collection date, yet: they arrive with the
      school’s data.
    </p>`;
  }
  return html`<p>
      Per subject: pupils with a baseline point, out of the
      ${plural(landed.onRoll, 'pupil')} on roll on ${date}. Each links to who is still missing.
    </p>
    <ul class="progress-list" aria-label="Baseline per subject">
      !${landed.cells.map(
        (cell) => html`<li class="progress-item">
          <h3>${cell.subject}</h3>
          !${progressCell(cell)}
        </li>`,
      )}
    </ul>`;
}
