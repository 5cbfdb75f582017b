import { html } from 'ghtml';
import {
  badge,
  breadcrumbs,
  type Crumb,
  csrfField,
  emptyState,
  notice,
  type Option,
  pageHead,
  selectField,
  type Tone,
  table,
} from './components.ts';
import { shortDate } from './format.ts';
import { type PendingRule, pendingRule } from './unmapped.ts';

export interface RuleRow {
  id: number;
  ruleKey: string;
  version: number;
  status: 'proposed' | 'confirmed' | 'rejected' | 'superseded';
  /** "EXS", "100 to 120", "Exp" read as "EXS". */
  match: string;
  appliesTo: string;
  pointCode: string | null;
  proposedBy: string;
  proposedAt: Date;
  proposalReason: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  canDecide: boolean;
}

export interface RulesView {
  crumbs: Crumb[];
  eyebrow: string;
  title: string;
  lede: string;
  filter: { action: string; choices: readonly Option[]; selected: string } | null;
  confirmed: RuleRow[];
  proposed: RuleRow[];
  /** Confirming every proposal at once, for a trust-wide subject leader. */
  bulk: { action: string; ids: number[] } | null;
  csrf: string;
  flash: string | null;
}

const STATUS: Record<RuleRow['status'], [string, Tone]> = {
  proposed: ['Proposed', 'action'],
  confirmed: ['Confirmed', 'good'],
  rejected: ['Rejected', 'bad'],
  superseded: ['Superseded', 'neutral'],
};

/** Mapping rules: confirmed ones in force, and proposals waiting for a subject leader. */
export function rulesView(view: RulesView): string {
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({ eyebrow: view.eyebrow, title: view.title, lede: view.lede })}
    !${view.flash ?? ''}
    !${view.filter ? filter(view.filter) : ''}
    <section class="section" aria-labelledby="proposed-title">
      <div class="section-head">
        <h2 id="proposed-title">Waiting for confirmation (${view.proposed.length})</h2>
        !${view.bulk && view.bulk.ids.length > 0 ? bulk(view.bulk, view.csrf) : ''}
      </div>
      !${
        view.proposed.length === 0
          ? emptyState('No proposals waiting', 'New proposals appear here for a subject leader.')
          : rulesTable('Proposed rules', view.proposed, view.csrf)
      }
    </section>
    <section class="section" aria-labelledby="confirmed-title">
      <h2 id="confirmed-title">Confirmed rules (${view.confirmed.length})</h2>
      !${
        view.confirmed.length === 0
          ? emptyState('No confirmed rules', 'Confirmed rules turn local grades into points.')
          : rulesTable('Confirmed rules', view.confirmed, view.csrf)
      }
    </section>`;
}

function filter(choice: NonNullable<RulesView['filter']>): string {
  return html`<form class="toolbar" method="get" action="${choice.action}"
    hx-get="${choice.action}" hx-target="#main" hx-push-url="true">
    !${selectField({
      id: 'subject',
      name: 'subject',
      label: 'Subject',
      choices: choice.choices,
      selected: choice.selected,
    })}
    <button type="submit" class="button button-secondary">Show</button>
  </form>`;
}

function bulk(all: NonNullable<RulesView['bulk']>, csrf: string): string {
  return html`<form method="post" action="${all.action}" hx-post="${all.action}"
    hx-target="#main">
    !${csrfField(csrf)}
    !${all.ids.map((id) => html`<input type="hidden" name="ruleId" value="${id}" />`)}
    <button type="submit" class="button button-primary">
      Confirm all ${all.ids.length} proposals
    </button>
  </form>`;
}

function rulesTable(caption: string, rules: readonly RuleRow[], csrf: string): string {
  const rows = rules.map(
    (rule) => html`<tr>
      <th scope="row"><code class="grade">${rule.match}</code></th>
      <td><strong>${rule.pointCode ?? '–'}</strong></td>
      <td>${rule.appliesTo}</td>
      <td>!${statusBadge(rule.status)} <span class="muted block">version ${rule.version}</span></td>
      <td>
        ${rule.proposedBy}, ${shortDate(rule.proposedAt)}
        <span class="muted block">${rule.proposalReason}</span>
      </td>
      <td>
        ${rule.decidedBy ? `${rule.decidedBy}, ${shortDate(rule.decidedAt)}` : '–'}
        <span class="muted block">${rule.decisionReason ?? ''}</span>
      </td>
      <td>
        <a href="/rules/${rule.ruleKey}">History</a>
        !${rule.status === 'proposed' && rule.canDecide ? pendingRule(asPending(rule), csrf) : ''}
      </td>
    </tr>`,
  );
  return table(
    caption,
    [
      { label: 'Local value' },
      { label: 'Point' },
      { label: 'Applies to' },
      { label: 'Status' },
      { label: 'Proposed by, and why' },
      { label: 'Decided by, and why' },
      { label: 'Actions' },
    ],
    rows,
  );
}

function asPending(rule: RuleRow): PendingRule {
  return {
    id: rule.id,
    ruleKey: rule.ruleKey,
    version: rule.version,
    pointCode: rule.pointCode,
    scope: rule.appliesTo,
    proposedBy: rule.proposedBy,
    proposedAt: rule.proposedAt,
    reason: rule.proposalReason,
    canDecide: rule.canDecide,
  };
}

export function statusBadge(status: RuleRow['status']): string {
  const [word, tone] = STATUS[status];
  return badge(word, tone);
}

export interface RuleHistoryView {
  crumbs: Crumb[];
  eyebrow: string;
  title: string;
  versions: RuleRow[];
}

/** Every version of one rule, oldest first: who proposed and decided it, when and why. */
export function ruleHistoryView(view: RuleHistoryView): string {
  const rows = view.versions.map(
    (rule) => html`<tr>
      <th scope="row" class="num">${rule.version}</th>
      <td>!${statusBadge(rule.status)}</td>
      <td><code class="grade">${rule.match}</code> → <strong>${rule.pointCode ?? '–'}</strong></td>
      <td>${rule.appliesTo}</td>
      <td>
        ${rule.proposedBy}, ${shortDate(rule.proposedAt)}
        <span class="muted block">${rule.proposalReason}</span>
      </td>
      <td>
        ${rule.decidedBy ? `${rule.decidedBy}, ${shortDate(rule.decidedAt)}` : '–'}
        <span class="muted block">${rule.decisionReason ?? ''}</span>
      </td>
    </tr>`,
  );
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({ eyebrow: view.eyebrow, title: view.title })}
    !${table(
      'Versions of this rule, oldest first',
      [
        { label: 'Version', numeric: true },
        { label: 'Status' },
        { label: 'Maps' },
        { label: 'Applies to' },
        { label: 'Proposed by, and why' },
        { label: 'Decided by, and why' },
      ],
      rows,
    )}`;
}

/** The answer to a decision: what it did, in place of the proposal's buttons. */
export function decisionResult(message: string, tone: 'good' | 'info' | 'bad'): string {
  return html`<div class="pending">!${notice(tone, html`<p>${message}</p>`)}</div>`;
}
