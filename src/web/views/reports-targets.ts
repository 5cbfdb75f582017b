import { html } from 'ghtml';
import type { SubjectRef } from '../../reports/attainment.ts';
import { OUTCOME_YEARS, PHONICS_YEAR, PROJECTION_TEXT } from '../../reports/targets.ts';
import {
  breadcrumbs,
  type Crumb,
  csrfField,
  emptyState,
  notice,
  type Option,
  options,
  pageHead,
} from './components.ts';
import { calendarDate, count, plural } from './format.ts';
import { type HeadCell, reportTable } from './reports-tables.ts';

/**
 * Where a school enters its most likely outcomes (Y2, Y4, Y6) and phonics projections (Y1) for
 * a school year, at the end of autumn half term 1 (5.1.4): a form of its pupils, or a CSV of the
 * same columns. Each pupil's latest point is shown beside, to help the judgement.
 */

export interface TargetFormPupil {
  pupilId: string;
  name: string;
  upn: string | null;
  year: string;
  outcomes: Record<number, string>;
  phonics: string | null;
  /** The pupil's latest point by subject, this school year. */
  latest: Record<number, string>;
}

export interface TargetsPageView {
  crumbs: Crumb[];
  stylesheet: string;
  school: { id: string; name: string };
  year: { startYear: number; label: string };
  dueOn: string | null;
  subjects: readonly SubjectRef[];
  points: readonly Option[];
  pupils: readonly TargetFormPupil[];
  canEdit: boolean;
  csrf: string;
  saved: { set: number; changed: number; cleared: number } | null;
  problems: readonly string[];
  action: string;
  uploadAction: string;
  templateHref: string;
  reportHref: string;
}

export function targetsPage(view: TargetsPageView): string {
  const due = view.dueOn
    ? ` They are due at the end of autumn half term 1, ${calendarDate(view.dueOn)}.`
    : '';
  return html`<link rel="stylesheet" href="${view.stylesheet}" />
    !${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: `${view.school.name} · ${view.year.label}`,
      title: 'Most likely outcomes and phonics projections',
      lede:
        'A most likely outcome per subject for each pupil in Y2, Y4 and Y6, and a projection ' +
        `for the Y1 phonics screening check (5.1.4).${due} They are reviewed in December, ` +
        'March and July (5.1.5).',
      actions: html`<a class="button button-secondary" href="${view.reportHref}"
        >See them beside attainment</a
      >`,
    })}
    !${messages(view)}
    !${
      view.pupils.length === 0
        ? emptyState('No pupils in Y1, Y2, Y4 or Y6', 'No pupil on roll needs a target this year.')
        : html`!${form(view)} !${view.canEdit ? upload(view) : ''}`
    }`;
}

function messages(view: TargetsPageView): string {
  if (view.problems.length > 0) {
    return notice(
      'bad',
      html`<h2>Nothing was saved</h2>
        <p>Put these right and save again:</p>
        <ul class="problems">!${view.problems.map((problem) => html`<li>${problem}</li>`)}</ul>`,
    );
  }
  if (!view.saved) return '';
  const { set, changed, cleared } = view.saved;
  return notice(
    'good',
    html`<p>
      Saved: ${plural(set, 'target')} set, ${count(changed)} changed, ${count(cleared)} cleared.
      Every change is in the audit log.
    </p>`,
  );
}

function form(view: TargetsPageView): string {
  const head: HeadCell[] = [
    { label: 'Pupil' },
    { label: 'Year' },
    ...view.subjects.map((subject) => ({ label: `${subject.name}: most likely outcome` })),
    { label: 'Phonics projection' },
  ];
  const rows = view.pupils.map((pupil) => row(view, pupil));
  const table = reportTable(
    `Pupils in Y1, Y2, Y4 and Y6 on roll (${count(view.pupils.length)}).`,
    [head],
    rows,
  );
  if (!view.canEdit) {
    return html`<p class="muted">Only the school's data lead or a trust admin enters targets.</p>
      ${''}!${table}`;
  }
  return html`<form class="targets-form" method="post" action="${view.action}">
    !${csrfField(view.csrf)}
    <input type="hidden" name="year" value="${String(view.year.startYear)}" />
    !${table}
    <div class="button-row">
      <button type="submit" class="button button-primary">Save targets</button>
      <span class="muted">A blank choice clears that target.</span>
    </div>
  </form>`;
}

function row(view: TargetsPageView, pupil: TargetFormPupil): string {
  const outcomeCells = view.subjects.map((subject) => {
    if (!OUTCOME_YEARS.includes(pupil.year)) return html`<td class="muted">–</td>`;
    const id = `t-${pupil.pupilId}-${subject.id}`;
    const latest = pupil.latest[subject.id];
    return html`<td>
      <label class="visually-hidden" for="${id}">${subject.name} for ${pupil.name}</label>
      !${select(
        view,
        id,
        `t.${pupil.pupilId}.${subject.id}`,
        view.points,
        pupil.outcomes[subject.id] ?? '',
      )}
      <span class="muted block">${latest ? `Now ${latest}` : 'No point yet'}</span>
    </td>`;
  });
  const phonics =
    pupil.year === PHONICS_YEAR
      ? html`<td>
          <label class="visually-hidden" for="p-${pupil.pupilId}">Phonics for ${pupil.name}</label>
          !${select(
            view,
            `p-${pupil.pupilId}`,
            `t.${pupil.pupilId}.phonics`,
            Object.entries(PROJECTION_TEXT).map(([value, label]) => ({ value, label })),
            pupil.phonics ?? '',
          )}
        </td>`
      : html`<td class="muted">–</td>`;
  return html`<tr>
    <th scope="row">
      ${pupil.name}<span class="muted block"><code>${pupil.upn ?? '–'}</code></span>
    </th>
    <td>${pupil.year}</td>
    !${outcomeCells} !${phonics}
  </tr>`;
}

function select(
  view: TargetsPageView,
  id: string,
  name: string,
  choices: readonly Option[],
  selected: string,
): string {
  if (!view.canEdit) {
    const label = choices.find((choice) => choice.value === selected)?.label;
    return html`<strong>${label ?? 'not set'}</strong>`;
  }
  return html`<select id="${id}" name="${name}">
    <option value="">not set</option>
    !${options(choices, selected)}
  </select>`;
}

function upload(view: TargetsPageView): string {
  return html`<section class="section card stack" aria-labelledby="targets-upload-title">
    <h2 id="targets-upload-title">Or upload a CSV</h2>
    <p>
      The template lists these pupils with their targets so far: a column per subject (an NX
      code such as NX7) and one for the phonics projection ("Expected to pass" or "Not expected
      to pass"). A blank cell clears that target; a column left out changes nothing. Pupils are
      matched by UPN.
    </p>
    <p><a class="button button-secondary" href="${view.templateHref}" download
      >Download the template (CSV)</a></p>
    <form method="post" action="${view.uploadAction}" enctype="multipart/form-data"
      hx-post="${view.uploadAction}" hx-encoding="multipart/form-data" hx-target="#main">
      !${csrfField(view.csrf)}
      <div class="field">
        <label for="targets-file">Targets file</label>
        <p class="hint" id="targets-file-hint">CSV, one row per pupil. Nothing is saved unless
          every row can be.</p>
        <input type="file" id="targets-file" name="file" accept=".csv,text/csv" required
          aria-describedby="targets-file-hint" />
      </div>
      <div class="button-row">
        <button type="submit" class="button button-primary">Upload targets</button>
      </div>
    </form>
  </section>`;
}
