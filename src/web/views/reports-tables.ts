import { html } from 'ghtml';
import type { SubjectGrid, SubjectRef } from '../../reports/attainment.ts';
import { LEFT_OUT_TEXT, type LeftOutPupil, type LeftOutTally } from '../../reports/denominators.ts';
import { GROUP_KEYS, GROUP_SHORT_LABELS, type GroupTable } from '../../reports/groups.ts';
import type { SubjectMovement } from '../../reports/movement.ts';
import type { SubjectOverTime } from '../../reports/over-time.ts';
import { SUPPRESSION_TEXT } from '../../reports/suppression.ts';
import { PROJECTION_TEXT, type Projection } from '../../reports/targets.ts';
import type { TargetPupilRow, TargetsReport } from '../../reports/targets-report.ts';
import type { ScalePoint } from '../../reports/thresholds.ts';
import { shortYearGroup, yearGroupLabel } from '../../reports/year-groups.ts';
import { calendarDate, count } from './format.ts';
import {
  dueText,
  gapText,
  leftOutText,
  percentText,
  sideText,
  stepsText,
  thresholdText,
} from './reports-format.ts';

/**
 * The reports' tables, for the dashboard and the Standards Report alike. Each says in its caption
 * how many pupils it counts; a suppressed figure is written as "suppressed", never left blank.
 */

export interface HeadCell {
  label: string;
  numeric?: boolean;
  span?: number;
  /** The first column of a group of columns: a rule on its left. */
  starts?: boolean;
}

