import { html } from 'ghtml';
import type { SubjectGrid, SubjectRef } from '../../reports/attainment.ts';
import type { LeftOutPupil, LeftOutTally } from '../../reports/denominators.ts';
import type { GroupTable } from '../../reports/groups.ts';
import type { SubjectMovement } from '../../reports/movement.ts';
import type { SubjectOverTime } from '../../reports/over-time.ts';
import type { GroupSection } from '../../reports/report.ts';
import { SUPPRESSION_TEXT } from '../../reports/suppression.ts';
import type { TargetsReport } from '../../reports/targets-report.ts';
import type { ScalePoint } from '../../reports/thresholds.ts';
import { shortYearGroup, yearGroupLabel } from '../../reports/year-groups.ts';
import {
  breadcrumbs,
  type Crumb,
  emptyState,
  type Option,
  pageHead,
  selectField,
} from './components.ts';
import { calendarDate, count, plural } from './format.ts';
import { type GapRow, gapBars, movementBars, shareBars } from './reports-charts.ts';
import { gapText, percentText, sideText } from './reports-format.ts';
import {
  gridTable,
  groupsTable,
  leftOutBySchoolTable,
  leftOutTable,
  movementBySchoolTable,
  movementPupilsTable,
  movementTable,
  outcomesTable,
  overTimeTable,
  phonicsTable,
  type SchoolSummary,
  schoolsTable,
  targetPupilsTable,
} from './reports-tables.ts';

/**
 * The School Performance Dashboard (6.5) for one school, and the trust's summary of it: the
 * year group by NX point grid per subject, groups with their gaps, the same figures over time,
 * each pupil's movement, most likely outcomes, and who is left out of every figure and why.
 */

export interface ReportLinks {
  /** The page itself, for the toolbar form. */
  self: string;
  standards: string;
  workbook: string;
  /** A table's CSV or XLSX. */
  table(key: string, format: 'csv' | 'xlsx'): string;
  /** Where the school enters its targets, for those who may. */
  targets: string | null;
  /** One school's pupils, each with their movement: one subject's, or every subject's. */
  movementPupils: ((subjectId: number | null) => string) | null;
}

export interface ReportPageView {
  scope: 'school' | 'trust';
  crumbs: Crumb[];
  title: string;
  eyebrow: string;
  stylesheet: string;
  collection: { id: number; label: string; date: string };
  previousLabel: string | null;
  collections: readonly Option[];
  points: readonly Option[];
  point: string;
  subjects: readonly SubjectRef[];
  columns: readonly ScalePoint[];
  attainment: readonly SubjectGrid[];
  groups: readonly GroupSection[];
  overTime: readonly SubjectOverTime[];
  movement: readonly SubjectMovement[];
  targets: TargetsReport | null;
  suppressionThreshold: number;
  today: string;
  schoolNames: ReadonlyMap<string, string>;
  links: ReportLinks;
  /** A school's own report. */
  leftOut: readonly LeftOutPupil[] | null;
  /** The trust's report. */
  schools: readonly SchoolSummary[] | null;
  leftOutBySchool: readonly { id: string; name: string; tallies: Map<number, LeftOutTally> }[];
  movementBySchool: readonly { id: string; name: string; movement: readonly SubjectMovement[] }[];
  targetsBySchool: readonly { id: string; name: string; report: TargetsReport }[];
}

export function reportPage(view: ReportPageView): string {
  return html`<link rel="stylesheet" href="${view.stylesheet}" />
    !${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: view.eyebrow,
      title: view.title,
      lede:
        `Collection date ${calendarDate(view.collection.date)}. Every figure counts the pupils ` +
        'on roll that day with a landed Next Steps point, and says who it leaves out and why.',
      actions: html`<a class="button button-primary" href="${view.links.standards}"
          >Standards Report</a
        >
        <a class="button button-secondary" href="${view.links.workbook}" download
          >Download every table (XLSX)</a
        >`,
    })}
    !${toolbar(view)}
    !${summary(view)}
    <nav class="report-contents" aria-label="On this page">
      <ul>
        !${view.schools ? html`<li><a href="#schools">Schools</a></li>` : ''}
        <li><a href="#attainment">Attainment</a></li>
        <li><a href="#groups">Groups</a></li>
        <li><a href="#over-time">Over time</a></li>
        <li><a href="#movement">Movement</a></li>
        <li><a href="#targets">Most likely outcomes</a></li>
        <li><a href="#left-out">Left out</a></li>
      </ul>
    </nav>
    !${view.schools ? schoolsSection(view, view.schools) : ''} !${attainmentSection(view)}
    !${groupsSection(view)} !${overTimeSection(view)} !${movementSection(view)}
    !${targetsSection(view)} !${leftOutSection(view)}`;
}

