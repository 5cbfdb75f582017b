import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html } from 'ghtml';
import { z } from 'zod';
import { canDecide, type Principal } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import { describeRuleScope, type GradeRule } from '../../domain/grade-rules.ts';
import { decideGradeRules, gradeRuleHistory, MappingError } from '../../sync/mapping.ts';
import { listScale } from '../../trust/scale.ts';
import { principalOf } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool } from '../scope.ts';
import { notice } from '../views/components.ts';
import { sentence } from '../views/format.ts';
import { decisionResult, type RuleRow, ruleHistoryView, rulesView } from '../views/rules.ts';
import type { PendingRule } from '../views/unmapped.ts';
import { pendingRule } from '../views/unmapped.ts';
import {
  activeSubjects,
  aspectsOf,
  currentRules,
  nameOf,
  type RuleRecord,
  ruleById,
  type School,
  userNames,
} from './queries.ts';
import { csrfOf, isFragment, prepare, type Site, sendPage, sendRedirect } from './respond.ts';
import { effect, parseForm } from './unmapped.ts';

/**
 * Mapping rules: a school's rules per subject, the trust-wide library with its proposals, each
 * rule's history, and the decision on a proposed version, which re-derives at once.
 */

const decisionForm = z.object({
  decision: z.enum(['confirm', 'reject']),
  reason: z.string().trim().max(500).default(''),
});

interface Names {
  people: Map<string, string>;
  codes: Map<string, string>;
  aspects: Map<number, { name: string; subjectId: number | null }>;
  subjects: Map<number, string>;
}

export function ruleRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  app.get('/schools/:schoolId/rules', async (request, reply) => {
    const principal = principalOf(request);
    const { schoolId } = z.object({ schoolId: z.string() }).parse(request.params);
    const school = await visibleSchool(db, principal, schoolId);
    const { subject } = z
      .object({ subject: z.coerce.number().int().optional().catch(undefined) })
      .parse(request.query);
    const main = await schoolRulesPage(site, principal, school, subject ?? null, csrfOf(request));
    return sendPage(site, request, reply, { title: `Mapping rules: ${school.name}`, main });
  });

  app.get('/rules/library', async (request, reply) => {
    const main = await libraryPage(site, principalOf(request), csrfOf(request), null);
    return sendPage(site, request, reply, { title: 'Rule library', main });
  });

  app.post('/rules/library/confirm', async (request, reply) => {
    const principal = principalOf(request);
    const body = z
      .object({ ruleId: z.union([z.string(), z.array(z.string())]).default([]) })
      .parse(request.body ?? {});
    const ids = [body.ruleId].flat().map(Number).filter(Number.isInteger);
    for (const id of ids) {
      const rule = await ruleById(db, id);
      if (!rule || rule.schoolId !== null) {
        throw new HttpError(404, 'not_found', 'One of those rules is not in the library.');
      }
      requireThat(
        canDecide(principal, null, rule.subjectId),
        'Only a trust-wide subject leader or a trust admin can confirm library rules.',
      );
    }
    let flash: string;
    try {
      const outcome = await decideGradeRules(
        db,
        actorOf(principal),
        ids,
        { decision: 'confirm', reason: 'Confirmed with the rest of the library' },
        site.context.clock.today(),
      );
      flash = notice(
        'good',
        html`<p>Confirmed ${ids.length} library rules. ${effect(outcome, null)}</p>`,
      );
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      flash = notice('bad', html`<p>${error.message}</p>`);
    }
    const main = await libraryPage(site, principal, csrfOf(request), flash);
    return sendPage(site, request, reply, { title: 'Rule library', main });
  });

  app.get('/rules/:ruleKey', async (request, reply) => {
    const principal = principalOf(request);
    const { ruleKey } = z.object({ ruleKey: z.string() }).parse(request.params);
    if (!z.uuid().safeParse(ruleKey).success) {
      throw new HttpError(404, 'not_found', 'There is no such rule.');
    }
    const versions = await gradeRuleHistory(db, ruleKey);
    if (versions.length === 0) throw new HttpError(404, 'not_found', 'There is no such rule.');
    const schoolId = versions[0]!.schoolId;
    const school = schoolId ? await visibleSchool(db, principal, schoolId) : null;
    const names = await namesFor(site, versions, school?.id ?? null);
    const rows = versions.map((rule) => ruleRow(principal, rule, names));
    const latest = rows.at(-1)!;
    const main = ruleHistoryView({
      crumbs: [
        { href: '/', label: 'Home' },
        school
          ? { href: `/schools/${school.id}/rules`, label: `${school.name} rules` }
          : { href: '/rules/library', label: 'Rule library' },
        { href: null, label: 'Rule history' },
      ],
      eyebrow: school ? school.name : 'Trust library',
      title: `“${latest.match}” → ${latest.pointCode ?? 'alias'}`,
      versions: rows,
    });
    return sendPage(site, request, reply, { title: 'Rule history', main });
  });

  app.post('/grade-rules/:ruleId/decision', async (request, reply) => {
    const principal = principalOf(request);
    const { ruleId } = z.object({ ruleId: z.coerce.number().int() }).parse(request.params);
    const rule = await ruleById(db, ruleId);
    if (!rule) throw new HttpError(404, 'not_found', 'There is no such rule.');
    if (rule.schoolId) await visibleSchool(db, principal, rule.schoolId);
    requireThat(
      canDecide(principal, rule.schoolId, rule.subjectId),
      'Only a subject leader for this school and subject can decide this rule.',
    );
    const form = parseForm(decisionForm, request.body);
    const names = await namesFor(site, [rule], rule.schoolId);
    const code = rule.nxPointId ? (names.codes.get(rule.nxPointId) ?? null) : null;
    try {
      const outcome = await decideGradeRules(
        db,
        actorOf(principal),
        [rule.id],
        form,
        site.context.clock.today(),
      );
      const message =
        form.decision === 'confirm'
          ? `Confirmed “${rule.value ?? rule.aliasOf}” as ${code ?? 'an alias'} ` +
            `(version ${rule.version}). ${effect(outcome, code)}`
          : `Rejected version ${rule.version}. The reason is kept in the rule's history.`;
      return answerDecision(request, reply, rule, decisionResult(message, 'good'), 200);
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      const again = pendingRuleFor(principal, rule, {
        proposer: nameOf(names.people, rule.proposedBy),
        code,
      });
      const body = pendingRule(again, csrfOf(request), error.message);
      return answerDecision(request, reply, rule, body, 422);
    }
  });
}

