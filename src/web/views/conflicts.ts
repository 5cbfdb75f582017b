import { html } from 'ghtml';
import type { Conflict, ConflictStatus } from '../../sync/conflicts.ts';
import {
  badge,
  breadcrumbs,
  type Crumb,
  csrfField,
  emptyState,
  notice,
  pageHead,
  textAreaField,
} from './components.ts';
import { calendarDate, dateTime, plural } from './format.ts';

/**
 * Results two sources gave for one pupil, subject and collection: which one landed and why, side
 * by side, with a note from whoever reviewed it. The stated rule decides; a person checks it.
 */

export interface ConflictsView {
  crumbs: Crumb[];
  school: { id: string; name: string };
  status: ConflictStatus;
  conflicts: readonly Conflict[];
  /** Ids of the conflicts this reader may mark reviewed. */
  reviewable: ReadonlySet<number>;
  csrf: string;
}

const TABS: { status: ConflictStatus; label: string }[] = [
  { status: 'open', label: 'Waiting for review' },
  { status: 'reviewed', label: 'Reviewed' },
  { status: 'all', label: 'All' },
];

export function conflictsView(view: ConflictsView): string {
  const base = `/schools/${view.school.id}/conflicts`;
  const tabs = TABS.map(
    (tab) => html`<a class="tab" href="${base}?status=${tab.status}"
      !${tab.status === view.status ? 'aria-current="page"' : ''}>${tab.label}</a>`,
  );
  const list =
    view.conflicts.length === 0
      ? emptyState(
          view.status === 'open' ? 'No conflicts wait for review.' : 'No conflicts here.',
          'A conflict is listed when two sources give a result for the same pupil, subject ' +
            'and collection.',
        )
      : html`<ol class="conflict-list">
          !${view.conflicts.map((conflict) =>
            conflictItem(conflict, view.reviewable.has(conflict.id), view.csrf),
          )}
        </ol>`;
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: view.school.name,
      title: 'Conflicting results',
      lede:
        'Where two sources give a result for the same pupil, subject and collection, the one ' +
        'assessed later lands (then the one its source changed later). Check each pair; to ' +
        'keep the other value, correct or remove the result in the source that is wrong.',
    })}
    <nav class="tabs" aria-label="Conflicts">!${tabs}</nav>
    <p class="muted">${plural(view.conflicts.length, 'conflict')} listed.</p>
    !${list}`;
}

/** One conflict; `error` is the reviewer's problem with a note that could not be saved. */
export function conflictItem(
  conflict: Conflict,
  reviewable: boolean,
  csrf: string,
  error: string | null = null,
): string {
  const id = `conflict-${conflict.id}`;
  return html`<li class="conflict-item card" id="${id}">
    <h2 class="conflict-title">
      <a href="/pupils/${conflict.pupil.id}">${conflict.pupil.name}</a>
      <span class="muted">${conflict.subject.name}, ${conflict.collection.label}</span>
    </h2>
    <dl class="conflict-sides">
      !${side('Landed', conflict.kept, conflict.landed?.fromKept === true)}
      !${side('Not landed', conflict.other, false)}
    </dl>
    <p class="muted">
      ${conflict.reason} Listed ${dateTime(conflict.detectedAt)}.
      !${landedText(conflict)}
    </p>
    !${reviewPart(conflict, reviewable, csrf, error)}
  </li>`;
}

function side(label: string, value: Conflict['kept'], standing: boolean): string {
  const withdrawn = value.retracted ? badge('withdrawn by its source', 'warn') : '';
  return html`<div class="conflict-side">
    <dt>${label}</dt>
    <dd>
      <strong>${value.rawValue}</strong> from ${value.source}, assessed
      ${value.assessedOn ? calendarDate(value.assessedOn) : 'on a date the source did not give'}
      !${standing ? badge('stands now', 'good') : ''} !${withdrawn}
    </dd>
  </div>`;
}

function landedText(conflict: Conflict): string {
  if (!conflict.landed) return html`No point stands now for this pupil and subject.`;
  if (conflict.landed.fromKept) return html`The landed point is ${conflict.landed.code}.`;
  return html`A later sync has changed the landed point to ${conflict.landed.code}.`;
}

function reviewPart(
  conflict: Conflict,
  reviewable: boolean,
  csrf: string,
  error: string | null,
): string {
  if (conflict.review) {
    return notice(
      'good',
      html`<p>Reviewed by ${conflict.review.by}, ${dateTime(conflict.review.at)}:
        “${conflict.review.note}”</p>`,
    );
  }
  if (!reviewable) {
    return html`<p class="muted">
      The school's data lead or its subject leader for ${conflict.subject.name} reviews this.
    </p>`;
  }
  const action = `/conflicts/${conflict.id}/review`;
  return html`<form method="post" action="${action}" hx-post="${action}"
    hx-target="#conflict-${conflict.id}" hx-swap="outerHTML">
    !${csrfField(csrf)}
    !${textAreaField({
      id: `note-${conflict.id}`,
      name: 'note',
      label: 'Why the landed result stands',
      hint: 'For example: “Teacher assessment replaces the test score.” Up to 500 characters.',
      rows: 2,
      error,
    })}
    <button type="submit" class="button button-secondary">Mark reviewed</button>
  </form>`;
}
