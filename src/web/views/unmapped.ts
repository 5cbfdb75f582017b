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
  selectField,
  table,
} from './components.ts';
import { count, plural, shortDate } from './format.ts';

/** A proposed rule that would map a value once someone confirms it. */
export interface PendingRule {
  id: number;
  ruleKey: string;
  version: number;
  pointCode: string | null;
  scope: string;
  proposedBy: string;
  proposedAt: Date;
  reason: string;
  canDecide: boolean;
}

export interface ValueItem {
  /** Unique on the page, for element ids. */
  key: string;
  aspectId: number;
  aspectName: string;
  subjectName: string;
  value: string;
  pupils: number;
  results: number;
  firstSeen: string;
  lastSeen: string;
  pending: PendingRule[];
  canPropose: boolean;
  canDecide: boolean;
  error: string | null;
  /** After a decision: what it did, and the rule it made. */
  resolved: { message: string; ruleKey: string; tone: 'good' | 'info' } | null;
}

export interface AspectValues {
  id: number;
  name: string;
  gradeSet: string | null;
  values: ValueItem[];
}

export interface SubjectValues {
  id: number;
  name: string;
  aspects: AspectValues[];
}

export interface PendingMapping {
  id: number;
  aspectName: string;
  /** The subject suggested: "Mathematics", or "Not a trust subject". */
  subject: string;
  sourceName: string;
  reason: string;
  proposedBy: string;
  proposedAt: Date;
  canDecide: boolean;
}

export interface UnlinkedAspect {
  id: number;
  name: string;
  sourceName: string;
  firstSeen: Date;
}

/** What the value forms need from the page. */
export interface ValueFormContext {
  schoolId: string;
  csrf: string;
  points: readonly Option[];
  years: readonly Option[];
}

export interface UnmappedView extends ValueFormContext {
  crumbs: Crumb[];
  school: { id: string; name: string };
  collections: readonly Option[];
  collection: string;
  subjects: SubjectValues[];
  pendingMappings: PendingMapping[];
  unlinked: UnlinkedAspect[];
  subjectChoices: readonly Option[];
  canPropose: boolean;
  /** What the last decision did: `html` output. */
  flash: string | null;
}