function toolbar(view: ReportPageView): string {
  return html`<form class="toolbar" method="get" action="${view.links.self}"
    hx-get="${view.links.self}" hx-target="#main" hx-push-url="true">
    !${selectField({
      id: 'collection',
      name: 'collection',
      label: 'Collection',
      choices: view.collections,
      selected: String(view.collection.id),
    })}
    !${selectField({
      id: 'point',
      name: 'point',
      label: 'Count pupils at or above',
      hint: 'NX7 at Y2 and NX9 at Y6 by default; elsewhere the median point.',
      choices: view.points,
      selected: view.point,
    })}
    <button type="submit" class="button button-secondary">Show</button>
  </form>`;
}

function summary(view: ReportPageView): string {
  const stats = view.attainment.map(
    (grid) => html`<li class="stat">
      <span class="stat-value">${percentText(grid.total.percent)}</span>
      <span class="stat-label">
        ${grid.subject}: ${count(grid.total.atOrAbove)} of ${count(grid.total.pupils)} pupils at
        or above their year group's point; ${count(grid.leftOut.total)} left out
      </span>
    </li>`,
  );
  return html`<ul class="stats" aria-label="Summary">!${stats}</ul>`;
}

function sectionHead(id: string, title: string, view: ReportPageView, tables: string[]): string {
  const downloads = tables.map(
    (key) => html`<span class="downloads">
      <a href="${view.links.table(key, 'csv')}" download>${key}.csv</a>
      <a href="${view.links.table(key, 'xlsx')}" download>${key}.xlsx</a>
    </span>`,
  );
  return html`<div class="section-head">
    <h2 id="${id}-title">${title}</h2>
    <p class="downloads-list">Download: !${downloads}</p>
  </div>`;
}

function attainmentSection(view: ReportPageView): string {
  const blocks = view.attainment.map(
    (grid) => html`<div class="report-block">
      <h3>${grid.subject}</h3>
      !${
        grid.total.pupils === 0
          ? emptyState(`No ${grid.subject} points`, 'No point has landed for this collection.')
          : html`<figure class="chart">
              !${shareBars(
                `attainment-${grid.subjectId}`,
                `${grid.subject}: share at or above the year group's point`,
                [
                  ...grid.rows.map((row) => ({
                    label: shortYearGroup(row.year),
                    percent: row.percent,
                    note: `${row.atOrAbove} of ${row.pupils} at or above ${codeOf(row)}`,
                  })),
                  {
                    label: 'All year groups',
                    percent: grid.total.percent,
                    note: `${grid.total.atOrAbove} of ${grid.total.pupils}`,
                  },
                ],
              )}
            </figure>
            !${gridTable(grid, view.columns)}`
      }
    </div>`,
  );
  return html`<section class="section report-section" aria-labelledby="attainment-title"
    id="attainment">
    !${sectionHead('attainment', 'Attainment', view, ['attainment'])}
    <p class="muted">
      Pupils at each point, by year group. Shaded, bold counts are at or above the point the row
      is counted against; the bar to their left marks that point.
      ${view.scope === 'trust' ? TRUST_COUNTS : ''}
    </p>
    !${blocks}
  </section>`;
}

const TRUST_COUNTS = 'Trust figures count every pupil, never an average of schools.';

function codeOf(row: { threshold: { code: string } | null }): string {
  return row.threshold?.code ?? '–';
}

/** A section's tables: the pupil-by-pupil one is a school's only. */
function tablesOf(view: ReportPageView, counts: string, pupils: string): string[] {
  return view.scope === 'school' ? [counts, pupils] : [counts];
}

function schoolsSection(view: ReportPageView, schools: readonly SchoolSummary[]): string {
  return html`<section class="section report-section" aria-labelledby="schools-title" id="schools">
    !${sectionHead('schools', 'Schools', view, ['schools'])}
    !${schoolsTable(schools, view.subjects, view.attainment)}
  </section>`;
}

