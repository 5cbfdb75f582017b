import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html } from 'ghtml';
import { z } from 'zod';
import { generatePassword } from '../../access/passwords.ts';
import {
  canAdminister,
  type Grant,
  grantProblem,
  type Principal,
  ROLE_LABELS,
  type Role,
} from '../../access/principal.ts';
import {
  AccessError,
  actorOf,
  createUser,
  deactivateUser,
  grantRole,
  revokeRole,
} from '../../access/users.ts';
import { principalOf } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { requireThat } from '../scope.ts';
import { breadcrumbs, type Crumb, notice, pageHead } from '../views/components.ts';
import {
  deactivateView,
  grantForm,
  type NewUserValues,
  type NewUserView,
  newUserForm,
  newUserPage,
  type RoleChoices,
  type RoleErrors,
  type RoleValues,
  type UserView,
  userCreated,
  usersView,
  userView,
} from '../views/users.ts';
import { grantsOf, scopeNames, type UserRecord, userById, usersWithGrants } from './queries.ts';
import { csrfOf, type Site, sendFragment, sendPage, sendRedirect } from './respond.ts';
import { grantText } from './shell.ts';

/**
 * Users, for trust admins: everyone with their roles; adding a person with a generated first
 * password, shown once; giving and taking roles; deactivating, which signs them out at once.
 * The engine functions in access/users.ts check each change and audit it.
 */

type Names = Awaited<ReturnType<typeof scopeNames>>;

const uuid = z.uuid();
const userParams = z.object({ userId: z.string() });
const grantParams = z.object({ userId: z.string(), grantId: z.coerce.number().int() });
const roleBody = z.object({
  role: z.string().max(40).default(''),
  schoolId: z.string().max(40).default(''),
  subjectId: z.string().max(12).default(''),
});
const newUserBody = roleBody.extend({
  email: z.string().max(320).default(''),
  displayName: z.string().max(200).default(''),
});
const BLANK_ROLE: RoleValues = { role: '', schoolId: '', subjectId: '' };

export function userRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  const admin = (request: FastifyRequest) => {
    const principal = principalOf(request);
    requireThat(canAdminister(principal), 'Only a trust admin can manage users.');
    return principal;
  };

  const userFor = async (request: FastifyRequest) => {
    const principal = admin(request);
    const { userId } = userParams.parse(request.params);
    const user = uuid.safeParse(userId).success ? await userById(db, userId) : null;
    if (!user) throw new HttpError(404, 'not_found', 'There is no such user.');
    return { principal, user };
  };

  app.get('/admin/users', async (request, reply) => {
    admin(request);
    const names = await scopeNames(db);
    const main = usersView({
      crumbs: [
        { href: '/', label: 'Home' },
        { href: null, label: 'Users' },
      ],
      users: (await usersWithGrants(db)).map((user) => ({
        id: user.id,
        name: user.displayName,
        email: user.email,
        active: user.active,
        roles: user.grants.map((grant) => describe(grant, names)),
        lastSignInAt: user.lastSignInAt,
      })),
    });
    return sendPage(site, request, reply, { title: 'Users', main });
  });

  app.get('/admin/users/new', async (request, reply) => {
    admin(request);
    const values = { email: '', displayName: '', ...BLANK_ROLE };
    const main = newUserPage(await newUserView(site, values, {}, csrfOf(request)));
    return sendPage(site, request, reply, { title: 'Add a user', main });
  });

  app.post('/admin/users', async (request, reply) => {
    const principal = admin(request);
    const values = newUserBody.catch(newUserBody.parse({})).parse(request.body ?? {});
    const names = await scopeNames(db);
    const read = readGrant(values, names);
    const errors: NewUserView['errors'] = { ...read.errors };
    if (values.email.trim() === '') errors.email = 'Give their email address.';
    if (read.grant && Object.keys(errors).length === 0) {
      const password = generatePassword();
      try {
        const user = await createUser(db, actorOf(principal), {
          email: values.email,
          displayName: values.displayName,
          password,
          grants: [read.grant],
        });
        const created = userCreated({
          id: user.id,
          name: user.displayName,
          email: user.email,
          role: describe(read.grant, names),
          password,
        });
        return sendFragment(site, request, reply, created, createdPage(created), 201);
      } catch (error) {
        if (!(error instanceof AccessError)) throw error;
        errors[fieldOf(error, 'email')] = error.message;
      }
    }
    const view = await newUserView(site, values, errors, csrfOf(request));
    const page = async () => ({ title: 'Add a user', main: newUserPage(view) });
    return sendFragment(site, request, reply, newUserForm(view), page, 422);
  });

  app.get('/admin/users/:userId', async (request, reply) => {
    const { principal, user } = await userFor(request);
    const view = await userPage(site, principal, user, csrfOf(request), null);
    return sendPage(site, request, reply, { title: user.displayName, main: userView(view) });
  });

  app.post('/admin/users/:userId/roles', async (request, reply) => {
    const { principal, user } = await userFor(request);
    const values = roleBody.catch(BLANK_ROLE).parse(request.body ?? {});
    const read = readGrant(values, await scopeNames(db));
    if (read.grant && Object.keys(read.errors).length === 0) {
      try {
        await grantRole(db, actorOf(principal), user.id, read.grant);
        return sendRedirect(request, reply, `/admin/users/${user.id}`);
      } catch (error) {
        if (!(error instanceof AccessError)) throw error;
        read.errors[fieldOf(error, 'role')] = error.message;
      }
    }
    const view = await userPage(site, principal, user, csrfOf(request), null);
    const withErrors = { ...view, grant: { values, errors: read.errors } };
    const page = async () => ({ title: user.displayName, main: userView(withErrors) });
    return sendFragment(site, request, reply, grantForm(withErrors), page, 422);
  });

  app.post('/admin/users/:userId/roles/:grantId/revoke', async (request, reply) => {
    const { principal, user } = await userFor(request);
    const { grantId } = grantParams.parse(request.params);
    try {
      await revokeRole(db, actorOf(principal), user.id, grantId);
      return sendRedirect(request, reply, `/admin/users/${user.id}`);
    } catch (error) {
      if (!(error instanceof AccessError)) throw error;
      return refuse(site, request, reply, principal, user, error.message);
    }
  });

  app.get('/admin/users/:userId/deactivate', async (request, reply) => {
    const { user } = await userFor(request);
    const main = deactivateView({
      crumbs: userCrumbs(user, 'Deactivate'),
      user: { id: user.id, name: user.displayName },
      csrf: csrfOf(request),
    });
    return sendPage(site, request, reply, { title: `Deactivate ${user.displayName}`, main });
  });

  app.post('/admin/users/:userId/deactivate', async (request, reply) => {
    const { principal, user } = await userFor(request);
    try {
      await deactivateUser(db, actorOf(principal), user.id);
      return sendRedirect(request, reply, `/admin/users/${user.id}`);
    } catch (error) {
      if (!(error instanceof AccessError)) throw error;
      return refuse(site, request, reply, principal, user, error.message);
    }
  });
}

