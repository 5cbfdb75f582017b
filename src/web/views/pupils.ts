import { html } from 'ghtml';
import { type LinePoint, pointsLine } from './chart.ts';
import {
  breadcrumbs,
  type Crumb,
  emptyState,
  facts,
  type Option,
  pageHead,
  selectField,
  table,
} from './components.ts';
import { calendarDate, shortDate } from './format.ts';

export interface PupilHit {
  id: string;
  name: string;
  upn: string | null;
  ncYear: string | null;
  school: string;
}

export interface PupilSearchView {
  query: string;
  schools: readonly Option[];
  school: string;
  hits: PupilHit[] | null;
  /** The search stops at this many. */
  limit: number;
}

/** Finding a pupil by name or UPN among the schools you can see. */
export function pupilSearchView(view: PupilSearchView): string {
  return html`!${pageHead({
    title: 'Pupils',
    lede: 'Find a pupil by name or UPN to see their Next Steps points and where each came from.',
  })}
    <form class="toolbar card" method="get" action="/pupils" role="search" hx-get="/pupils"
      hx-target="#main" hx-push-url="true">
      <div class="field">
        <label for="q">Name or UPN</label>
        <input id="q" name="q" type="search" value="${view.query}" autocomplete="off"
          minlength="2" />
      </div>
      !${
        view.schools.length > 1
          ? selectField({
              id: 'school',
              name: 'school',
              label: 'School',
              choices: view.schools,
              selected: view.school,
            })
          : ''
      }
      <button type="submit" class="button button-primary">Search</button>
    </form>
    !${results(view)}`;
}

function results(view: PupilSearchView): string {
  if (view.hits === null) return '';
  if (view.hits.length === 0) {
    return emptyState('No pupils found', 'Check the spelling, or search by UPN.');
  }
  const rows = view.hits.map(
    (hit) => html`<tr>
      <th scope="row"><a href="/pupils/${hit.id}">${hit.name}</a></th>
      <td><code>${hit.upn ?? '–'}</code></td>
      <td>${hit.ncYear ?? '–'}</td>
      <td>${hit.school}</td>
    </tr>`,
  );
  const capped =
    view.hits.length >= view.limit
      ? html`<p class="muted">Showing the first ${view.limit}; narrow the search to see more.</p>`
      : '';
  return html`<section class="section" aria-labelledby="hits-title">
    <h2 id="hits-title">Pupils found</h2>
    !${table(
      'Pupils found',
      [{ label: 'Pupil' }, { label: 'UPN' }, { label: 'Year' }, { label: 'School' }],
      rows,
    )}
    !${capped}
  </section>`;
}

export interface PupilPoint {
  collection: string;
  collectionDate: string;
  subject: string;
  code: string;
  position: number;
  rawValue: string;
  source: { id: string; name: string } | null;
  rule: { ruleKey: string; version: number } | null;
  runId: string | null;
  assessedOn: string | null;
}

export interface PupilView {
  crumbs: Crumb[];
  pupil: {
    name: string;
    upn: string | null;
    ncYear: string | null;
    dateOfBirth: string | null;
    senStatus: string | null;
    onRollFrom: string | null;
    onRollTo: string | null;
  };
  school: { id: string; name: string };
  subjects: readonly string[];
  /** Oldest first; `short` labels the chart's axis ("Aut 26/27"). */
  collections: readonly { label: string; short: string }[];
  points: PupilPoint[];
  scaleTop: number;
}

const SEN: Record<string, string> = { N: 'None', K: 'SEN support', E: 'EHC plan' };

/** A pupil's Next Steps points over time, each with where it came from. */
export function pupilView(view: PupilView): string {
  const { pupil } = view;
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({ eyebrow: view.school.name, title: pupil.name })}
    <div class="card">
      !${facts([
        ['UPN', html`<code>${pupil.upn ?? '–'}</code>`],
        ['Year group', html`${pupil.ncYear ?? '–'}`],
        ['Date of birth', html`${calendarDate(pupil.dateOfBirth)}`],
        ['SEN', html`${pupil.senStatus ? (SEN[pupil.senStatus] ?? pupil.senStatus) : '–'}`],
        ['On roll', html`${onRoll(pupil.onRollFrom, pupil.onRollTo)}`],
      ])}
    </div>
    <section class="section" aria-labelledby="points-title">
      <h2 id="points-title">Next Steps points</h2>
      !${
        view.points.length === 0
          ? emptyState('No points yet', 'A point appears once a result lands through a rule.')
          : html`<div class="line-charts">
              !${view.subjects.map((subject) => subjectLine(subject, view))}
            </div>
            !${pointsTable(view.points)}`
      }
    </section>`;
}

function onRoll(from: string | null, to: string | null): string {
  if (to)
    return from ? `${calendarDate(from)} to ${calendarDate(to)}` : `Until ${calendarDate(to)}`;
  return from ? `Since ${calendarDate(from)}` : 'Yes';
}

function subjectLine(subject: string, view: PupilView): string {
  const points: LinePoint[] = view.collections.map((collection) => {
    const found = view.points.find(
      (point) => point.subject === subject && point.collection === collection.label,
    );
    return {
      label: collection.short,
      position: found?.position ?? null,
      code: found?.code ?? null,
    };
  });
  return html`<figure class="card line-card">
    <figcaption><strong>${subject}</strong></figcaption>
    !${pointsLine(subject, points, view.scaleTop)}
  </figure>`;
}

function pointsTable(points: readonly PupilPoint[]): string {
  const rows = points.map(
    (point) => html`<tr>
      <th scope="row">${point.collection}</th>
      <td>${point.subject}</td>
      <td><strong>${point.code}</strong></td>
      <td><code class="grade">${point.rawValue}</code></td>
      <td>
        !${
          point.source ? html`<a href="/sources/${point.source.id}">${point.source.name}</a>` : '–'
        }
      </td>
      <td>
        !${
          point.rule
            ? html`<a href="/rules/${point.rule.ruleKey}">version ${point.rule.version}</a>`
            : '–'
        }
      </td>
      <td>!${point.runId ? html`<a href="/runs/${point.runId}">Run log</a>` : '–'}</td>
      <td>${point.assessedOn ? shortDate(point.assessedOn) : '–'}</td>
    </tr>`,
  );
  return table(
    'Points by collection and subject, with where each came from',
    [
      { label: 'Collection' },
      { label: 'Subject' },
      { label: 'Point' },
      { label: 'Local value' },
      { label: 'Source' },
      { label: 'Rule' },
      { label: 'Run' },
      { label: 'Assessed' },
    ],
    rows,
  );
}