function answerDecision(
  request: FastifyRequest,
  reply: FastifyReply,
  rule: RuleRecord,
  fragment: string,
  status: number,
) {
  if (!isFragment(request)) return sendRedirect(request, reply, `/rules/${rule.ruleKey}`);
  prepare(reply, status);
  return reply.send(fragment);
}

/** A proposed rule as the value lists and rule tables show it, with who may decide it. */
export function pendingRuleFor(
  principal: Principal,
  rule: RuleRecord,
  names: { proposer: string; code: string | null; aspect?: string; subject?: string },
): PendingRule {
  return {
    id: rule.id,
    ruleKey: rule.ruleKey,
    version: rule.version,
    pointCode: rule.nxPointId ? names.code : null,
    scope: sentence(describeRuleScope(asGradeRule(rule), names)),
    proposedBy: names.proposer,
    proposedAt: rule.proposedAt,
    reason: rule.proposalReason,
    canDecide: canDecide(principal, rule.schoolId, rule.subjectId),
  };
}

async function schoolRulesPage(
  site: Site,
  principal: Principal,
  school: School,
  subject: number | null,
  csrf: string,
) {
  const rules = await currentRules(site.db, school.id);
  const names = await namesFor(site, rules, school.id);
  const subjects = await activeSubjects(site.db);
  const fits = (rule: RuleRecord) => {
    if (subject === null) return true;
    const of =
      rule.subjectId ?? (rule.aspectId ? names.aspects.get(rule.aspectId)?.subjectId : null);
    return of === subject || of === null || of === undefined;
  };
  const rows = rules.filter(fits).map((rule) => ruleRow(principal, rule, names));
  const action = `/schools/${school.id}/rules`;
  return rulesView({
    crumbs: [
      { href: '/', label: 'Home' },
      { href: `/schools/${school.id}`, label: school.name },
      { href: null, label: 'Mapping rules' },
    ],
    eyebrow: school.name,
    title: 'Mapping rules',
    lede:
      "The school's own rules; the trust library's rules apply where none of these does. " +
      'The most specific confirmed rule wins.',
    filter: {
      action,
      choices: [
        { value: '', label: 'All subjects' },
        ...subjects.map((option) => ({ value: String(option.id), label: option.name })),
      ],
      selected: subject === null ? '' : String(subject),
    },
    confirmed: rows.filter((row) => row.status === 'confirmed'),
    proposed: rows.filter((row) => row.status === 'proposed'),
    bulk: null,
    csrf,
    flash: null,
  });
}

