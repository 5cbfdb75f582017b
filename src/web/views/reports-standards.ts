import { html } from 'ghtml';
import type { SubjectGrid, SubjectRef } from '../../reports/attainment.ts';
import type { SubjectMovement } from '../../reports/movement.ts';
import type { SubjectOverTime } from '../../reports/over-time.ts';
import type { GroupSection } from '../../reports/report.ts';
import { SUPPRESSION_TEXT } from '../../reports/suppression.ts';
import type { TargetsReport } from '../../reports/targets-report.ts';
import type { ScalePoint } from '../../reports/thresholds.ts';
import { shortYearGroup } from '../../reports/year-groups.ts';
import { breadcrumbs, type Crumb } from './components.ts';
import { calendarDate, count } from './format.ts';
import { TRUST_NAME } from './layout.ts';
import { groupsFigure } from './reports.ts';
import { movementBars, shareBars } from './reports-charts.ts';
import { leftOutText, percentText } from './reports-format.ts';
import {
  gridTable,
  groupsTable,
  type HeadCell,
  movementTable,
  outcomesTable,
  overTimeTable,
  phonicsTable,
  reportTable,
  type SchoolSummary,
  schoolsTable,
} from './reports-tables.ts';

/**
 * The Standards Report (7.4): the dashboard's figures as a document for the board and local
 * governors, printable on A4 in black and white. It names no pupil: who is left out is counted
 * by reason here and listed on the school's dashboard.
 */

export interface StandardsView {
  scope: 'school' | 'trust';
  crumbs: Crumb[];
  stylesheet: string;
  printScript: string;
  /** The school's name, or the trust's. */
  subjectOf: string;
  schoolCount: number;
  collection: { label: string; date: string };
  previousLabel: string | null;
  today: string;
  subjects: readonly SubjectRef[];
  columns: readonly ScalePoint[];
  attainment: readonly SubjectGrid[];
  schools: readonly SchoolSummary[] | null;
  groups: readonly GroupSection[];
  overTime: readonly SubjectOverTime[];
  movement: readonly SubjectMovement[];
  targets: TargetsReport | null;
  suppressionThreshold: number;
  schoolNames: ReadonlyMap<string, string>;
  dashboard: string;
}

export function standardsReport(view: StandardsView): string {
  let number = 0;
  const next = () => {
    number += 1;
    return number;
  };
  return html`<link rel="stylesheet" href="${view.stylesheet}" />
    <script src="${view.printScript}" defer></script>
    !${breadcrumbs(view.crumbs)}
    <div class="no-print standards-actions">
      <button type="button" class="button button-primary" data-print>Print</button>
      <a class="button button-secondary" href="${view.dashboard}">Back to the dashboard</a>
    </div>
    <article class="standards" aria-labelledby="standards-title">
      <header class="standards-head">
        <p class="eyebrow">${TRUST_NAME} · Standards Report</p>
        <h1 id="standards-title">${view.subjectOf}: ${view.collection.label}</h1>
        <p class="lede">
          ${view.scope === 'trust' ? `The ${count(view.schoolCount)} schools of the trust. ` : ''}
          Collection date ${calendarDate(view.collection.date)}. Prepared on
          ${calendarDate(view.today)} from the School Performance Dashboard (6.5) for the
          Standards Board (7.4) and local governors (7.3).
        </p>
      </header>
      !${summarySection(next(), view)}
      !${view.schools ? schoolsPart(next(), view, view.schools) : ''}
      !${attainmentPart(next(), view)} !${groupsPart(next(), view)}
      !${overTimePart(next(), view)} !${movementPart(next(), view)}
      !${targetsPart(next(), view)} !${notesPart(next(), view)}
    </article>`;
}

function part(number: number, id: string, title: string, body: string, newPage = false) {
  return html`<section class="standards-part ${newPage ? 'page-break' : ''}"
    aria-labelledby="${id}-title">
    <h2 id="${id}-title"><span class="part-number">${number}.</span> ${title}</h2>
    !${body}
  </section>`;
}

function summarySection(number: number, view: StandardsView): string {
  const head: HeadCell[] = [
    { label: 'Subject' },
    { label: 'Pupils counted', numeric: true },
    { label: 'At or above their point', numeric: true },
    { label: 'Left out' },
  ];
  const rows = view.attainment.map(
    (grid) => html`<tr>
      <th scope="row">${grid.subject}</th>
      <td class="num">${count(grid.total.pupils)}</td>
      <td class="num"><strong>${percentText(grid.total.percent)}</strong>
        <span class="muted block">${count(grid.total.atOrAbove)} pupils</span></td>
      <td>${leftOutText(grid.leftOut)}</td>
    </tr>`,
  );
  return part(
    number,
    'summary',
    'Summary',
    html`<p>
        The share of pupils at or above their year group's point: NX7 at Y2 and NX9 at Y6 (the
        statutory expected standards), otherwise the median point of the pupils counted.
      </p>
      !${reportTable('Key figures by subject.', [head], rows)}`,
  );
}