/** A role's school and subject as chosen in a form, checked as the engine will check them. */
function readGrant(values: RoleValues, names: Names): { grant: Grant | null; errors: RoleErrors } {
  const errors: RoleErrors = {};
  const role = Object.hasOwn(ROLE_LABELS, values.role) ? (values.role as Role) : null;
  if (!role) errors.role = 'Choose a role.';
  const schoolId = values.schoolId === '' ? null : values.schoolId;
  if (schoolId !== null && !names.schools.has(schoolId)) {
    errors.schoolId = 'Choose a school from the list.';
  }
  const subjectId = values.subjectId === '' ? null : Number(values.subjectId);
  if (subjectId !== null && !names.subjects.has(subjectId)) {
    errors.subjectId = 'Choose a subject from the list.';
  }
  if (!role || Object.keys(errors).length > 0) return { grant: null, errors };

  const grant: Grant = { role, schoolId, subjectId };
  const problem = grantProblem(grant);
  if (problem) errors[problem.field] = problem.message;
  return { grant, errors };
}

function fieldOf<T extends string>(error: AccessError, fallback: T): T {
  return (error.field ?? fallback) as T;
}

function describe(grant: Grant, names: Names): string {
  const school = grant.schoolId === null ? null : (names.schools.get(grant.schoolId) ?? null);
  const subject = grant.subjectId === null ? null : (names.subjects.get(grant.subjectId) ?? null);
  return grantText(grant, school, subject);
}

async function choices(site: Site): Promise<RoleChoices> {
  const names = await scopeNames(site.db);
  return {
    roles: Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label })),
    schools: [...names.schools].map(([value, label]) => ({ value, label })),
    subjects: [...names.subjects].map(([value, label]) => ({ value: String(value), label })),
  };
}

async function newUserView(
  site: Site,
  values: NewUserValues,
  errors: NewUserView['errors'],
  csrf: string,
): Promise<NewUserView> {
  return {
    crumbs: [
      { href: '/', label: 'Home' },
      { href: '/admin/users', label: 'Users' },
      { href: null, label: 'Add a user' },
    ],
    values,
    errors,
    choices: await choices(site),
    csrf,
  };
}

function createdPage(created: string) {
  return async () => ({
    title: 'User added',
    main: html`!${breadcrumbs([
      { href: '/', label: 'Home' },
      { href: '/admin/users', label: 'Users' },
      { href: null, label: 'User added' },
    ])}
    !${pageHead({ eyebrow: 'Trust admin', title: 'User added' })} !${created}`,
  });
}

function userCrumbs(user: UserRecord, last: string | null): Crumb[] {
  return [
    { href: '/', label: 'Home' },
    { href: '/admin/users', label: 'Users' },
    last
      ? { href: `/admin/users/${user.id}`, label: user.displayName }
      : { href: null, label: user.displayName },
    ...(last ? [{ href: null, label: last }] : []),
  ];
}

async function userPage(
  site: Site,
  principal: Principal,
  user: UserRecord,
  csrf: string,
  flash: string | null,
): Promise<UserView> {
  const names = await scopeNames(site.db);
  const grants = await grantsOf(site.db, user.id);
  return {
    crumbs: userCrumbs(user, null),
    user: {
      id: user.id,
      name: user.displayName,
      email: user.email,
      active: user.active,
      createdAt: user.createdAt,
    },
    roles: grants.map((grant) => ({ id: grant.id, text: describe(grant, names) })),
    grant: { values: BLANK_ROLE, errors: {} },
    choices: await choices(site),
    canDeactivate: principal.user.id !== user.id,
    flash,
    csrf,
  };
}

/** An engine refusal (the last trust admin, say), on the user's page. */
async function refuse(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  principal: Principal,
  user: UserRecord,
  message: string,
) {
  const flash = notice('bad', html`<p>${message}</p>`);
  const view = await userPage(site, principal, user, csrfOf(request), flash);
  return sendPage(site, request, reply, {
    title: user.displayName,
    main: userView(view),
    status: 409,
  });
}
