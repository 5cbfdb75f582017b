import { html } from 'ghtml';
import {
  breadcrumbs,
  type Crumb,
  emptyState,
  type Option,
  pageHead,
  selectField,
  table,
} from './components.ts';
import { calendarDate, count, plural } from './format.ts';

export interface MissingRow {
  pupilId: string;
  name: string;
  upn: string | null;
  ncYear: string | null;
  reason: string;
  detail: string | null;
  /** Where to put it right, when a person can. */
  fix: { href: string; label: string } | null;
}

export interface ExcludedRow {
  pupilId: string;
  name: string;
  upn: string | null;
  ncYear: string | null;
  reason: string;
  on: string | null;
}

export interface MissingView {
  crumbs: Crumb[];
  school: { id: string; name: string };
  collections: readonly Option[];
  subjects: readonly Option[];
  collection: { id: number; label: string; date: string };
  subject: { id: number; name: string };
  /** The page of the list shown. */
  missing: MissingRow[];
  /** Everyone with no point yet, on every page. */
  total: number;
  /** How many have each reason, each linking to the list of just them. */
  reasons: { text: string; count: number; href: string; chosen: boolean }[];
  /** The whole list again when it is filtered by a reason. */
  allHref: string | null;
  paging: { from: number; to: number; previousHref: string | null; nextHref: string | null };
  excluded: ExcludedRow[];
  csvHref: string;
}

/** Who has no point yet and why, and who is left out of the collection and why. */
export function missingView(view: MissingView): string {
  const action = `/schools/${view.school.id}/missing`;
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: view.school.name,
      title: `Missing pupils: ${view.subject.name}`,
      lede:
        `${view.collection.label}, collection date ${calendarDate(view.collection.date)}. ` +
        'Nobody is left out of a figure without a reason shown here.',
      actions: html`<a class="button button-secondary" href="${view.csvHref}" download
        >Download CSV</a
      >`,
    })}
    <form class="toolbar" method="get" action="${action}" hx-get="${action}" hx-target="#main"
      hx-push-url="true">
      !${selectField({
        id: 'collection',
        name: 'collection',
        label: 'Collection',
        choices: view.collections,
        selected: String(view.collection.id),
      })}
      !${selectField({
        id: 'subject',
        name: 'subject',
        label: 'Subject',
        choices: view.subjects,
        selected: String(view.subject.id),
      })}
      <button type="submit" class="button button-secondary">Show</button>
    </form>
    <section class="section" aria-labelledby="missing-title">
      <h2 id="missing-title">No point yet (${plural(view.total, 'pupil')})</h2>
      !${
        view.total === 0
          ? emptyState('Nobody is missing', `Every pupil on roll has a ${view.subject.name} point.`)
          : html`!${reasonList(view)} !${pagingNav(view)}
              !${
                view.missing.length === 0
                  ? emptyState('Nobody for that reason', 'Choose another reason above.')
                  : missingTable(view)
              }
              !${pagingNav(view)}`
      }
    </section>
    <section class="section" aria-labelledby="excluded-title">
      <h2 id="excluded-title">Not expected in this collection (${view.excluded.length})</h2>
      !${
        view.excluded.length === 0
          ? emptyState('Nobody is left out', 'Every pupil of the school was on roll on the day.')
          : excludedTable(view)
      }
    </section>`;
}

function reasonList(view: MissingView): string {
  const items = view.reasons.map(
    (reason) => html`<li>
      !${
        reason.chosen
          ? html`<strong aria-current="true">${reason.text}</strong>`
          : html`<a href="${reason.href}">${reason.text}</a>`
      }
      <span class="muted">(${plural(reason.count, 'pupil')})</span>
    </li>`,
  );
  return html`<ul class="reasons" aria-label="Why, and how many">
    !${items.join('')}
    !${view.allHref ? html`<li><a href="${view.allHref}">Everyone with no point</a></li>` : ''}
  </ul>`;
}

function pagingNav(view: MissingView): string {
  const { paging } = view;
  if (!paging.previousHref && !paging.nextHref) return '';
  return html`<nav class="paging" aria-label="Pages of the list">
    <span>Pupils ${count(paging.from)} to ${count(paging.to)} of ${count(listTotal(view))}</span>
    !${paging.previousHref ? html`<a href="${paging.previousHref}">Previous page</a>` : ''}
    !${paging.nextHref ? html`<a href="${paging.nextHref}">Next page</a>` : ''}
  </nav>`;
}

/** How many the list shown holds: everyone, or those with the reason chosen. */
function listTotal(view: MissingView): number {
  return view.reasons.find((reason) => reason.chosen)?.count ?? view.total;
}

function missingTable(view: MissingView): string {
  const rows = view.missing.map(
    (pupil) => html`<tr>
      <th scope="row"><a href="/pupils/${pupil.pupilId}">${pupil.name}</a></th>
      <td><code>${pupil.upn ?? '–'}</code></td>
      <td>${pupil.ncYear ?? '–'}</td>
      <td>${pupil.reason}</td>
      <td>
        ${pupil.detail ?? ''}
        !${pupil.fix ? html`<a class="block" href="${pupil.fix.href}">${pupil.fix.label}</a>` : ''}
      </td>
    </tr>`,
  );
  return table(
    `Pupils with no ${view.subject.name} point`,
    [
      { label: 'Pupil' },
      { label: 'UPN' },
      { label: 'Year' },
      { label: 'Why' },
      { label: 'Detail' },
    ],
    rows,
  );
}

function excludedTable(view: MissingView): string {
  const rows = view.excluded.map(
    (pupil) => html`<tr>
      <th scope="row"><a href="/pupils/${pupil.pupilId}">${pupil.name}</a></th>
      <td><code>${pupil.upn ?? '–'}</code></td>
      <td>${pupil.ncYear ?? '–'}</td>
      <td>${pupil.reason}</td>
      <td>${calendarDate(pupil.on)}</td>
    </tr>`,
  );
  return table(
    'Pupils not expected in this collection',
    [{ label: 'Pupil' }, { label: 'UPN' }, { label: 'Year' }, { label: 'Why' }, { label: 'On' }],
    rows,
  );
}
