import { html } from 'ghtml';
import {
  badge,
  breadcrumbs,
  type Crumb,
  csrfField,
  emptyState,
  inputField,
  notice,
  type Option,
  pageHead,
  postButton,
  selectField,
  table,
} from './components.ts';
import { dateTime } from './format.ts';

/**
 * People with access to the console, for trust admins: who they are, the roles they hold, adding
 * a person (their first password shown once), giving and taking roles, and deactivating.
 */

export interface UserRow {
  id: string;
  name: string;
  email: string;
  active: boolean;
  roles: string[];
  lastSignInAt: Date | null;
}

export interface UsersView {
  crumbs: Crumb[];
  users: UserRow[];
}

export interface RoleValues {
  role: string;
  schoolId: string;
  subjectId: string;
}

export type RoleErrors = Partial<Record<keyof RoleValues, string>>;

/** The choices a role form offers. */
export interface RoleChoices {
  roles: readonly Option[];
  schools: readonly Option[];
  subjects: readonly Option[];
}

export interface NewUserValues extends RoleValues {
  email: string;
  displayName: string;
}

export interface NewUserView {
  crumbs: Crumb[];
  values: NewUserValues;
  errors: Partial<Record<keyof NewUserValues, string>>;
  choices: RoleChoices;
  csrf: string;
}

export interface CreatedUser {
  id: string;
  name: string;
  email: string;
  role: string;
  password: string;
}

export interface UserView {
  crumbs: Crumb[];
  user: { id: string; name: string; email: string; active: boolean; createdAt: Date };
  roles: { id: number; text: string }[];
  grant: { values: RoleValues; errors: RoleErrors };
  choices: RoleChoices;
  /** Not for oneself: another admin does that. */
  canDeactivate: boolean;
  /** What the last action said: `html` output. */
  flash: string | null;
  csrf: string;
}

export function usersView(view: UsersView): string {
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: 'Trust admin',
      title: 'Users',
      lede: 'Everyone who signs in to the console, and what their roles let them see and do.',
      actions: html`<a class="button button-primary" href="/admin/users/new">Add a user</a>`,
    })}
    !${
      view.users.length === 0 ? emptyState('No users yet', 'Add the first user.') : userTable(view)
    }`;
}

function userTable(view: UsersView): string {
  const rows = view.users.map(
    (user) => html`<tr>
      <th scope="row">
        <a href="/admin/users/${user.id}">${user.name}</a>
        <span class="muted block">${user.email}</span>
      </th>
      <td>
        !${
          user.roles.length === 0
            ? html`<span class="muted">No role</span>`
            : html`<ul class="role-list">
                !${user.roles.map((role) => html`<li>${role}</li>`)}
              </ul>`
        }
      </td>
      <td>!${user.active ? badge('Active', 'good') : badge('Deactivated', 'neutral')}</td>
      <td class="nowrap">${user.lastSignInAt ? dateTime(user.lastSignInAt) : 'Never'}</td>
    </tr>`,
  );
  return table(
    'Users and their roles',
    [{ label: 'Person' }, { label: 'Roles' }, { label: 'Status' }, { label: 'Last signed in' }],
    rows,
  );
}

export function newUserPage(view: NewUserView): string {
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: 'Trust admin',
      title: 'Add a user',
      lede:
        'They get a first password, shown to you once. More roles can be given on their ' +
        'page afterwards.',
    })}
    !${newUserForm(view)}`;
}

/** The form itself: the fragment an htmx answer replaces, with its errors or the new account. */
export function newUserForm(view: NewUserView): string {
  const { values, errors } = view;
  return html`<form id="user-form" class="card stack form-narrow" method="post"
    action="/admin/users" hx-post="/admin/users" hx-target="this" hx-swap="outerHTML" novalidate>
    !${
      Object.keys(errors).length > 0
        ? notice('bad', html`<p>Some details need changing: they are marked below.</p>`)
        : ''
    }
    <div class="field-grid">
      !${inputField({
        id: 'user-email',
        name: 'email',
        label: 'Email address',
        type: 'email',
        value: values.email,
        error: errors.email ?? null,
        required: true,
      })}
      !${inputField({
        id: 'user-name',
        name: 'displayName',
        label: 'Name',
        hint: 'As colleagues know them: it appears on their decisions.',
        value: values.displayName,
        error: errors.displayName ?? null,
        required: true,
      })}
    </div>
    !${roleFields('user', values, errors, view.choices)}
    !${csrfField(view.csrf)}
    <div class="button-row">
      <button type="submit" class="button button-primary">Add user</button>
      <a class="button button-secondary" href="/admin/users">Cancel</a>
    </div>
  </form>`;
}

