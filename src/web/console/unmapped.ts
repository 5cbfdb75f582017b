import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html } from 'ghtml';
import { z } from 'zod';
import { canDecide, canPropose, type Principal } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import { NC_YEARS, type NcYear, ncYearLabel, ncYearOrdinal } from '../../domain/nc-year.ts';
import type { DeriveOutcome } from '../../sync/derive.ts';
import {
  decideGradeRules,
  decideSubjectMappings,
  MappingError,
  proposeGradeRule,
  proposeSubjectMapping,
} from '../../sync/mapping.ts';
import { type UnmappedValue, unmappedValues } from '../../sync/reconcile.ts';
import { listScale } from '../../trust/scale.ts';
import { principalOf } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool } from '../scope.ts';
import { notice } from '../views/components.ts';
import { plural } from '../views/format.ts';
import { type UnmappedView, unmappedView, type ValueItem, valueItem } from '../views/unmapped.ts';
import { proposalCovers } from './progress.ts';
import {
  activeSubjects,
  aspectById,
  baselineCollections,
  mappingById,
  nameOf,
  pendingRulesFor,
  pendingSubjectMappings,
  type School,
  termlyCollections,
  unlinkedAspects,
  userNames,
} from './queries.ts';
import { csrfOf, isFragment, prepare, type Site, sendPage } from './respond.ts';
import { pendingRuleFor } from './rules.ts';

/**
 * Unmapped values, the subject leader's home: every local grade no confirmed rule maps yet, with
 * a form to propose its point or, for a subject leader, to confirm it at once (6.1, 6.2); and the
 * subject suggestions for assessments, confirmed one by one or a column at a time.
 */

const schoolParams = z.object({ schoolId: z.string() });
const pageQuery = z.object({ collection: z.string().max(12).optional() });
const optionalYear = z
  .string()
  .optional()
  .transform((text) => (text ? Number(text) : null))
  .pipe(z.number().int().min(-2).max(14).nullable());

const ruleForm = z.object({
  aspectId: z.coerce.number().int(),
  value: z.string().min(1).max(100),
  key: z.string().max(40).default('value'),
  nxPointId: z.string().default(''),
  scope: z.enum(['aspect', 'subject']).default('aspect'),
  yearFrom: optionalYear,
  yearTo: optionalYear,
  reason: z.string().trim().max(500).default(''),
  action: z.enum(['propose', 'confirm']).default('propose'),
});

const decisionForm = z.object({
  decision: z.enum(['confirm', 'reject']),
  reason: z.string().trim().max(500).default(''),
});

