import { html } from 'ghtml';
import {
  breadcrumbs,
  type Crumb,
  csrfField,
  inputField,
  notice,
  type Option,
  pageHead,
  selectField,
  textAreaField,
} from './components.ts';

/** A field of a connector's settings, made from its zod schema. */
export interface ConnectorField {
  /** The form field's name: "config.delta.overlapMinutes". */
  name: string;
  id: string;
  label: string;
  kind: 'text' | 'number' | 'boolean' | 'choice' | 'list' | 'map' | 'json' | 'secret';
  required: boolean;
  choices: readonly string[];
  hint: string;
  value: string;
  error: string | null;
  /** For a secret being edited: a value is stored, and blank keeps it. */
  stored: boolean;
}

export interface ConnectorGroup {
  legend: string | null;
  fields: ConnectorField[];
  groups: ConnectorGroup[];
}

export interface TextValue {
  value: string;
  error: string | null;
}

export interface SourceFormView {
  crumbs: Crumb[];
  mode: 'new' | 'edit';
  school: { id: string; name: string };
  action: string;
  checkAction: string;
  kinds: readonly Option[];
  kind: string;
  kindLabel: string;
  transport: 'api' | 'file';
  name: TextValue;
  schedule: TextValue;
  fullSchedule: TextValue;
  config: ConnectorGroup;
  secrets: ConnectorGroup;
  formError: string | null;
  csrf: string;
}

/** Adding or editing a source: settings from the connector's schema, secrets write-only. */
export function sourceFormPage(view: SourceFormView): string {
  const title = view.mode === 'new' ? 'Add a source' : `Edit ${view.name.value}`;
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: view.school.name,
      title,
      lede:
        'A source is one connection to a school system, or a spreadsheet the school uploads. ' +
        'Leave a setting blank to use its default.',
    })}
    !${view.mode === 'new' ? kindPicker(view) : ''} !${sourceForm(view)}`;
}

function kindPicker(view: SourceFormView): string {
  const action = `/schools/${view.school.id}/sources/new`;
  return html`<form class="toolbar card" method="get" action="${action}" hx-get="${action}"
    hx-target="#source-form" hx-swap="outerHTML" hx-select="#source-form">
    !${selectField({
      id: 'kind',
      name: 'kind',
      label: 'Kind of source',
      choices: view.kinds,
      selected: view.kind,
    })}
    <button type="submit" class="button button-secondary">Use this kind</button>
  </form>`;
}

/** The form itself: the fragment an htmx answer replaces, errors and all. */
export function sourceForm(view: SourceFormView): string {
  const scheduled = view.transport === 'api';
  return html`<form id="source-form" class="card stack" method="post" action="${view.action}"
    hx-post="${view.action}" hx-target="this" hx-swap="outerHTML" novalidate>
    !${csrfField(view.csrf)}
    <input type="hidden" name="kind" value="${view.kind}" />
    <h2>${view.kindLabel}</h2>
    !${view.formError ? notice('bad', html`<p>${view.formError}</p>`) : ''}
    !${inputField({
      id: 'source-name',
      name: 'name',
      label: 'Name',
      hint: 'How people will know it: "Arbor MIS" or "Termly spreadsheet".',
      value: view.name.value,
      error: view.name.error,
      required: true,
    })}
    !${essentials(view)} !${scheduled ? schedule(view) : fileNote()} !${extras(view)}
    <div id="check-result" aria-live="polite"></div>
    <div class="button-row">
      <button type="submit" class="button button-primary">
        ${view.mode === 'new' ? 'Add source' : 'Save changes'}
      </button>
      <button type="button" class="button button-secondary" hx-post="${view.checkAction}"
        hx-target="#check-result" hx-swap="innerHTML">Check connection</button>
    </div>
  </form>`;
}

/** What must be filled in: the required settings and the secrets. */
function essentials(view: SourceFormView): string {
  const fields = [
    ...view.config.fields.filter((setting) => setting.required),
    ...view.secrets.fields,
  ];
  if (fields.length === 0) return '';
  return html`<fieldset class="group">
    <legend>Connection</legend>
    <div class="field-grid">!${fields.map(field)}</div>
  </fieldset>`;
}

function schedule(view: SourceFormView): string {
  return html`<fieldset class="group">
    <legend>Schedule</legend>
    <div class="field-grid">
      !${inputField({
        id: 'schedule',
        name: 'schedule',
        label: 'Regular pull',
        hint: 'An interval such as "every 6h", or cron: "0 2 * * *" is 02:00 every day.',
        value: view.schedule.value,
        error: view.schedule.error,
        placeholder: '0 2 * * *',
      })}
      !${inputField({
        id: 'full-schedule',
        name: 'fullSchedule',
        label: 'Full pull',
        hint: 'A full pull re-reads everything: "0 3 * * 6" is 03:00 every Saturday.',
        value: view.fullSchedule.value,
        error: view.fullSchedule.error,
        placeholder: '0 3 * * 6',
      })}
    </div>
  </fieldset>`;
}

function fileNote(): string {
  return html`<p class="hint">
    This kind is read from files the school uploads, so it has no schedule.
  </p>`;
}

/** The settings with defaults, in sections that open on request, or when they hold an error. */
function extras(view: SourceFormView): string {
  const optional = view.config.fields.filter((setting) => !setting.required);
  return html`!${optional.length > 0 ? more('Optional settings', optional, []) : ''}
    !${view.config.groups.map((inner) =>
      more(inner.legend ?? 'More settings', inner.fields, inner.groups),
    )}`;
}

function more(title: string, fields: ConnectorField[], groups: ConnectorGroup[]): string {
  const all = [...fields, ...groups.flatMap(allFields)];
  const open = all.some((setting) => setting.error !== null || setting.value !== '');
  return html`<details class="more" ${open ? 'open' : ''}>
    <summary>
      ${title} <span class="muted more-count">(${all.length}, each with a default)</span>
    </summary>
    <div class="field-grid">!${fields.map(field)}</div>
    !${groups.map((inner) => more(inner.legend ?? title, inner.fields, inner.groups))}
  </details>`;
}

function allFields(settings: ConnectorGroup): ConnectorField[] {
  return [...settings.fields, ...settings.groups.flatMap(allFields)];
}

function field(setting: ConnectorField): string {
  const base = {
    id: setting.id,
    name: setting.name,
    label: setting.required ? setting.label : `${setting.label} (optional)`,
    hint: setting.hint,
    error: setting.error,
  };
  switch (setting.kind) {
    case 'secret':
      return inputField({
        ...base,
        type: 'password',
        autocomplete: 'new-password',
        hint: setting.stored
          ? `A value is saved and is never shown. Leave blank to keep it. ${setting.hint}`
          : setting.hint,
      });
    case 'choice':
    case 'boolean':
      return selectField({
        ...base,
        choices: [
          { value: '', label: setting.required ? 'Choose…' : 'Default' },
          ...setting.choices.map((choice) => ({ value: choice, label: choice })),
        ],
        selected: setting.value,
      });
    case 'list':
    case 'map':
    case 'json':
      return textAreaField({ ...base, value: setting.value, rows: 3 });
    case 'number':
      return inputField({ ...base, value: setting.value, inputmode: 'decimal' });
    default:
      return inputField({ ...base, value: setting.value });
  }
}