/** A table with one or two header rows, scrolling inside its own box like the console's. */
export function reportTable(
  caption: string,
  head: readonly (readonly HeadCell[])[],
  rows: readonly string[],
  className = '',
): string {
  const headRows = head.map(
    (cells) =>
      html`<tr>
        !${cells.map(
          (cell) => html`<th scope="col" colspan="${cell.span ?? 1}"
            class="${cell.numeric ? 'num' : ''} ${cell.starts ? 'group-start' : ''}"
            >${cell.label}</th>`,
        )}
      </tr>`,
  );
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0">
    <table class="report-table ${className}">
      <caption>${caption}</caption>
      <thead>!${headRows}</thead>
      <tbody>!${rows}</tbody>
    </table>
  </div>`;
}

/** The year group by NX point grid of one subject; cells at or above the row's point are marked. */
export function gridTable(grid: SubjectGrid, columns: readonly ScalePoint[]): string {
  const head: HeadCell[] = [
    { label: 'Year group' },
    ...columns.map((column) => ({ label: column.code, numeric: true })),
    { label: 'Pupils', numeric: true },
    { label: 'Point' },
    { label: 'At or above', numeric: true },
  ];
  const rows = grid.rows.map(
    (row) => html`<tr>
      <th scope="row" title="${yearGroupLabel(row.year)}">${shortYearGroup(row.year)}</th>
      !${row.counts.map((value, index) =>
        pointCell(value, columns[index]!.position, row.threshold?.position ?? null),
      )}
      <td class="num">${count(row.pupils)}</td>
      <td class="point-used">${thresholdText(row.threshold)}</td>
      <td class="num"><strong>${percentText(row.percent)}</strong>
        <span class="muted block">${count(row.atOrAbove)} of ${count(row.pupils)}</span></td>
    </tr>`,
  );
  const total = html`<tr class="total-row">
    <th scope="row">All year groups</th>
    !${grid.total.counts.map((value) => html`<td class="num">${count(value)}</td>`)}
    <td class="num">${count(grid.total.pupils)}</td>
    <td class="point-used">each year's own</td>
    <td class="num"><strong>${percentText(grid.total.percent)}</strong>
      <span class="muted block">${count(grid.total.atOrAbove)} of ${count(grid.total.pupils)}</span>
    </td>
  </tr>`;
  const caption =
    `${grid.subject}: pupils at each Next Steps point by year group. ` +
    `${count(grid.total.pupils)} pupils counted. ${leftOutText(grid.leftOut)}`;
  return reportTable(caption, [head], [...rows, total], 'grid-table');
}

function pointCell(value: number, position: number, threshold: number | null): string {
  const above = threshold !== null && position >= threshold;
  const classes = [
    'num',
    above ? 'above' : '',
    threshold !== null && position === threshold ? 'at-point' : '',
    value === 0 ? 'zero' : '',
  ].join(' ');
  return html`<td class="${classes}">${count(value)}</td>`;
}

/** One subject's groups, each beside the other pupils, with the gap. */
export function groupsTable(
  table: GroupTable,
  caption: string,
  suppressionThreshold: number,
): string {
  const head: HeadCell[] = [
    { label: 'Group' },
    { label: 'Group at or above' },
    { label: 'Other pupils at or above' },
    { label: 'Gap', numeric: true },
    { label: 'Status not recorded', numeric: true },
  ];
  const rows = table.figures.map((figure) => {
    const { group, other } = figure.comparison;
    return html`<tr>
      <th scope="row">${figure.label}</th>
      <td class="${group.suppressed ? 'suppressed' : ''}">
        ${sideText(group, suppressionThreshold)}
      </td>
      <td class="${other.suppressed ? 'suppressed' : ''}">
        ${sideText(other, suppressionThreshold)}
      </td>
      <td class="num"><strong>${gapText(figure.comparison.gap)}</strong></td>
      <td class="num">${count(figure.notRecorded)}</td>
    </tr>`;
  });
  return reportTable(
    `${caption} ${count(table.pupils)} pupils counted, ${count(table.atOrAbove)} at or above.`,
    [head],
    rows,
    'groups-table',
  );
}

/** The same figures across collections: counted, left out, at or above, and each group's gap. */
export function overTimeTable(subject: SubjectOverTime, suppressionThreshold: number): string {
  const head: HeadCell[][] = [
    [
      { label: '', span: 4 },
      { label: 'Gap to the other pupils', span: GROUP_KEYS.length, starts: true },
    ],
    [
      { label: 'Collection' },
      { label: 'Counted', numeric: true },
      { label: 'Left out', numeric: true },
      { label: 'At or above', numeric: true },
      ...GROUP_KEYS.map((key, index) => ({
        label: GROUP_SHORT_LABELS[key],
        numeric: true,
        starts: index === 0,
      })),
    ],
  ];
  const rows = subject.points.map(
    (point) => html`<tr>
      <th scope="row">${point.label}</th>
      <td class="num">${count(point.pupils)}</td>
      <td class="num">${count(point.leftOut.total)}</td>
            !${
              point.pupils === 0
                ? html`<td class="num muted">no points landed</td>`
                : html`<td class="num"><strong>${percentText(point.percent)}</strong>
              <span class="muted block">${count(point.atOrAbove)} of ${count(point.pupils)}</span>
            </td>`
            }
      !${point.groups.map((figure, index) =>
        gapCell(figure.comparison, suppressionThreshold, index === 0),
      )}
    </tr>`,
  );
  return reportTable(
    `${subject.subject} over time: pupils counted, left out, share at or above their year ` +
      "group's point, and each group's gap to the other pupils.",
    head,
    rows,
    'over-time-table',
  );
}

function gapCell(
  comparison: GroupTable['figures'][number]['comparison'],
  suppressionThreshold: number,
  starts: boolean,
): string {
  const reason = comparison.group.suppressed ?? comparison.other.suppressed;
  const rule = starts ? 'group-start' : '';
  if (reason) {
    return html`<td class="num suppressed ${rule}"
      title="${SUPPRESSION_TEXT[reason](suppressionThreshold)}">suppressed</td>`;
  }
  return html`<td class="num ${rule}">${gapText(comparison.gap)}</td>`;
}

/** Up, same and down since the previous collection and since each pupil's baseline. */
export function movementTable(
  movements: readonly SubjectMovement[],
  previousLabel: string | null,
  firstColumn = 'Subject',
): string {
  const since = previousLabel ? `Since ${previousLabel}` : 'Since the previous collection';
  const head: HeadCell[][] = [
    [
      { label: '' },
      { label: since, span: 4, starts: true },
      { label: 'Since their baseline', span: 4, starts: true },
    ],
    [
      { label: firstColumn },
      ...['Up', 'Same', 'Down', 'No earlier point'].map((label, index) => ({
        label,
        numeric: true,
        starts: index === 0,
      })),
      ...['Up', 'Same', 'Down', 'First point now'].map((label, index) => ({
        label,
        numeric: true,
        starts: index === 0,
      })),
    ],
  ];
  const rows = movements.map(
    (movement) => html`<tr>
      <th scope="row">${movement.subject}</th>
      !${tallyCells(movement.sincePrevious)} !${tallyCells(movement.sinceBaseline)}
    </tr>`,
  );
  return reportTable(
    'How many pupils moved up, stayed at the same point or moved down.',
    head,
    rows,
    'movement-table',
  );
}

function tallyCells(tally: SubjectMovement['sincePrevious']): string {
  return [tally.up, tally.same, tally.down, tally.none]
    .map(
      (value, index) =>
        html`<td class="num ${index === 0 ? 'group-start' : ''}">${count(value)}</td>`,
    )
    .join('');
}

/** Each pupil's movement in one subject, as it is. */
export function movementPupilsTable(movement: SubjectMovement): string {
  const head: HeadCell[] = [
    { label: 'Pupil' },
    { label: 'Year' },
    { label: 'Previous point' },
    { label: 'Point now' },
    { label: 'Since previous' },
    { label: 'Baseline' },
    { label: 'Since baseline' },
  ];
  const rows = movement.pupils.map(
    (pupil) => html`<tr>
      <th scope="row"><a href="/pupils/${pupil.pupilId}">${pupil.name}</a></th>
      <td>${shortYearGroup(pupil.year)}</td>
      <td>${pupil.previous?.code ?? 'no point'}</td>
      <td><strong>${pupil.code}</strong></td>
      <td>${stepsText(pupil.sincePrevious)}</td>
      <td>${baselineText(pupil)}</td>
      <td>${stepsText(pupil.sinceBaseline)}</td>
    </tr>`,
  );
  return reportTable(
    `${movement.subject}: every counted pupil's movement ` +
      `(${count(movement.pupils.length)} pupils).`,
    [head],
    rows,
  );
}