function groupsSection(view: ReportPageView): string {
  const threshold = view.suppressionThreshold;
  const blocks = view.groups.map((section) => {
    const [all, ...parts] = section.tables;
    if (!all || all.pupils === 0) {
      return html`<div class="report-block"><h3>${section.subject}</h3>
        <p class="muted">No pupils counted.</p></div>`;
    }
    const years = parts.filter((table) => table.part.kind === 'year');
    const schools = parts.filter((table) => table.part.kind === 'school');
    return html`<div class="report-block">
      <h3>${section.subject}</h3>
      !${groupsFigure(`gaps-${section.subjectId}`, section.subject, all, threshold)}
      !${groupsTable(all, `${section.subject}, every year group.`, threshold)}
      !${details(
        `${section.subject} by year group`,
        years.map((table) =>
          groupsTable(table, `${section.subject}, ${partLabel(table, view)}.`, threshold),
        ),
      )}
      !${
        schools.length
          ? details(
              `${section.subject} by school`,
              schools.map((table) =>
                groupsTable(table, `${section.subject}, ${partLabel(table, view)}.`, threshold),
              ),
            )
          : ''
      }
    </div>`;
  });
  return html`<section class="section report-section" aria-labelledby="groups-title" id="groups">
    !${sectionHead('groups', 'Groups', view, ['groups'])}
    <p class="muted">
      Each group beside the other pupils counted with it (7.3, 8.4.2), as the share at or above
      their year group's point. A group of fewer than ${threshold} pupils is shown as
      "${SUPPRESSION_TEXT.small_group(threshold)}", and so is the figure beside it, so that no
      pupil can be identified. Pupils whose status is not recorded count among the other pupils.
    </p>
    !${blocks}
  </section>`;
}

/**
 * The groups chart: a pair of bars for each group shown, and the suppressed groups named in a
 * line below it rather than drawn as empty rows.
 */
export function groupsFigure(id: string, subject: string, table: GroupTable, threshold: number) {
  const shown = table.figures.filter((figure) => figure.comparison.gap !== null);
  const hidden = table.figures.filter(
    (figure) => figure.comparison.group.suppressed || figure.comparison.other.suppressed,
  );
  const chart = gapBars(
    id,
    `${subject}: groups beside the other pupils`,
    gapRows(shown, threshold),
  );
  const empty = table.figures.filter(
    (figure) => figure.comparison.gap === null && !hidden.includes(figure),
  );
  const note =
    hidden.length || empty.length
      ? html`<figcaption>
          !${
            hidden.length
              ? html`Not drawn, as too small to show (fewer than ${threshold} pupils,
            or they would reveal such a group): ${hidden.map((f) => f.label).join(', ')}.`
              : ''
          }
          !${empty.length ? html`No gap to draw: ${empty.map((f) => f.label).join(', ')}.` : ''}
        </figcaption>`
      : '';
  if (!chart && !note) return '';
  return html`<figure class="chart">!${chart} !${note}</figure>`;
}

function gapRows(figures: GroupTable['figures'], threshold: number): GapRow[] {
  return figures.map((figure) => {
    const side = (which: 'group' | 'other') => {
      const value = figure.comparison[which];
      if (value.suppressed) return { suppressed: SUPPRESSION_TEXT[value.suppressed](threshold) };
      return { percent: value.percent, note: sideText(value, threshold) };
    };
    return {
      label: figure.label,
      group: side('group'),
      other: side('other'),
      gap: figure.comparison.gap === null ? 'Gap: –' : `Gap: ${gapText(figure.comparison.gap)}`,
    };
  });
}

function partLabel(table: GroupTable, view: ReportPageView): string {
  if (table.part.kind === 'year') return yearGroupLabel(table.part.year);
  if (table.part.kind === 'school') return view.schoolNames.get(table.part.schoolId) ?? 'school';
  return 'every year group';
}

function details(summaryText: string, body: readonly string[]): string {
  if (body.length === 0) return '';
  return html`<details class="more report-details">
    <summary>${summaryText}</summary>
    !${body}
  </details>`;
}

/**
 * Each pupil's movement in one subject, fetched when the reader opens it: a school of two
 * thousand pupils would otherwise send six thousand rows with every view. Without script, the
 * link opens the same table as a page.
 */
function lazyDetails(subject: string, href: string): string {
  return html`<details class="more report-details" hx-get="${href}" hx-trigger="toggle once"
    hx-target="find .details-body" hx-swap="innerHTML">
    <summary>${subject}: each pupil</summary>
    <div class="details-body">
      <p><a href="${href}">Open each pupil's movement in ${subject}</a></p>
    </div>
  </details>`;
}