function roleFields(
  prefix: string,
  values: RoleValues,
  errors: RoleErrors,
  choices: RoleChoices,
): string {
  return html`<fieldset class="group">
    <legend>Role</legend>
    <p class="hint">
      Trust admins and analysts work across the whole trust. A school data lead is for one
      school. A subject leader is for a school or the whole trust, and one subject or all; a
      read-only viewer for a school or the whole trust.
    </p>
    <div class="form-row">
      !${selectField({
        id: `${prefix}-role`,
        name: 'role',
        label: 'Role',
        choices: [{ value: '', label: 'Choose…' }, ...choices.roles],
        selected: values.role,
        error: errors.role ?? null,
        required: true,
      })}
      !${selectField({
        id: `${prefix}-school`,
        name: 'schoolId',
        label: 'School',
        choices: [{ value: '', label: 'The whole trust' }, ...choices.schools],
        selected: values.schoolId,
        error: errors.schoolId ?? null,
      })}
      !${selectField({
        id: `${prefix}-subject`,
        name: 'subjectId',
        label: 'Subject',
        choices: [{ value: '', label: 'All subjects' }, ...choices.subjects],
        selected: values.subjectId,
        error: errors.subjectId ?? null,
      })}
    </div>
  </fieldset>`;
}

/** The new account, with its first password: this answer is the only place it is ever shown. */
export function userCreated(user: CreatedUser): string {
  return html`<div id="user-form" class="card stack form-narrow">
    !${notice('good', html`<p><strong>${user.name}</strong> can now sign in: ${user.role}.</p>`)}
    <div>
      <h2>Their first password</h2>
      <p class="password-once"><code>${user.password}</code></p>
      <p class="hint">
        This is the only time it is shown, and it is not stored anywhere you can see it again.
        Give it to ${user.name} in person or by phone, not in an email to ${user.email}.
      </p>
    </div>
    <div class="button-row">
      <a class="button button-secondary" href="/admin/users/${user.id}">Their roles</a>
      <a class="button button-secondary" href="/admin/users">All users</a>
    </div>
  </div>`;
}

export function userView(view: UserView): string {
  const { user } = view;
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: user.email,
      title: user.name,
      lede: `${user.active ? 'Active' : 'Deactivated'}; added ${dateTime(user.createdAt)}.`,
      actions:
        user.active && view.canDeactivate
          ? html`<a class="button button-danger" href="/admin/users/${user.id}/deactivate"
              >Deactivate</a
            >`
          : '',
    })}
    <div id="user-flash">!${view.flash ?? ''}</div>
    <section class="section" aria-labelledby="roles-title">
      <h2 id="roles-title">Roles</h2>
      !${
        view.roles.length === 0
          ? emptyState('No role', 'Without a role they see nothing once they sign in.')
          : html`<div class="card">
              <ul class="mapping-list">
                !${view.roles.map((role) => roleItem(view, role))}
              </ul>
            </div>`
      }
    </section>
    !${user.active ? grantSection(view) : ''}`;
}

function roleItem(view: UserView, role: { id: number; text: string }): string {
  return html`<li class="mapping-item">
    <span>${role.text}</span>
    !${postButton({
      action: `/admin/users/${view.user.id}/roles/${role.id}/revoke`,
      label: 'Remove',
      csrf: view.csrf,
      variant: 'danger',
    })}
  </li>`;
}

function grantSection(view: UserView): string {
  return html`<section class="section" aria-labelledby="grant-title">
    <h2 id="grant-title">Give a role</h2>
    !${grantForm(view)}
  </section>`;
}

/** The form to give one more role: the fragment an htmx answer replaces with its errors. */
export function grantForm(view: Pick<UserView, 'user' | 'grant' | 'choices' | 'csrf'>): string {
  const action = `/admin/users/${view.user.id}/roles`;
  return html`<form id="grant-form" class="card stack form-narrow" method="post"
    action="${action}" hx-post="${action}" hx-target="this" hx-swap="outerHTML" novalidate>
    !${roleFields('grant', view.grant.values, view.grant.errors, view.choices)}
    !${csrfField(view.csrf)}
    <div class="button-row">
      <button type="submit" class="button button-primary">Give this role</button>
    </div>
  </form>`;
}

export function deactivateView(view: {
  crumbs: Crumb[];
  user: { id: string; name: string };
  csrf: string;
}): string {
  return html`!${breadcrumbs(view.crumbs)}
    <div class="card problem">
      <p class="eyebrow">User</p>
      <h1>Deactivate ${view.user.name}?</h1>
      <p>
        They are signed out everywhere at once and cannot sign in again; their API tokens stop
        working. Their name stays on what they did, in the audit log and on their decisions.
      </p>
      <div class="button-row">
        !${postButton({
          action: `/admin/users/${view.user.id}/deactivate`,
          label: 'Deactivate',
          csrf: view.csrf,
          variant: 'danger',
        })}
        <a class="button button-secondary" href="/admin/users/${view.user.id}">Keep them</a>
      </div>
    </div>`;
}