function baselineText(pupil: SubjectMovement['pupils'][number]): string {
  if (!pupil.baseline) return 'this is their first point';
  return `${pupil.baseline.code} (${pupil.baseline.collection})`;
}

const UNCOUNTED = html`<span class="block muted">A point landed; it is not counted.</span>`;

/** Everyone left out of the collection's figures, and why. */
export function leftOutTable(pupils: readonly LeftOutPupil[], subjects: readonly SubjectRef[]) {
  const name = (id: number) => subjects.find((subject) => subject.id === id)?.name ?? 'subject';
  const head: HeadCell[] = [
    { label: 'Pupil' },
    { label: 'UPN' },
    { label: 'Year' },
    { label: 'Left out of' },
    { label: 'Why' },
    { label: 'Date' },
  ];
  const rows = pupils.map((pupil) => {
    const subjectsText =
      pupil.reason === 'no_point' ? pupil.subjectIds.map(name).join(', ') : 'Every subject';
    const details = pupil.subjectIds
      .filter((id) => pupil.details[id])
      .map((id) => html`<span class="block muted">${name(id)}: ${pupil.details[id]}</span>`);
    return html`<tr>
      <th scope="row"><a href="/pupils/${pupil.pupilId}">${pupil.name}</a></th>
      <td><code>${pupil.upn ?? '–'}</code></td>
      <td>${shortYearGroup(pupil.year)}</td>
      <td>${subjectsText}</td>
      <td>${LEFT_OUT_TEXT[pupil.reason]}
        !${pupil.hadPoint ? UNCOUNTED : ''}
        !${details}</td>
      <td>${calendarDate(pupil.on)}</td>
    </tr>`;
  });
  return reportTable(
    `Pupils left out of this collection's figures (${count(pupils.length)}).`,
    [head],
    rows,
  );
}

