import { html } from 'ghtml';
import {
  breadcrumbs,
  type Crumb,
  csrfField,
  emptyState,
  inputField,
  notice,
  type Option,
  pageHead,
  selectField,
  table,
} from './components.ts';
import { calendarDate } from './format.ts';

/** The trust's schools for its admins: the list, with each one's baseline, and adding one. */

export interface SchoolFormValues {
  name: string;
  urn: string;
  laestab: string;
  phase: string;
  setting: string;
  joinedTrustOn: string;
}

export type SchoolFormErrors = Partial<Record<keyof SchoolFormValues, string>>;

export interface AddSchoolView {
  crumbs: Crumb[];
  values: SchoolFormValues;
  errors: SchoolFormErrors;
  phases: readonly Option[];
  settings: readonly Option[];
  csrf: string;
}

export interface SchoolListRow {
  id: string;
  name: string;
  urn: string;
  phase: string;
  convertedOn: string;
  /** "Baseline (Autumn 2026/27)", "None needed" or "Not in the calendar yet". */
  baseline: string;
  baselineDate: string | null;
  /** The guided path, while the school has a baseline to bring in. */
  onboarding: boolean;
}

export interface SchoolListView {
  crumbs: Crumb[];
  schools: SchoolListRow[];
}

export function schoolListView(view: SchoolListView): string {
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: 'Trust admin',
      title: 'Schools',
      lede:
        'The trust’s academies, each with the baseline its conversion date gives it ' +
        '(policy 8.3).',
      actions: html`<a class="button button-primary" href="/schools/new">Add a school</a>`,
    })}
    !${
      view.schools.length === 0
        ? emptyState('No schools yet', 'Add the trust’s first school.')
        : schoolTable(view.schools)
    }`;
}

function schoolTable(schools: readonly SchoolListRow[]): string {
  const rows = schools.map(
    (school) => html`<tr>
      <th scope="row"><a href="/schools/${school.id}">${school.name}</a></th>
      <td><code>${school.urn}</code></td>
      <td>${school.phase}</td>
      <td class="nowrap">${calendarDate(school.convertedOn)}</td>
      <td>
        ${school.baseline}
        !${
          school.baselineDate
            ? html`<span class="muted block">
                Collection date ${calendarDate(school.baselineDate)}
              </span>`
            : ''
        }
      </td>
      <td>
        !${
          school.onboarding
            ? html`<a href="/schools/${school.id}/onboarding"
                >Guided path<span class="visually-hidden"> for ${school.name}</span></a
              >`
            : ''
        }
      </td>
    </tr>`,
  );
  return table(
    'Schools of the trust',
    [
      { label: 'School' },
      { label: 'URN' },
      { label: 'Phase' },
      { label: 'Converted' },
      { label: 'Baseline' },
      { label: 'Onboarding' },
    ],
    rows,
  );
}

export function addSchoolPage(view: AddSchoolView): string {
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: 'Trust admin',
      title: 'Add a school',
      lede:
        'A school that joins the trust. Its baseline collection is worked out from its ' +
        'conversion date (policy 8.3), and its guided path opens next.',
    })}
    !${schoolForm(view)}`;
}

/** The form itself: the fragment an htmx answer replaces, errors and all. */
export function schoolForm(view: AddSchoolView): string {
  const { values, errors } = view;
  const count = Object.keys(errors).length;
  return html`<form id="school-form" class="card stack form-narrow" method="post"
    action="/schools" hx-post="/schools" hx-target="this" hx-swap="outerHTML" novalidate>
    !${
      count > 0
        ? notice(
            'bad',
            html`<p>
              ${count === 1 ? 'One detail needs' : `${count} details need`} changing: marked
              below.
            </p>`,
          )
        : ''
    }
    !${inputField({
      id: 'school-name',
      name: 'name',
      label: 'School name',
      hint: 'Its full name, as on Get Information about Schools.',
      value: values.name,
      error: errors.name ?? null,
      required: true,
      autocomplete: 'organization',
    })}
    <div class="field-grid">
      !${inputField({
        id: 'school-urn',
        name: 'urn',
        label: 'URN',
        hint: '6 digits.',
        value: values.urn,
        error: errors.urn ?? null,
        required: true,
        inputmode: 'numeric',
      })}
      !${inputField({
        id: 'school-laestab',
        name: 'laestab',
        label: 'LAESTAB',
        hint: '7 digits: the LA code, then the establishment number.',
        value: values.laestab,
        error: errors.laestab ?? null,
        required: true,
        inputmode: 'numeric',
      })}
      !${selectField({
        id: 'school-phase',
        name: 'phase',
        label: 'Phase',
        choices: [{ value: '', label: 'Choose…' }, ...view.phases],
        selected: values.phase,
        error: errors.phase ?? null,
        required: true,
      })}
      !${selectField({
        id: 'school-setting',
        name: 'setting',
        label: 'Setting',
        choices: view.settings,
        selected: values.setting,
        error: errors.setting ?? null,
        required: true,
      })}
      !${inputField({
        id: 'school-converted',
        name: 'joinedTrustOn',
        label: 'Conversion date',
        type: 'date',
        hint: 'The day it became a trust academy: its baseline follows from it.',
        value: values.joinedTrustOn,
        error: errors.joinedTrustOn ?? null,
        required: true,
      })}
    </div>
    !${csrfField(view.csrf)}
    <div class="button-row">
      <button type="submit" class="button button-primary">Add school</button>
      <a class="button button-secondary" href="/schools">Cancel</a>
    </div>
  </form>`;
}