export function unmappedRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;
  const today = () => site.context.clock.today();

  const schoolOf = async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const { schoolId } = schoolParams.parse(request.params);
    return { principal, school: await visibleSchool(db, principal, schoolId) };
  };

  app.get('/schools/:schoolId/unmapped', async (request, reply) => {
    const { principal, school } = await schoolOf(request);
    const { collection } = pageQuery.parse(request.query);
    return sendUnmapped(site, request, reply, principal, school, collection ?? '', null);
  });

  app.post('/schools/:schoolId/unmapped/rules', async (request, reply) => {
    const { principal, school } = await schoolOf(request);
    const form = parseForm(ruleForm, request.body);
    const aspect = await aspectById(db, form.aspectId);
    if (!aspect || aspect.schoolId !== school.id) {
      throw new HttpError(404, 'not_found', 'There is no such assessment at this school.');
    }
    const values = await unmappedValues(db, school.id, null);
    const value = values.find((v) => v.aspect_id === aspect.id && v.raw_value === form.value);
    if (!value || value.subject_id === null) {
      const gone = html`<li class="value-item">
        !${notice('info', html`<p>“${form.value}” no longer waits for a rule.</p>`)}
      </li>`;
      return answerItem(site, request, reply, principal, school, gone, 200);
    }
    const subjectId = value.subject_id;
    requireThat(canPropose(principal, school.id), 'You cannot propose rules for this school.');
    const confirming = form.action === 'confirm';
    if (confirming) {
      requireThat(
        canDecide(principal, school.id, subjectId),
        'Only a subject leader for this school and subject can confirm this rule.',
      );
    }
    const context = await valueContext(site, principal, school, csrfOf(request));
    const item = context.itemFor(value, form.key);
    const point = context.points.find((option) => option.value === form.nxPointId);
    if (!point) {
      const missing = { ...item, error: 'Choose the Next Steps point this value means.' };
      return answerItem(site, request, reply, principal, school, valueItem(missing, context), 422);
    }

    const actor = actorOf(principal);
    const code = point.label.split(' ')[0]!;
    try {
      const rule = await proposeGradeRule(db, actor, {
        schoolId: school.id,
        subjectId,
        aspectId: form.scope === 'aspect' ? aspect.id : null,
        gradeSet: null,
        yearFrom: form.yearFrom,
        yearTo: form.yearTo,
        match: 'value',
        value: form.value,
        rangeMin: null,
        rangeMax: null,
        aliasOf: null,
        nxPointId: point.value,
        reason:
          form.reason ||
          `“${form.value}” in ${aspect.name} chosen as ${code} from the unmapped values list`,
      });
      const message = confirming
        ? await confirmRule(site, principal, rule.id, form.value, code)
        : `Proposed: “${form.value}” as ${code}. It lands once a subject leader confirms it.`;
      const tone: 'good' | 'info' = confirming ? 'good' : 'info';
      const done = valueItem(
        { ...item, resolved: { message, ruleKey: rule.ruleKey, tone } },
        context,
      );
      return answerItem(site, request, reply, principal, school, done, 200);
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      const failed = valueItem({ ...item, error: error.message }, context);
      return answerItem(site, request, reply, principal, school, failed, 422);
    }
  });

  app.post('/subject-mappings/:mappingId/decision', async (request, reply) => {
    const principal = principalOf(request);
    const { mappingId } = z.object({ mappingId: z.coerce.number().int() }).parse(request.params);
    const mapping = await mappingById(db, mappingId);
    if (!mapping) throw new HttpError(404, 'not_found', 'There is no such subject mapping.');
    const aspect = await aspectById(db, mapping.aspectId);
    const school = await visibleSchool(db, principal, aspect!.schoolId);
    requireThat(
      canDecide(principal, school.id, mapping.subjectId),
      'Only a subject leader for this school and subject can decide this mapping.',
    );
    const form = parseForm(decisionForm, request.body);
    const flash = await decideMappings(site, principal, [mapping.id], form, today());
    return sendUnmapped(site, request, reply, principal, school, '', flash);
  });

  app.post('/schools/:schoolId/subject-mappings/confirm', async (request, reply) => {
    const { principal, school } = await schoolOf(request);
    const body = z
      .object({ mappingId: z.union([z.string(), z.array(z.string())]).default([]) })
      .parse(request.body ?? {});
    const ids = [body.mappingId].flat().map(Number).filter(Number.isInteger);
    for (const id of ids) {
      const mapping = await mappingById(db, id);
      const aspect = mapping ? await aspectById(db, mapping.aspectId) : null;
      if (!mapping || aspect?.schoolId !== school.id) {
        throw new HttpError(404, 'not_found', 'One of those mappings is not at this school.');
      }
      requireThat(
        canDecide(principal, school.id, mapping.subjectId),
        'Only a subject leader for this school and subject can confirm these mappings.',
      );
    }
    const flash = await decideMappings(
      site,
      principal,
      ids,
      { decision: 'confirm', reason: 'Confirmed with the rest of the column' },
      today(),
    );
    return sendUnmapped(site, request, reply, principal, school, '', flash);
  });

  app.post('/aspects/:aspectId/subject-mapping', async (request, reply) => {
    const principal = principalOf(request);
    const { aspectId } = z.object({ aspectId: z.coerce.number().int() }).parse(request.params);
    const aspect = await aspectById(db, aspectId);
    if (!aspect) throw new HttpError(404, 'not_found', 'There is no such assessment.');
    const school = await visibleSchool(db, principal, aspect.schoolId);
    requireThat(canPropose(principal, school.id), 'You cannot propose mappings for this school.');
    const { subject } = z.object({ subject: z.string().default('') }).parse(request.body ?? {});
    const ignored = subject === 'ignore';
    const subjectId = ignored || subject === '' ? null : Number(subject);
    let flash: string;
    try {
      await proposeSubjectMapping(db, actorOf(principal), {
        aspectId: aspect.id,
        subjectId,
        ignored,
        reason: `Proposed by ${principal.user.displayName} from the unmapped values list`,
      });
      flash = notice('info', html`<p>Proposed a subject for “${aspect.name}”.</p>`);
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      flash = notice('bad', html`<p>${error.message}</p>`);
    }
    return sendUnmapped(site, request, reply, principal, school, '', flash);
  });
}

