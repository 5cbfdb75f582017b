import { html } from 'ghtml';
import { emptyState, type Option, pageHead, selectField, table } from './components.ts';
import { calendarDate, count, percent, plural } from './format.ts';
import {
  type CellState,
  type Health,
  healthBadge,
  lastGood,
  type ProgressCell,
  progressCell,
} from './status.ts';

export interface OverviewSchool {
  id: string;
  name: string;
  phase: string;
  health: Health;
  cells: ProgressCell[];
}

export interface OverviewView {
  collections: readonly Option[];
  collection: { id: number; label: string; date: string };
  subjects: readonly { id: number; name: string }[];
  schools: readonly OverviewSchool[];
  now: Date;
}

const ATTENTION: readonly CellState[] = ['needs mapping', 'needs confirmation'];

/** The trust overview: every school against every subject for one collection. */
export function overviewView(view: OverviewView): string {
  const cells = view.schools.flatMap((school) => school.cells);
  const landed = cells.reduce((sum, cell) => sum + cell.landed, 0);
  const expected = cells.reduce((sum, cell) => sum + cell.expected, 0);
  const attention = cells.filter((cell) => ATTENTION.includes(cell.state)).length;
  const failing = view.schools.filter((school) => school.health.state === 'failing').length;

  return html`!${pageHead({
    eyebrow: 'Trust overview',
    title: view.collection.label,
    lede:
      `Collection date ${calendarDate(view.collection.date)}. Each cell shows how many ` +
      'pupils on roll have a landed Next Steps point.',
  })}
    !${collectionPicker(view)}
    <ul class="stats" aria-label="Summary">
      <li class="stat">
        <span class="stat-value">${percent(landed, expected)}%</span>
        <span class="stat-label">
          of expected points landed (${count(landed)} of ${count(expected)})
        </span>
      </li>
      <li class="stat">
        <span class="stat-value">${count(attention)}</span>
        <span class="stat-label">school subjects waiting on mapping or confirmation</span>
      </li>
      <li class="stat">
        <span class="stat-value">${count(failing)}</span>
        <span class="stat-label">
          ${failing === 1 ? 'school' : 'schools'} with a failing sync
        </span>
      </li>
      <li class="stat">
        <span class="stat-value">${count(view.schools.length)}</span>
        <span class="stat-label">
          ${view.schools.length === 1 ? 'school' : 'schools'} in view
        </span>
      </li>
    </ul>
    !${
      view.schools.length === 0
        ? emptyState('No schools yet', 'A trust admin adds schools before their first sync.')
        : grid(view)
    }`;
}

function collectionPicker(view: OverviewView): string {
  return html`<form class="toolbar" method="get" action="/" hx-get="/" hx-target="#main"
    hx-push-url="true">
    !${selectField({
      id: 'collection',
      name: 'collection',
      label: 'Collection',
      choices: view.collections,
      selected: String(view.collection.id),
    })}
    <button type="submit" class="button button-secondary">Show</button>
  </form>`;
}

function grid(view: OverviewView): string {
  const columns = [
    { label: 'School' },
    { label: 'Sync health' },
    ...view.subjects.map((subject) => ({ label: subject.name })),
  ];
  const rows = view.schools.map(
    (school) => html`<tr>
      <th scope="row">
        <a href="/schools/${school.id}">${school.name}</a>
        <span class="muted block">${school.phase}</span>
      </th>
      <td>
        !${healthBadge(school.health)}
        <span class="muted block">${lastGood(school.health, view.now)}</span>
        !${school.health.syncing ? html`<span class="muted block">Syncing now</span>` : ''}
      </td>
      !${school.cells.map((cell) => html`<td>!${progressCell(cell)}</td>`)}
    </tr>`,
  );
  return html`<section aria-labelledby="grid-title">
    <h2 id="grid-title">Schools and subjects</h2>
    <p class="muted">
      ${plural(view.schools.length, 'school')} × ${plural(view.subjects.length, 'subject')}.
      Select a share to see who is missing and why.
    </p>
    !${table(`Collection progress, ${view.collection.label}`, columns, rows)}
  </section>`;
}
