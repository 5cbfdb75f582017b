import { html } from 'ghtml';
import {
  breadcrumbs,
  type Crumb,
  emptyState,
  notice,
  type Option,
  pageHead,
  selectField,
  table,
} from './components.ts';
import { count, plural, schedule, shortDateTime } from './format.ts';
import { type Health, healthSummary, type ProgressCell, progressCell } from './status.ts';

export interface SchoolSource {
  id: string;
  name: string;
  kindLabel: string;
  transport: 'api' | 'file';
  schedule: string | null;
  health: Health;
  lastRunAt: Date | null;
}

export interface SchoolView {
  crumbs: Crumb[];
  school: { id: string; name: string; urn: string; phase: string };
  collections: readonly Option[];
  collection: { id: number; label: string; date: string };
  cells: ProgressCell[];
  sources: SchoolSource[];
  unmappedValues: number;
  pendingDecisions: number;
  /** Results two sources gave for one pupil, subject and collection, waiting for review. */
  openConflicts: number;
  pupilsOnRoll: number;
  canManage: boolean;
  /** A newly converted school's guided path, while its baseline has not landed (8.3). */
  onboarding: { href: string; text: string } | null;
  now: Date;
}

/** A school's page: its sources and their health, and this collection's progress. */
export function schoolView(view: SchoolView): string {
  const { school } = view;
  const actions = view.canManage
    ? html`<a class="button button-primary" href="/schools/${school.id}/uploads"
          >Upload a return</a
        >
        <a class="button button-secondary" href="/schools/${school.id}/sources/new"
          >Add a source</a
        >`
    : '';
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: `URN ${school.urn} · ${school.phase}`,
      title: school.name,
      lede: `${plural(view.pupilsOnRoll, 'pupil')} on roll for ${view.collection.label}.`,
      actions,
    })}
    !${view.onboarding ? onboardingNotice(view.onboarding) : ''}
    <ul class="link-cards" aria-label="Work for this school">
      !${linkCard(
        `/schools/${school.id}/unmapped`,
        'Unmapped values',
        `${count(view.unmappedValues)} local ${view.unmappedValues === 1 ? 'grade' : 'grades'} ` +
          `no rule maps yet; ${count(view.pendingDecisions)} waiting for a decision`,
      )}
      !${linkCard(
        `/schools/${school.id}/missing?collection=${view.collection.id}`,
        'Missing pupils',
        'Who has no point yet, and why',
      )}
      !${linkCard(
        `/schools/${school.id}/conflicts`,
        'Conflicting results',
        view.openConflicts === 0
          ? 'No two sources disagree'
          : `${plural(view.openConflicts, 'result')} two sources disagree on, to review`,
      )}
      !${linkCard(`/schools/${school.id}/rules`, 'Mapping rules', 'Confirmed and proposed rules')}
      !${linkCard(`/schools/${school.id}/uploads`, 'Uploads', 'Termly returns and the template')}
      !${linkCard(`/pupils?school=${school.id}`, 'Pupils', 'Find a pupil and their points')}
    </ul>
    <section aria-labelledby="progress-title" class="section">
      <div class="section-head">
        <h2 id="progress-title">Collection progress</h2>
        !${collectionPicker(view)}
      </div>
      <ul class="progress-list">
        !${view.cells.map(
          (cell) => html`<li class="card progress-item">
            <h3>${cell.subject}</h3>
            !${progressCell(cell)}
          </li>`,
        )}
      </ul>
    </section>
    <section aria-labelledby="sources-title" class="section">
      <h2 id="sources-title">Sources</h2>
      !${
        view.sources.length === 0
          ? emptyState(
              'No sources yet',
              'Add a source to pull from the school system, or a spreadsheet source for uploads.',
            )
          : sourcesTable(view)
      }
    </section>`;
}

function onboardingNotice(onboarding: { href: string; text: string }): string {
  return notice(
    'info',
    html`<p>
      <strong>Newly converted:</strong> ${onboarding.text}.
      <a href="${onboarding.href}">Follow its onboarding steps</a>
    </p>`,
  );
}

function linkCard(href: string, title: string, text: string): string {
  return html`<li>
    <a class="link-card" href="${href}">
      <span class="link-card-title">${title}</span>
      <span class="link-card-text">${text}</span>
    </a>
  </li>`;
}

function collectionPicker(view: SchoolView): string {
  const action = `/schools/${view.school.id}`;
  return html`<form class="toolbar" method="get" action="${action}" hx-get="${action}"
    hx-target="#main" hx-push-url="true">
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

function sourcesTable(view: SchoolView): string {
  const rows = view.sources.map(
    (source) => html`<tr>
      <th scope="row"><a href="/sources/${source.id}">${source.name}</a></th>
      <td>${source.kindLabel}</td>
      <td>!${healthSummary(source.health, view.now)}</td>
      <td>${shortDateTime(source.lastRunAt)}</td>
      <td>${source.transport === 'file' ? 'Uploaded by the school' : schedule(source.schedule)}</td>
    </tr>`,
  );
  return table(
    `Sources of ${view.school.name}`,
    [
      { label: 'Source' },
      { label: 'Kind' },
      { label: 'Health' },
      { label: 'Last run' },
      { label: 'Schedule' },
    ],
    rows,
  );
}
