import { html } from 'ghtml';
import {
  breadcrumbs,
  type Crumb,
  csrfField,
  emptyState,
  notice,
  type Option,
  options,
  pageHead,
  table,
} from './components.ts';
import { count, shortDateTime } from './format.ts';
import { runStatusBadge } from './status.ts';

export interface UploadSource {
  id: string;
  name: string;
  kindLabel: string;
  /** What the file input accepts: ".csv,.xlsx". */
  accept: string;
  /** The same in words: "CSV or XLSX". */
  formats: string;
  error: string | null;
}

export interface UploadRun {
  id: string;
  queuedAt: Date;
  sourceName: string;
  fileName: string | null;
  status: string;
  resultsSeen: number;
  resultsLanded: number;
  problems: number;
}

/** What an upload form needs besides its source. */
export interface UploadFormContext {
  collections: readonly Option[];
  canUpload: boolean;
  csrf: string;
  maxMegabytes: number;
  /** The collection the form chooses: a new school's baseline, or what was sent last. */
  selectedCollection?: string | null;
}

export interface UploadView extends UploadFormContext {
  crumbs: Crumb[];
  school: { id: string; name: string };
  sources: UploadSource[];
  runs: UploadRun[];
}

/** Where a school uploads its termly return, and downloads the trust's template. */
export function uploadView(view: UploadView): string {
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: view.school.name,
      title: 'Uploads',
      lede:
        'Where a school system cannot be reached, the school fills in the trust template each ' +
        'term and uploads it here (Appendix 3, section 7).',
    })}
    <section class="section card" aria-labelledby="template-title">
      <h2 id="template-title">The trust template</h2>
      <p>
        One row per pupil, a column per subject. The XLSX has drop-down lists and a Notes sheet
        that explains every column.
      </p>
      <div class="button-row">
        <a class="button button-secondary" href="/template/return.xlsx" download
          >Download the template (XLSX)</a
        >
        <a class="button button-secondary" href="/template/return.csv" download
          >Download the template (CSV)</a
        >
      </div>
    </section>
    <section class="section" aria-labelledby="upload-title">
      <h2 id="upload-title">Upload a return</h2>
      !${
        view.sources.length === 0
          ? emptyState(
              'No upload source',
              'A data lead adds a spreadsheet source to the school before the first upload.',
            )
          : view.sources.map((source) => uploadForm(source, view))
      }
    </section>
    <section class="section" aria-labelledby="recent-title">
      <h2 id="recent-title">Recent uploads</h2>
      !${
        view.runs.length === 0
          ? emptyState('No uploads yet', 'Each upload is checked and its result shown here.')
          : recentTable(view.runs)
      }
    </section>`;
}

/** One source's upload form; an htmx answer replaces it with its error in place. */
export function uploadForm(source: UploadSource, view: UploadFormContext): string {
  const action = `/sources/${source.id}/uploads`;
  if (!view.canUpload) {
    return html`<p class="muted">Only the school's data lead or a trust admin uploads files.</p>`;
  }
  return html`<form class="card stack upload-form" method="post" action="${action}"
    enctype="multipart/form-data" hx-post="${action}" hx-encoding="multipart/form-data"
    hx-target="this" hx-swap="outerHTML">
    !${csrfField(view.csrf)}
    <h3>${source.name} <span class="muted">${source.kindLabel}</span></h3>
    !${source.error ? notice('bad', html`<p>${source.error}</p>`) : ''}
    <div class="field">
      <label for="collection-${source.id}">Land results in</label>
      <select id="collection-${source.id}" name="collectionId">
        <option value="">The collection each row's date or term says</option>
        !${options(view.collections, view.selectedCollection ?? null)}
      </select>
    </div>
    <div class="field ${source.error ? 'field-error' : ''}">
      <label for="file-${source.id}">Return file</label>
      <p class="hint" id="file-${source.id}-hint">
        ${source.formats}, up to ${view.maxMegabytes} MB. Re-uploading the same file changes
        nothing.
      </p>
      <input type="file" id="file-${source.id}" name="file" accept="${source.accept}" required
        aria-describedby="file-${source.id}-hint" />
    </div>
    <div class="button-row">
      <button type="submit" class="button button-primary">Upload and check</button>
    </div>
  </form>`;
}

function recentTable(runs: readonly UploadRun[]): string {
  const rows = runs.map(
    (run) => html`<tr>
      <th scope="row"><a href="/runs/${run.id}">${shortDateTime(run.queuedAt)}</a></th>
      <td>${run.fileName ?? '–'}</td>
      <td>${run.sourceName}</td>
      <td>!${runStatusBadge(run.status)}</td>
      <td class="num">${count(run.resultsSeen)}</td>
      <td class="num">${count(run.resultsLanded)}</td>
      <td class="num">${count(run.problems)}</td>
    </tr>`,
  );
  return table(
    'Recent uploads, newest first',
    [
      { label: 'Uploaded' },
      { label: 'File' },
      { label: 'Source' },
      { label: 'Status' },
      { label: 'Results', numeric: true },
      { label: 'Landed', numeric: true },
      { label: 'Problems', numeric: true },
    ],
    rows,
  );
}