async function confirmRule(
  site: Site,
  principal: Principal,
  ruleId: number,
  value: string,
  code: string,
) {
  const outcome = await decideGradeRules(
    site.db,
    actorOf(principal),
    [ruleId],
    { decision: 'confirm', reason: 'Confirmed from the unmapped values list' },
    site.context.clock.today(),
  );
  return `Confirmed: “${value}” is ${code}. ${effect(outcome, code)}`;
}

/** "2 results now land as NX8", from what a decision re-derived. */
export function effect(outcome: DeriveOutcome, code: string | null): string {
  const landed =
    outcome.landed === 0
      ? 'No result changed.'
      : `${plural(outcome.landed, 'result')} now ${outcome.landed === 1 ? 'lands' : 'land'}` +
        (code ? ` as ${code}.` : '.');
  const removed = outcome.removed > 0 ? ` ${plural(outcome.removed, 'point')} withdrawn.` : '';
  return landed + removed;
}

async function decideMappings(
  site: Site,
  principal: Principal,
  ids: number[],
  form: z.infer<typeof decisionForm>,
  today: string,
) {
  if (ids.length === 0) return notice('info', html`<p>There was nothing to confirm.</p>`);
  try {
    const outcome = await decideSubjectMappings(site.db, actorOf(principal), ids, form, today);
    const what = form.decision === 'confirm' ? 'Confirmed' : 'Rejected';
    return notice(
      form.decision === 'confirm' ? 'good' : 'info',
      html`<p>${what} ${plural(ids.length, 'subject mapping')}. ${effect(outcome, null)}</p>`,
    );
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    return notice('bad', html`<p>${error.message}</p>`);
  }
}

/** What the value forms need, and a way to make each value's item. */
async function valueContext(site: Site, principal: Principal, school: School, csrf: string) {
  const scale = await listScale(site.db);
  const subjects = await activeSubjects(site.db);
  const pending = await pendingRulesFor(site.db, school.id);
  const names = await userNames(
    site.db,
    pending.map((rule) => rule.proposedBy),
  );
  const codes = new Map(scale.map((point) => [point.id, point.code]));
  const subjectName = new Map(subjects.map((subject) => [subject.id, subject.name]));
  const points = scale
    .filter((point) => point.active)
    .map((point) => ({
      value: point.id,
      label: `${point.code} – ${point.mainstreamDescriptor || point.specialistDescriptor}`,
    }));

  const itemFor = (value: UnmappedValue, key: string): ValueItem => ({
    key,
    aspectId: value.aspect_id,
    aspectName: value.aspect_name,
    subjectName: subjectName.get(value.subject_id ?? -1) ?? 'this subject',
    value: value.raw_value,
    pupils: value.pupils,
    results: value.results,
    firstSeen: value.first_seen,
    lastSeen: value.last_seen,
    pending: pending
      .filter((rule) => proposalCovers(rule, value))
      .map((rule) =>
        pendingRuleFor(principal, rule, {
          proposer: nameOf(names, rule.proposedBy),
          code: rule.nxPointId ? (codes.get(rule.nxPointId) ?? null) : null,
          aspect: value.aspect_name,
          subject: subjectName.get(value.subject_id ?? -1),
        }),
      ),
    canPropose: canPropose(principal, school.id),
    canDecide: canDecide(principal, school.id, value.subject_id),
    error: null,
    resolved: null,
  });
  return { schoolId: school.id, csrf, points, years: yearChoices(), subjects, itemFor };
}

