import { html } from 'ghtml';
import { emptyState, pageHead, pager, table } from './components.ts';
import { dateTime } from './format.ts';

export interface AuditRow {
  at: Date;
  actor: string;
  action: string;
  entity: string;
  school: string | null;
  details: string;
}

export interface AuditView {
  entries: AuditRow[];
  page: number;
  hasNext: boolean;
}

/** Who changed what, newest first; details never hold secrets or raw pupil values. */
export function auditView(view: AuditView): string {
  const rows = view.entries.map(
    (entry) => html`<tr>
      <th scope="row">${dateTime(entry.at)}</th>
      <td>${entry.actor}</td>
      <td><code>${entry.action}</code></td>
      <td>${entry.entity}</td>
      <td>${entry.school ?? '–'}</td>
      <td class="details">${entry.details}</td>
    </tr>`,
  );
  return html`!${pageHead({
    eyebrow: 'Trust admin',
    title: 'Audit log',
    lede: 'Every change people and the service have made, newest first.',
  })}
    !${
      view.entries.length === 0
        ? emptyState('Nothing recorded', 'Changes appear here as people make them.')
        : table(
            'Audit log, newest first',
            [
              { label: 'When' },
              { label: 'Who' },
              { label: 'Action' },
              { label: 'What' },
              { label: 'School' },
              { label: 'Details' },
            ],
            rows,
          )
    }
    !${pager({ page: view.page, hasNext: view.hasNext, href: (page) => `/audit?page=${page}` })}`;
}