/** Most likely outcomes beside attainment at each review of the school year (5.1.5). */
export function outcomesTable(report: TargetsReport, today: string): string {
  const head: HeadCell[] = [
    { label: 'Year' },
    { label: 'Subject' },
    { label: 'Pupils', numeric: true },
    { label: 'With an outcome', numeric: true },
    { label: 'Outcome at expected' },
    ...report.reviews.map((review) => ({ label: review.label })),
  ];
  const rows = report.outcomes.map(
    (outcome) => html`<tr>
      <th scope="row">${outcome.year}</th>
      <td>${outcome.subject}</td>
      <td class="num">${count(outcome.pupils)}</td>
      <td class="num">${count(outcome.withOutcome)}</td>
      <td>${outcomeAtExpected(outcome)}</td>
      !${outcome.reviews.map((review) => reviewCell(review, outcome.withOutcome, today))}
    </tr>`,
  );
  return reportTable(
    'Most likely outcomes (Y2, Y4, Y6) and where pupils with one are at each review.',
    [head],
    rows,
    'targets-table',
  );
}

function outcomeAtExpected(outcome: TargetsReport['outcomes'][number]): string {
  if (!outcome.expected) return 'no national standard';
  if (outcome.withOutcome === 0) return '–';
  return (
    `${count(outcome.outcomeAtExpected ?? 0)} at ${outcome.expected} or above ` +
    `(${percentText(outcome.outcomeAtExpectedPercent)})`
  );
}

function reviewCell(
  review: TargetsReport['outcomes'][number]['reviews'][number],
  withOutcome: number,
  today: string,
): string {
  if (withOutcome === 0) return html`<td class="muted">–</td>`;
  if (review.withPoint === 0 && review.date > today) {
    return html`<td class="muted">${dueText(review.date)}</td>`;
  }
  return html`<td>
    <ul class="review-cell">
      <li>At or above outcome: <strong>${count(review.atOrAboveOutcome)}</strong></li>
      <li>One point below: ${count(review.oneBelow)}</li>
      <li>Further below: ${count(review.furtherBelow)}</li>
      <li>No point yet: ${count(review.noPoint)}</li>
      !${review.atExpected === null ? '' : html`<li>At expected: ${count(review.atExpected)}</li>`}
    </ul>
  </td>`;
}

export function phonicsTable(report: TargetsReport): string {
  const { phonics } = report;
  const rows = [
    html`<tr>
      <th scope="row">Y1</th>
      <td class="num">${count(phonics.pupils)}</td>
      <td class="num"><strong>${count(phonics.expectedToPass)}</strong>
        <span class="muted block">${percentText(phonics.expectedPercent)} of Y1</span></td>
      <td class="num">${count(phonics.notExpectedToPass)}</td>
      <td class="num">${count(phonics.noProjection)}</td>
    </tr>`,
  ];
  return reportTable(
    'Projections for the Y1 phonics screening check. Its results are not a Next Steps point.',
    [
      [
        { label: 'Year' },
        { label: 'Pupils', numeric: true },
        { label: 'Expected to pass', numeric: true },
        { label: 'Not expected to pass', numeric: true },
        { label: 'No projection yet', numeric: true },
      ],
    ],
    rows,
  );
}

/** Each pupil's target and their point at each review. */
export function targetPupilsTable(
  rows: readonly TargetPupilRow[],
  report: TargetsReport,
  subjects: readonly SubjectRef[],
): string {
  const name = (id: number | null) =>
    id === null ? 'Phonics check' : (subjects.find((s) => s.id === id)?.name ?? 'subject');
  const body = rows.map(
    (row) => html`<tr class="${row.onRoll ? '' : 'left-row'}">
      <th scope="row"><a href="/pupils/${row.pupilId}">${row.name}</a>
        !${row.onRoll ? '' : html`<span class="block muted">Left: not counted</span>`}</th>
      <td>${row.year}</td>
      <td>${name(row.subjectId)}</td>
      <td><strong>${targetText(row)}</strong></td>
      !${report.reviews.map((_, index) =>
        row.subjectId === null
          ? html`<td class="muted">–</td>`
          : html`<td>${row.reviews[index] ?? '–'}</td>`,
      )}
    </tr>`,
  );
  return reportTable(
    `Targets pupil by pupil (${count(rows.length)} lines).`,
    [
      [
        { label: 'Pupil' },
        { label: 'Year' },
        { label: 'Subject' },
        { label: 'Target' },
        ...report.reviews.map((review) => ({ label: review.label })),
      ],
    ],
    body,
  );
}

