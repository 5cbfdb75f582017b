import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canAdminister } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import { loadSchoolYears } from '../../trust/school-year.ts';
import { addSchool, SchoolError, schoolInput } from '../../trust/schools.ts';
import { principalOf } from '../auth.ts';
import { requireThat } from '../scope.ts';
import { PHASES, phaseLabel, SETTINGS } from '../views/labels.ts';
import {
  type AddSchoolView,
  addSchoolPage,
  type SchoolFormErrors,
  type SchoolFormValues,
  schoolForm,
  schoolListView,
} from '../views/trust-schools.ts';
import { baselineFacts } from './baseline.ts';
import { schoolsInScope } from './queries.ts';
import { csrfOf, type Site, sendFragment, sendPage, sendRedirect } from './respond.ts';

/**
 * The trust's schools, for trust admins: the list with each school's baseline, and adding a
 * school, which goes straight on to its guided path.
 */

const schoolBody = z.object({
  name: z.string().max(200).default(''),
  urn: z.string().max(40).default(''),
  laestab: z.string().max(40).default(''),
  phase: z.string().max(40).default(''),
  setting: z.string().max(40).default('mainstream'),
  joinedTrustOn: z.string().max(40).default(''),
});

const BLANK: SchoolFormValues = {
  name: '',
  urn: '',
  laestab: '',
  phase: '',
  setting: 'mainstream',
  joinedTrustOn: '',
};

export function trustSchoolRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  const admin = (request: FastifyRequest) => {
    const principal = principalOf(request);
    requireThat(canAdminister(principal), 'Only a trust admin can manage the trust’s schools.');
    return principal;
  };

  app.get('/schools', async (request, reply) => {
    const principal = admin(request);
    const years = await loadSchoolYears(db);
    const rows = [];
    for (const school of await schoolsInScope(db, principal)) {
      const baseline = await baselineFacts(db, school, { create: false, years });
      rows.push({
        id: school.id,
        name: school.name,
        urn: school.urn,
        phase: phaseLabel(school.phase, school.setting),
        convertedOn: school.joinedTrustOn,
        baseline:
          baseline.kind === 'due'
            ? (baseline.collection?.label ?? `Baseline (${baseline.reason.termly})`)
            : baseline.kind === 'not_needed'
              ? 'None needed'
              : 'Not in the calendar yet',
        baselineDate: baseline.kind === 'due' ? (baseline.collection?.date ?? null) : null,
        onboarding: baseline.kind !== 'not_needed',
      });
    }
    const main = schoolListView({
      crumbs: [
        { href: '/', label: 'Home' },
        { href: null, label: 'Schools' },
      ],
      schools: rows,
    });
    return sendPage(site, request, reply, { title: 'Schools', main });
  });

  app.get('/schools/new', async (request, reply) => {
    admin(request);
    const main = addSchoolPage(formView(BLANK, {}, csrfOf(request)));
    return sendPage(site, request, reply, { title: 'Add a school', main });
  });

  app.post('/schools', async (request, reply) => {
    const principal = admin(request);
    const values = schoolBody.catch(BLANK).parse(request.body ?? {});
    const errors = problemsOf(values);
    if (Object.keys(errors).length === 0) {
      try {
        const school = await addSchool(db, actorOf(principal), schoolInput.parse(values));
        return sendRedirect(request, reply, `/schools/${school.id}/onboarding`);
      } catch (error) {
        if (!(error instanceof SchoolError)) throw error;
        errors[error.field as keyof SchoolFormValues] = error.message;
      }
    }
    const view = formView(values, errors, csrfOf(request));
    const page = async () => ({ title: 'Add a school', main: addSchoolPage(view) });
    return sendFragment(site, request, reply, schoolForm(view), page, 422);
  });
}

/** Every field's first problem, as `schoolInput` words it. */
function problemsOf(values: SchoolFormValues): SchoolFormErrors {
  const parsed = schoolInput.safeParse(values);
  const errors: SchoolFormErrors = {};
  if (parsed.success) return errors;
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0]) as keyof SchoolFormValues;
    errors[field] ??= issue.message;
  }
  return errors;
}

function formView(values: SchoolFormValues, errors: SchoolFormErrors, csrf: string): AddSchoolView {
  return {
    crumbs: [
      { href: '/', label: 'Home' },
      { href: '/schools', label: 'Schools' },
      { href: null, label: 'Add a school' },
    ],
    values,
    errors,
    phases: Object.entries(PHASES).map(([value, label]) => ({ value, label })),
    settings: Object.entries(SETTINGS).map(([value, label]) => ({ value, label })),
    csrf,
  };
}