/** One school's pupils, each with their movement since the previous collection and baseline. */
export function movementPupilsPage(
  view: { crumbs: Crumb[]; school: string; collection: string; back: string },
  movements: readonly SubjectMovement[],
): string {
  return html`!${breadcrumbs(view.crumbs)}
    !${pageHead({
      eyebrow: `School Performance Dashboard · ${view.school}`,
      title: `Each pupil's movement: ${view.collection}`,
      lede:
        'Each counted pupil against their point in the previous collection and their baseline. ' +
        'Staying at a point or moving down is shown as it is.',
      actions: html`<a class="button button-secondary" href="${view.back}">Back to the dashboard</a>`,
    })}
    !${movements.map(
      (movement) => html`<section class="section" id="subject-${movement.subjectId}">
        <h2>${movement.subject}</h2>
        !${movementPupilsTable(movement)}
      </section>`,
    )}`;
}

function overTimeSection(view: ReportPageView): string {
  const blocks = view.overTime.map(
    (subject) => html`<div class="report-block">
      <h3>${subject.subject}</h3>
      <figure class="chart">
        !${shareBars(
          `over-time-${subject.subjectId}`,
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
  return html`<section class="section report-section" aria-labelledby="over-time-title"
    id="over-time">
    !${sectionHead('over-time', 'Over time', view, ['over-time', 'over-time-groups'])}
    <p class="muted">
      The same figures for each collection, from the first with a point (at most six). Each
      collection counts the pupils on roll on its own day, in the year group they were in then.
    </p>
    !${blocks}
  </section>`;
}

function movementSection(view: ReportPageView): string {
  const chart = movementBars(
    'movement',
    `Movement since ${view.previousLabel ?? 'the previous collection'}`,
    view.movement.map((movement) => ({ label: movement.subject, ...movement.sincePrevious })),
  );
  const perPupil = view.links.movementPupils;
  const pupils =
    view.scope === 'school' && perPupil
      ? view.movement.map((movement) => lazyDetails(movement.subject, perPupil(movement.subjectId)))
      : view.subjects.map((subject) =>
          details(`${subject.name} by school`, [
            movementBySchoolTable(
              view.movementBySchool.map((school) => ({
                id: school.id,
                name: school.name,
                movement: school.movement.find((m) => m.subjectId === subject.id)!,
              })),
              subject.name,
              view.previousLabel,
            ),
          ]),
        );
  return html`<section class="section report-section" aria-labelledby="movement-title"
    id="movement">
    !${sectionHead('movement', 'Movement', view, tablesOf(view, 'movement', 'movement-pupils'))}
    <p class="muted">
      Each counted pupil's point against their point in the previous collection and their
      baseline (their first point at the school; a converted school's baseline collection, 8.3).
      Progress may be non-linear, especially in specialist settings (3.2.3, 4.1): staying at a
      point or moving down is shown as it is.
    </p>
    <figure class="chart">!${chart}</figure>
    !${movementTable(view.movement, view.previousLabel)} !${pupils}
  </section>`;
}

function targetsSection(view: ReportPageView): string {
  const report = view.targets;
  const enter = view.links.targets
    ? html`<p><a class="button button-secondary" href="${view.links.targets}"
        >Enter most likely outcomes and projections</a></p>`
    : '';
  const body = report
    ? html`!${outcomesTable(report, view.today)} !${phonicsTable(report)}
      !${
        report.leavers
          ? html`<p class="muted">${plural(report.leavers, 'pupil')} with a target
        left the school: listed, not counted.</p>`
          : ''
      }
      !${
        view.scope === 'school' && report.pupils.length
          ? details('Each pupil', [targetPupilsTable(report.pupils, report, view.subjects)])
          : ''
      }
      !${view.targetsBySchool.map((school) =>
        details(`${school.name}: outcomes and projections`, [
          outcomesTable(school.report, view.today),
          phonicsTable(school.report),
        ]),
      )}`
    : emptyState('No school year', 'The collection belongs to no school year in the calendar.');
  return html`<section class="section report-section" aria-labelledby="targets-title"
    id="targets">
    !${sectionHead(
      'targets',
      'Most likely outcomes',
      view,
      tablesOf(view, 'targets', 'targets-pupils'),
    )}
    <p class="muted">
      Shared at the end of autumn half term 1 (5.1.4) and reviewed against the December, March
      and July collections (5.1.5).
    </p>
    !${enter} !${body}
  </section>`;
}

function leftOutSection(view: ReportPageView): string {
  const body = view.leftOut
    ? view.leftOut.length === 0
      ? emptyState('Nobody is left out', 'Every pupil on roll has a point in every subject.')
      : leftOutTable(view.leftOut, view.subjects)
    : leftOutBySchoolTable(view.leftOutBySchool, view.subjects);
  return html`<section class="section report-section" aria-labelledby="left-out-title"
    id="left-out">
    !${sectionHead('left-out', 'Left out of the figures', view, ['left-out'])}
    <p class="muted">
      Nothing is excluded silently: a pupil on roll with no landed point is left out of that
      subject; a pupil not on roll on the collection date is left out of every figure.
    </p>
    !${body}
  </section>`;
}
