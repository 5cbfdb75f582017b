import { html } from 'ghtml';

/**
 * The console's small parts. Every one returns escaped HTML; a part that takes another part's
 * output says so in its parameter's name (`body`, `cells`, `rows`) and takes only `html` output.
 */

/** How a badge reads at a glance; its words always carry the meaning, never the colour alone. */
export type Tone = 'good' | 'warn' | 'bad' | 'info' | 'action' | 'neutral';

const TONE_MARK: Record<Tone, string> = {
  good: '✓',
  warn: '!',
  bad: '✕',
  info: '↻',
  action: '?',
  neutral: '○',
};

export function badge(text: string, tone: Tone): string {
  return html`<span class="badge badge-${tone}"
    ><span class="badge-mark" aria-hidden="true">${TONE_MARK[tone]}</span> ${text}</span
  >`;
}

export function csrfField(token: string): string {
  return html`<input type="hidden" name="_csrf" value="${token}" />`;
}

export interface Column {
  label: string;
  /** Right-aligned, for counts. */
  numeric?: boolean;
  /** Read by screen readers only. */
  hidden?: boolean;
}

/** A table that scrolls sideways inside its own box on a narrow screen, never the page. */
export function table(caption: string, columns: readonly Column[], rows: readonly string[]) {
  const head = columns.map(
    (column) =>
      html`<th scope="col" class="${column.numeric ? 'num' : ''}"
        >${column.hidden ? '' : column.label}!${
          column.hidden ? html`<span class="visually-hidden">${column.label}</span>` : ''
        }</th
      >`,
  );
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0">
    <table>
      <caption class="visually-hidden">
        ${caption}
      </caption>
      <thead>
        <tr>
          !${head}
        </tr>
      </thead>
      <tbody>
        !${rows}
      </tbody>
    </table>
  </div>`;
}

export function emptyState(title: string, hint: string): string {
  return html`<div class="empty">
    <p class="empty-title">${title}</p>
    <p>${hint}</p>
  </div>`;
}

/** A message box: `role="status"` for news, `role="alert"` for a problem. */
export function notice(tone: 'good' | 'warn' | 'bad' | 'info', body: string): string {
  const role = tone === 'bad' ? 'alert' : 'status';
  return html`<div class="notice notice-${tone}" role="${role}">!${body}</div>`;
}

export interface Crumb {
  href: string | null;
  label: string;
}

export function breadcrumbs(crumbs: readonly Crumb[]): string {
  const items = crumbs.map((crumb) =>
    crumb.href
      ? html`<li><a href="${crumb.href}">${crumb.label}</a></li>`
      : html`<li aria-current="page">${crumb.label}</li>`,
  );
  return html`<nav class="crumbs" aria-label="Breadcrumb"><ol>!${items}</ol></nav>`;
}

export interface PageHead {
  eyebrow?: string;
  title: string;
  lede?: string;
  /** Buttons or links beside the title: `html` output. */
  actions?: string;
}

export function pageHead(head: PageHead): string {
  return html`<div class="page-head">
    <div>
      !${head.eyebrow ? html`<p class="eyebrow">${head.eyebrow}</p>` : ''}
      <h1>${head.title}</h1>
      !${head.lede ? html`<p class="lede">${head.lede}</p>` : ''}
    </div>
    !${head.actions ? html`<div class="page-actions">!${head.actions}</div>` : ''}
  </div>`;
}

export interface Option {
  value: string;
  label: string;
}

export function options(choices: readonly Option[], selected: string | null): string {
  if (selected === null) return unselectedOptions(choices);
  return choices.map((choice) => option(choice, choice.value === selected)).join('');
}

function option(choice: Option, selected: boolean): string {
  const mark = selected ? ' selected' : '';
  return html`<option value="${choice.value}"!${mark}>${choice.label}</option>`;
}

// A page with a form for each of many rows offers the same choices, none chosen, in each: the
// list is written once per set of choices and reused.
const unselected = new WeakMap<readonly Option[], string>();

function unselectedOptions(choices: readonly Option[]): string {
  let written = unselected.get(choices);
  if (written === undefined) {
    written = choices.map((choice) => option(choice, false)).join('');
    unselected.set(choices, written);
  }
  return written;
}

export interface SelectField {
  id: string;
  name: string;
  label: string;
  choices: readonly Option[];
  selected: string | null;
  hint?: string;
  error?: string | null;
  required?: boolean;
}

export function selectField(field: SelectField): string {
  return html`<div class="field ${field.error ? 'field-error' : ''}">
    <label for="${field.id}">${field.label}</label>
    !${field.hint ? html`<p class="hint" id="${field.id}-hint">${field.hint}</p>` : ''}
    !${fieldError(field.id, field.error)}
    <select
      id="${field.id}"
      name="${field.name}"
      ${field.required ? 'required' : ''}
      aria-describedby="${describedBy(field.id, field.hint, field.error)}"
    >
      !${options(field.choices, field.selected)}
    </select>
  </div>`;
}

export interface InputField {
  id: string;
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'number' | 'search' | 'url' | 'date';
  value?: string;
  hint?: string;
  error?: string | null;
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
  inputmode?: string;
  step?: string;
}

export function inputField(field: InputField): string {
  return html`<div class="field ${field.error ? 'field-error' : ''}">
    <label for="${field.id}">${field.label}</label>
    !${field.hint ? html`<p class="hint" id="${field.id}-hint">${field.hint}</p>` : ''}
    !${fieldError(field.id, field.error)}
    <input
      id="${field.id}"
      name="${field.name}"
      type="${field.type ?? 'text'}"
      value="${field.value ?? ''}"
      ${field.required ? 'required' : ''}
      !${field.error ? 'aria-invalid="true"' : ''}
      autocomplete="${field.autocomplete ?? 'off'}"
      placeholder="${field.placeholder ?? ''}"
      inputmode="${field.inputmode ?? ''}"
      step="${field.step ?? ''}"
      aria-describedby="${describedBy(field.id, field.hint, field.error)}"
    />
  </div>`;
}

export interface TextAreaField {
  id: string;
  name: string;
  label: string;
  value?: string;
  hint?: string;
  error?: string | null;
  placeholder?: string;
  rows?: number;
}

export function textAreaField(field: TextAreaField): string {
  return html`<div class="field ${field.error ? 'field-error' : ''}">
    <label for="${field.id}">${field.label}</label>
    !${field.hint ? html`<p class="hint" id="${field.id}-hint">${field.hint}</p>` : ''}
    !${fieldError(field.id, field.error)}
    <textarea
      id="${field.id}"
      name="${field.name}"
      rows="${field.rows ?? 3}"
      placeholder="${field.placeholder ?? ''}"
      !${field.error ? 'aria-invalid="true"' : ''}
      aria-describedby="${describedBy(field.id, field.hint, field.error)}"
    >
${field.value ?? ''}</textarea
    >
  </div>`;
}

function fieldError(id: string, error: string | null | undefined): string {
  if (!error) return '';
  return html`<p class="error-text" id="${id}-error">
    <span class="visually-hidden">Error:</span> ${error}
  </p>`;
}

function describedBy(id: string, hint?: string, error?: string | null): string {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
}

export interface PostButton {
  action: string;
  label: string;
  csrf: string;
  variant?: 'primary' | 'secondary' | 'danger';
  /** htmx: where the answer goes (a CSS selector), and how. */
  target?: string;
  swap?: string;
  /** Extra hidden fields. */
  fields?: Record<string, string>;
}

/** A one-button form: works without script, and through htmx when a target is given. */
export function postButton(button: PostButton): string {
  const hidden = Object.entries(button.fields ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  );
  const htmx = button.target
    ? html`hx-post="${button.action}" hx-target="${button.target}" hx-swap="${
        button.swap ?? 'outerHTML'
      }"`
    : '';
  return html`<form class="inline-form" method="post" action="${button.action}" !${htmx}>
    !${csrfField(button.csrf)} !${hidden}
    <button type="submit" class="button button-${button.variant ?? 'secondary'}">
      ${button.label}
    </button>
  </form>`;
}

export interface Pager {
  page: number;
  hasNext: boolean;
  href(page: number): string;
}

export function pager(pages: Pager): string {
  if (pages.page === 1 && !pages.hasNext) return '';
  return html`<nav class="pager" aria-label="Pages">
    !${
      pages.page > 1
        ? html`<a class="button button-secondary" href="${pages.href(pages.page - 1)}"
          >Newer entries</a
        >`
        : ''
    }
    <span>Page ${pages.page}</span>
    !${
      pages.hasNext
        ? html`<a class="button button-secondary" href="${pages.href(pages.page + 1)}"
          >Older entries</a
        >`
        : ''
    }
  </nav>`;
}

/** A label and value list: "Status: Succeeded". Values are `html` output. */
export function facts(items: readonly [string, string][]): string {
  const rows = items.map(([term, value]) => html`<div><dt>${term}</dt><dd>!${value}</dd></div>`);
  return html`<dl class="facts">!${rows}</dl>`;
}