async function libraryPage(site: Site, principal: Principal, csrf: string, flash: string | null) {
  const rules = await currentRules(site.db, null);
  const names = await namesFor(site, rules, null);
  const rows = rules.map((rule) => ruleRow(principal, rule, names));
  const proposed = rows.filter((row) => row.status === 'proposed');
  const allowed = proposed.filter((row) => row.canDecide).map((row) => row.id);
  return rulesView({
    crumbs: [
      { href: '/', label: 'Home' },
      { href: null, label: 'Rule library' },
    ],
    eyebrow: 'Trust-wide',
    title: 'Rule library',
    lede:
      'Standard codes every school may use: statutory teacher assessment, pre-key stage ' +
      "standards, qualifications and the trust's own NX codes. Each lands grades only once a " +
      'trust-wide subject leader confirms it.',
    filter: null,
    confirmed: rows.filter((row) => row.status === 'confirmed'),
    proposed,
    bulk: allowed.length > 1 ? { action: '/rules/library/confirm', ids: allowed } : null,
    csrf,
    flash,
  });
}

async function namesFor(
  site: Site,
  rules: readonly RuleRecord[],
  schoolId: string | null,
): Promise<Names> {
  const people = await userNames(
    site.db,
    rules.flatMap((rule) => [rule.proposedBy, rule.decidedBy]),
  );
  const scale = await listScale(site.db);
  const subjects = await activeSubjects(site.db);
  const aspects = schoolId ? await aspectsOf(site.db, schoolId) : [];
  return {
    people,
    codes: new Map(scale.map((point) => [point.id, point.code])),
    aspects: new Map(aspects.map((aspect) => [aspect.id, aspect])),
    subjects: new Map(subjects.map((subject) => [subject.id, subject.name])),
  };
}

function ruleRow(principal: Principal, rule: RuleRecord, names: Names): RuleRow {
  const aspect = rule.aspectId ? names.aspects.get(rule.aspectId)?.name : undefined;
  const subject = rule.subjectId ? names.subjects.get(rule.subjectId) : undefined;
  return {
    id: rule.id,
    ruleKey: rule.ruleKey,
    version: rule.version,
    status: rule.status,
    match: matchText(rule),
    appliesTo: sentence(describeRuleScope(asGradeRule(rule), { aspect, subject })),
    pointCode: rule.nxPointId ? (names.codes.get(rule.nxPointId) ?? null) : null,
    proposedBy: nameOf(names.people, rule.proposedBy),
    proposedAt: rule.proposedAt,
    proposalReason: rule.proposalReason,
    decidedBy: rule.decidedAt ? deciderOf(names.people, rule.decidedBy) : null,
    decidedAt: rule.decidedAt,
    decisionReason: rule.decisionReason,
    canDecide: canDecide(principal, rule.schoolId, rule.subjectId),
  };
}

function deciderOf(people: Map<string, string>, id: string | null): string {
  return id === null ? 'the service' : (people.get(id) ?? 'a former user');
}

function matchText(rule: RuleRecord): string {
  if (rule.match === 'range') {
    if (rule.rangeMin === null) return `up to ${rule.rangeMax}`;
    if (rule.rangeMax === null) return `${rule.rangeMin} and above`;
    return `${rule.rangeMin} to ${rule.rangeMax}`;
  }
  if (rule.match === 'alias') return `${rule.value} read as ${rule.aliasOf}`;
  return rule.value ?? '';
}

function asGradeRule(rule: RuleRecord): GradeRule {
  return {
    ...rule,
    rangeMin: rule.rangeMin === null ? null : Number(rule.rangeMin),
    rangeMax: rule.rangeMax === null ? null : Number(rule.rangeMax),
  };
}