function schoolsPart(number: number, view: StandardsView, schools: readonly SchoolSummary[]) {
  return part(number, 'schools', 'Schools', schoolsTable(schools, view.subjects, view.attainment));
}

function attainmentPart(number: number, view: StandardsView): string {
  const blocks = view.attainment.map(
    (grid) => html`<div class="standards-block">
      <h3>${grid.subject}</h3>
      <figure class="chart">
        !${shareBars(
          `standards-attainment-${grid.subjectId}`,
          `${grid.subject}: share at or above the year group's point`,
          grid.rows.map((row) => ({
            label: shortYearGroup(row.year),
            percent: row.percent,
            note: `${row.atOrAbove} of ${row.pupils} at or above ${row.threshold?.code ?? '–'}`,
          })),
        )}
      </figure>
      !${gridTable(grid, view.columns)}
    </div>`,
  );
  return part(
    number,
    'attainment',
    'Attainment by year group and Next Steps point',
    blocks.join(''),
    true,
  );
}

function groupsPart(number: number, view: StandardsView): string {
  const threshold = view.suppressionThreshold;
  const blocks = view.groups.map((section) => {
    const [all, ...parts] = section.tables;
    if (!all || all.pupils === 0) return '';
    const schools = parts.filter((table) => table.part.kind === 'school');
    return html`<div class="standards-block">
      <h3>${section.subject}</h3>
      !${groupsFigure(`standards-gaps-${section.subjectId}`, section.subject, all, threshold)}
      !${groupsTable(all, `${section.subject}, every year group.`, threshold)}
      !${schools.map((table) =>
        groupsTable(table, `${section.subject}, ${schoolOf(table, view)}.`, threshold),
      )}
    </div>`;
  });
  return part(
    number,
    'groups',
    'Groups: disadvantaged, SEND, EAL, girls and boys',
    html`<p>
        A group of fewer than ${threshold} pupils is shown as
        "${SUPPRESSION_TEXT.small_group(threshold)}", with the figure beside it, so that no pupil
        can be identified.
      </p>
      !${blocks}`,
    true,
  );
}

function schoolOf(table: GroupSection['tables'][number], view: StandardsView): string {
  return table.part.kind === 'school' ? (view.schoolNames.get(table.part.schoolId) ?? '') : '';
}

function overTimePart(number: number, view: StandardsView): string {
  const blocks = view.overTime.map(
    (subject) => html`<div class="standards-block">
      <h3>${subject.subject}</h3>
      <figure class="chart">
        !${shareBars(
          `standards-over-time-${subject.subjectId}`,
          `${subject.subject}: share at or above, collection by collection`,
          subject.points.map((point) => ({
            label: point.label,
            percent: point.pupils === 0 ? null : point.percent,
            note:
              point.pupils === 0
                ? 'no points landed'
                : `${point.atOrAbove} of ${point.pupils}; ${point.leftOut.total} left out`,
          })),
        )}
      </figure>
      !${overTimeTable(subject, view.suppressionThreshold)}
    </div>`,
  );
  return part(number, 'over-time', 'Over time', blocks.join(''), true);
}

function movementPart(number: number, view: StandardsView): string {
  return part(
    number,
    'movement',
    'Movement on the scale',
    html`<p>
        Progress may be non-linear (3.2.3, 4.1): staying at a point or moving down is shown as it
        is, never as an error.
      </p>
      <figure class="chart">
        !${movementBars(
          'standards-movement',
          `Movement since ${view.previousLabel ?? 'the previous collection'}`,
          view.movement.map((movement) => ({ label: movement.subject, ...movement.sincePrevious })),
        )}
      </figure>
      !${movementTable(view.movement, view.previousLabel)}`,
  );
}

function targetsPart(number: number, view: StandardsView): string {
  const body = view.targets
    ? html`!${outcomesTable(view.targets, view.today)} !${phonicsTable(view.targets)}`
    : html`<p>No school year holds this collection.</p>`;
  return part(number, 'targets', 'Most likely outcomes and phonics projections', body);
}

function notesPart(number: number, view: StandardsView): string {
  return part(
    number,
    'notes',
    'How the figures are made',
    html`<ul class="notes">
      <li>
        Pupils are counted when they were on roll on the collection date and have a landed point;
        every figure gives how many it counts. Pupils on roll with no point, pupils who left before
        the date and pupils who joined after it are left out, counted by reason, and listed by
        name on the school's dashboard.
      </li>
      <li>
        Year groups are those pupils were in at the collection. X is a pupil not following a
        National Curriculum year (3.2.3).
      </li>
      <li>
        Trust figures count every pupil of every school, never an average of schools, and use
        one point per year group for the whole trust. A specialist school's own report uses the
        median point of each year group, as linear standards are not always fitting there (4.1).
      </li>
      <li>
        Groups of fewer than ${view.suppressionThreshold} pupils are suppressed, with the figure
        for the other pupils beside them and, where parts of a whole could be subtracted, further
        parts.
      </li>
    </ul>`,
  );
}