/** Values no confirmed rule maps yet, grouped by subject and assessment, with a form for each. */
export function unmappedView(view: UnmappedView): string {
  const total = view.subjects
    .flatMap((subject) => subject.aspects)
    .reduce((sum, aspect) => sum + aspect.values.length, 0);
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: view.school.name,
      title: 'Unmapped values',
      lede:
        'Local grades that have arrived but that no confirmed rule turns into a Next Steps ' +
        'point yet. Choose the point each one means; a subject leader confirms it (6.1, 6.2).',
    })}
    <div id="unmapped-flash">!${view.flash ?? ''}</div>
    !${collectionPicker(view)}
    !${view.pendingMappings.length > 0 ? pendingMappings(view) : ''}
    !${view.unlinked.length > 0 ? unlinked(view) : ''}
    <section class="section" aria-labelledby="values-title">
      <h2 id="values-title">Values waiting for a rule (${count(total)})</h2>
      !${
        total === 0
          ? emptyState(
              'Nothing to map',
              'Every value that has arrived for a confirmed subject lands as a point.',
            )
          : view.subjects.map((subject) => subjectSection(subject, view))
      }
    </section>`;
}

function collectionPicker(view: UnmappedView): string {
  const action = `/schools/${view.school.id}/unmapped`;
  return html`<form class="toolbar" method="get" action="${action}" hx-get="${action}"
    hx-target="#main" hx-push-url="true">
    !${selectField({
      id: 'collection',
      name: 'collection',
      label: 'Collection',
      choices: view.collections,
      selected: view.collection,
    })}
    <button type="submit" class="button button-secondary">Show</button>
  </form>`;
}

function subjectSection(subject: SubjectValues, view: UnmappedView): string {
  return html`<div class="subject-block">
    <h3>${subject.name}</h3>
    !${subject.aspects.map(
      (aspect) => html`<div class="aspect-block">
        <h4>
          ${aspect.name}
          <span class="muted">
            ${aspect.gradeSet ? `grade set ${aspect.gradeSet} · ` : ''}
            ${plural(aspect.values.length, 'value')}
          </span>
        </h4>
        <ul class="value-list">
          !${aspect.values.map((item) => valueItem(item, view))}
        </ul>
      </div>`,
    )}
  </div>`;
}

/** One value: its counts, any proposal waiting, and the form to propose or confirm its point. */
export function valueItem(item: ValueItem, context: ValueFormContext): string {
  const seen = `First seen ${shortDate(item.firstSeen)}, last seen ${shortDate(item.lastSeen)}`;
  return html`<li class="value-item" id="value-${item.key}">
    <div class="value-head">
      <code class="grade">${item.value}</code>
      <span>
        ${plural(item.pupils, 'pupil')} · ${plural(item.results, 'result')}
        <span class="muted block">${seen}</span>
      </span>
    </div>
    !${
      item.resolved
        ? notice(
            item.resolved.tone,
            html`<p>${item.resolved.message}</p>
            <p><a href="/rules/${item.resolved.ruleKey}">See the rule and its history</a></p>`,
          )
        : html`!${item.pending.map((rule) => pendingRule(rule, context.csrf))}
        !${item.canPropose ? valueForm(item, context) : ''}`
    }
  </li>`;
}

function valueForm(item: ValueItem, context: ValueFormContext): string {
  const action = `/schools/${context.schoolId}/unmapped/rules`;
  const id = (name: string) => `${name}-${item.key}`;
  return html`<form class="value-form" method="post" action="${action}" hx-post="${action}"
    hx-target="closest .value-item" hx-swap="outerHTML">
    !${csrfField(context.csrf)}
    <input type="hidden" name="aspectId" value="${item.aspectId}" />
    <input type="hidden" name="value" value="${item.value}" />
    <input type="hidden" name="key" value="${item.key}" />
    !${item.error ? notice('bad', html`<p>${item.error}</p>`) : ''}
    <div class="form-row">
      <div class="field">
        <label for="${id('nx')}">
          Next Steps point<span class="visually-hidden"> for “${item.value}”</span>
        </label>
        <select id="${id('nx')}" name="nxPointId" required>
          <option value="">Choose a point…</option>
          !${options(context.points, null)}
        </select>
      </div>
      <div class="field">
        <label for="${id('scope')}">Applies to</label>
        <select id="${id('scope')}" name="scope">
          <option value="aspect">This assessment only (${item.aspectName})</option>
          <option value="subject">All ${item.subjectName} assessments at this school</option>
        </select>
      </div>
      <div class="field">
        <label for="${id('from')}">From year (optional)</label>
        <select id="${id('from')}" name="yearFrom">
          <option value="">Any year</option>
          !${options(context.years, null)}
        </select>
      </div>
      <div class="field">
        <label for="${id('to')}">To year (optional)</label>
        <select id="${id('to')}" name="yearTo">
          <option value="">Any year</option>
          !${options(context.years, null)}
        </select>
      </div>
    </div>
    <div class="field">
      <label for="${id('why')}">Why (optional)</label>
      <input id="${id('why')}" name="reason" maxlength="500" autocomplete="off"
        placeholder="What this grade means at the school" />
    </div>
    <div class="button-row">
      !${
        item.canDecide
          ? html`<button type="submit" name="action" value="confirm" class="button button-primary">
            Confirm this point
          </button>`
          : ''
      }
      <button type="submit" name="action" value="propose" class="button button-secondary">
        Propose for a subject leader
      </button>
    </div>
  </form>`;
}

/** A proposal waiting for a decision; a subject leader confirms it, or rejects it with a reason. */
export function pendingRule(rule: PendingRule, csrf: string, error: string | null = null): string {
  const action = `/grade-rules/${rule.id}/decision`;
  const decide = rule.canDecide
    ? html`<div class="button-row">
        <form method="post" action="${action}" hx-post="${action}" hx-target="closest .pending"
          hx-swap="outerHTML">
          !${csrfField(csrf)}
          <input type="hidden" name="decision" value="confirm" />
          <button type="submit" class="button button-primary">Confirm ${rule.pointCode}</button>
        </form>
        <form method="post" action="${action}" hx-post="${action}" hx-target="closest .pending"
          hx-swap="outerHTML" class="reject-form">
          !${csrfField(csrf)}
          <input type="hidden" name="decision" value="reject" />
          <label for="reject-rule-${rule.id}" class="visually-hidden">Why reject it</label>
          <input id="reject-rule-${rule.id}" name="reason" required
            placeholder="Why reject it (required)" />
          <button type="submit" class="button button-danger">Reject</button>
        </form>
      </div>`
    : html`<p class="muted">Waiting for a subject leader to confirm.</p>`;
  return html`<div class="pending">
    !${error ? notice('bad', html`<p>${error}</p>`) : ''}
    <p>
      <strong>Proposed: ${rule.pointCode ?? 'an alias'}</strong>
      (${rule.scope}, version ${rule.version}) by ${rule.proposedBy}, ${shortDate(rule.proposedAt)}:
      “${rule.reason}”
    </p>
    !${decide}
  </div>`;
}

function pendingMappings(view: UnmappedView): string {
  const bulk = `/schools/${view.school.id}/subject-mappings/confirm`;
  const ids = view.pendingMappings.filter((mapping) => mapping.canDecide).map((m) => m.id);
  const rows = view.pendingMappings.map(
    (mapping) => html`<tr>
      <th scope="row">
        ${mapping.aspectName} <span class="muted block">from ${mapping.sourceName}</span>
      </th>
      <td><strong>${mapping.subject}</strong></td>
      <td>
        ${mapping.reason}
        <span class="muted block">${mapping.proposedBy}, ${shortDate(mapping.proposedAt)}</span>
      </td>
      <td>!${mapping.canDecide ? mappingDecision(mapping, view.csrf) : ''}</td>
    </tr>`,
  );
  const confirmAll =
    ids.length > 0
      ? html`<form method="post" action="${bulk}" hx-post="${bulk}" hx-target="#main">
          !${csrfField(view.csrf)}
          !${ids.map((id) => html`<input type="hidden" name="mappingId" value="${id}" />`)}
          <button type="submit" class="button button-primary">
            Confirm all suggestions in this column (${ids.length})
          </button>
        </form>`
      : '';
  return html`<section class="section" aria-labelledby="mappings-title">
    <div class="section-head">
      <h2 id="mappings-title">Assessments waiting for a subject</h2>
      !${confirmAll}
    </div>
    <p class="muted">
      Suggested from each assessment's name. Once confirmed, its values appear below and the ones
      a confirmed rule covers land at once.
    </p>
    !${table(
      'Subjects suggested for assessments',
      [
        { label: 'Assessment' },
        { label: 'Suggested subject' },
        { label: 'Why' },
        { label: 'Decision' },
      ],
      rows,
    )}
  </section>`;
}

function mappingDecision(mapping: PendingMapping, csrf: string): string {
  const action = `/subject-mappings/${mapping.id}/decision`;
  return html`<div class="button-row">
    <form method="post" action="${action}" hx-post="${action}" hx-target="#main">
      !${csrfField(csrf)}
      <input type="hidden" name="decision" value="confirm" />
      <button type="submit" class="button button-secondary">
        Confirm<span class="visually-hidden"> ${mapping.aspectName}</span>
      </button>
    </form>
    <form method="post" action="${action}" hx-post="${action}" hx-target="#main"
      class="reject-form">
      !${csrfField(csrf)}
      <input type="hidden" name="decision" value="reject" />
      <label for="reject-mapping-${mapping.id}" class="visually-hidden">
        Why reject the suggestion for ${mapping.aspectName}
      </label>
      <input id="reject-mapping-${mapping.id}" name="reason" required
        placeholder="Why reject it (required)" />
      <button type="submit" class="button button-danger">Reject</button>
    </form>
  </div>`;
}

function unlinked(view: UnmappedView): string {
  const items = view.unlinked.map((aspect) => {
    const action = `/aspects/${aspect.id}/subject-mapping`;
    return html`<li class="mapping-item">
      <div>
        <strong>${aspect.name}</strong>
        <span class="muted">
          from ${aspect.sourceName}, first seen ${shortDate(aspect.firstSeen)}
        </span>
      </div>
      !${
        view.canPropose
          ? html`<form method="post" action="${action}" hx-post="${action}" hx-target="#main"
            class="form-row">
            !${csrfField(view.csrf)}
            <div class="field">
              <label for="subject-${aspect.id}">Subject for ${aspect.name}</label>
              <select id="subject-${aspect.id}" name="subject" required>
                <option value="">Choose…</option>
                !${options(view.subjectChoices, null)}
              </select>
            </div>
            <button type="submit" class="button button-secondary">Propose</button>
          </form>`
          : ''
      }
    </li>`;
  });
  return html`<section class="section" aria-labelledby="unlinked-title">
    <h2 id="unlinked-title">Assessments with no subject suggested</h2>
    <ul class="mapping-list card">!${items}</ul>
  </section>`;
}