export function targetText(row: Pick<TargetPupilRow, 'subjectId' | 'target'>): string {
  if (row.target === null) return 'not set';
  return row.subjectId === null ? PROJECTION_TEXT[row.target as Projection] : row.target;
}

export interface SchoolSummary {
  id: string;
  name: string;
  grids: readonly SubjectGrid[];
}

/** The trust's schools side by side, each counted against the trust's points. */
export function schoolsTable(
  schools: readonly SchoolSummary[],
  subjects: readonly SubjectRef[],
  trust: readonly SubjectGrid[],
) {
  const head: HeadCell[][] = [
    [{ label: '' }, ...subjects.map((subject) => ({ label: subject.name, span: 3 }))],
    [
      { label: 'School' },
      ...subjects.flatMap(() => [
        { label: 'Counted', numeric: true },
        { label: 'At or above', numeric: true },
        { label: 'Left out', numeric: true },
      ]),
    ],
  ];
  const cells = (grids: readonly SubjectGrid[]) =>
    grids.map(
      (grid) => html`<td class="num">${count(grid.total.pupils)}</td>
        <td class="num"><strong>${percentText(grid.total.percent)}</strong>
          <span class="muted block">${count(grid.total.atOrAbove)}</span></td>
        <td class="num">${count(grid.leftOut.total)}</td>`,
    );
  const rows = schools.map(
    (school) => html`<tr>
      <th scope="row"><a href="/reports/schools/${school.id}">${school.name}</a></th>
      !${cells(school.grids)}
    </tr>`,
  );
  rows.push(html`<tr class="total-row"><th scope="row">Whole trust</th>!${cells(trust)}</tr>`);
  return reportTable(
    "Each school's pupils counted, the share at or above their year group's point (the trust's " +
      'points), and how many are left out.',
    head,
    rows,
    'schools-table',
  );
}

/** Left-out pupils by school and reason: the trust's denominators. */
export function leftOutBySchoolTable(
  schools: readonly { id: string; name: string; tallies: ReadonlyMap<number, LeftOutTally> }[],
  subjects: readonly SubjectRef[],
): string {
  const head: HeadCell[] = [
    { label: 'School' },
    ...subjects.map((subject) => ({ label: `${subject.name}: no landed point`, numeric: true })),
    { label: 'Left before the collection date', numeric: true },
    { label: 'Joined after it', numeric: true },
  ];
  const rows = schools.map((school) => {
    const first = school.tallies.get(subjects[0]?.id ?? -1);
    return html`<tr>
      <th scope="row"><a href="/reports/schools/${school.id}#left-out">${school.name}</a></th>
      !${subjects.map(
        (subject) =>
          html`<td class="num">${count(school.tallies.get(subject.id)?.noPoint ?? 0)}</td>`,
      )}
      <td class="num">${count(first?.left ?? 0)}</td>
      <td class="num">${count(first?.joinedAfter ?? 0)}</td>
    </tr>`;
  });
  return reportTable(
    "Pupils left out of each school's figures, and why. Each school's report lists them.",
    [head],
    rows,
  );
}

/** The trust's movement counts school by school, one subject. */
export function movementBySchoolTable(
  schools: readonly { id: string; name: string; movement: SubjectMovement }[],
  subject: string,
  previousLabel: string | null,
): string {
  return movementTable(
    schools.map((school) => ({ ...school.movement, subject: school.name })),
    previousLabel,
    `School (${subject})`,
  );
}