async function unmappedPage(
  site: Site,
  principal: Principal,
  school: School,
  collection: string,
  csrf: string,
  flash: string | null,
): Promise<string> {
  const all = [
    ...(await termlyCollections(site.db)),
    ...(await baselineCollections(site.db, school.id)),
  ];
  const chosen = all.find((option) => String(option.id) === collection) ?? null;
  const values = await unmappedValues(site.db, school.id, chosen?.id ?? null);
  const context = await valueContext(site, principal, school, csrf);
  const mappings = await pendingSubjectMappings(site.db, school.id);
  const names = await userNames(
    site.db,
    mappings.map((mapping) => mapping.proposedBy),
  );

  const bySubject = new Map<number, UnmappedView['subjects'][number]>();
  values.forEach((value, index) => {
    const subjectId = value.subject_id ?? -1;
    const subject = context.subjects.find((option) => option.id === subjectId);
    if (!bySubject.has(subjectId)) {
      bySubject.set(subjectId, { id: subjectId, name: subject?.name ?? 'Other', aspects: [] });
    }
    const group = bySubject.get(subjectId)!;
    let aspect = group.aspects.find((option) => option.id === value.aspect_id);
    if (!aspect) {
      aspect = {
        id: value.aspect_id,
        name: value.aspect_name,
        gradeSet: value.grade_set,
        values: [],
      };
      group.aspects.push(aspect);
    }
    aspect.values.push(context.itemFor(value, `${value.aspect_id}-${index}`));
  });

  const pendingMappings = mappings.map((mapping) => ({
    id: mapping.id,
    aspectName: mapping.aspectName,
    subject: mapping.ignored
      ? 'Not a trust subject'
      : (context.subjects.find((subject) => subject.id === mapping.subjectId)?.name ?? 'Other'),
    sourceName: mapping.sourceName,
    reason: mapping.reason,
    proposedBy: nameOf(names, mapping.proposedBy),
    proposedAt: mapping.proposedAt,
    canDecide: canDecide(principal, school.id, mapping.subjectId),
  }));

  return unmappedView({
    ...context,
    crumbs: [
      { href: '/', label: 'Home' },
      { href: `/schools/${school.id}`, label: school.name },
      { href: null, label: 'Unmapped values' },
    ],
    school: { id: school.id, name: school.name },
    collections: [
      { value: '', label: 'All collections' },
      ...all.map((option) => ({ value: String(option.id), label: option.label })),
    ],
    collection: chosen ? String(chosen.id) : '',
    subjects: [...bySubject.values()],
    pendingMappings,
    unlinked: await unlinkedAspects(site.db, school.id),
    subjectChoices: [
      ...context.subjects.map((subject) => ({ value: String(subject.id), label: subject.name })),
      { value: 'ignore', label: 'Not a trust subject' },
    ],
    canPropose: canPropose(principal, school.id),
    flash,
  });
}

async function sendUnmapped(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  principal: Principal,
  school: School,
  collection: string,
  flash: string | null,
) {
  const main = await unmappedPage(site, principal, school, collection, csrfOf(request), flash);
  return sendPage(site, request, reply, { title: `Unmapped values: ${school.name}`, main });
}

/** A value's item for htmx, or the whole page (with the item's news on top) for a plain post. */
async function answerItem(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  principal: Principal,
  school: School,
  item: string,
  status: number,
) {
  if (isFragment(request)) {
    prepare(reply, status);
    return reply.send(item);
  }
  const flash = html`<ul class="value-list">!${item}</ul>`;
  const main = await unmappedPage(site, principal, school, '', csrfOf(request), flash);
  return sendPage(site, request, reply, { title: 'Unmapped values', main, status });
}

function yearChoices() {
  return NC_YEARS.filter((year): year is Exclude<NcYear, 'X'> => year !== 'X').map((year) => ({
    value: String(ncYearOrdinal(year)),
    label: ncYearLabel(year),
  }));
}

export function parseForm<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HttpError(
    400,
    'invalid_request',
    `The form could not be read (${issue?.path.join('.') || 'form'}: ${issue?.message}).`,
  );
}
