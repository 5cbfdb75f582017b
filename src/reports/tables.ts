import { LEFT_OUT_TEXT } from './denominators.ts';
import type { GroupFigure, GroupTable } from './groups.ts';
import type { SubjectMovement } from './movement.ts';
import type { Report } from './report.ts';
import { type PublishedSide, SUPPRESSION_TEXT } from './suppression.ts';
import { PROJECTION_TEXT, type Projection } from './targets.ts';
import type { TargetsReport } from './targets-report.ts';
import { THRESHOLD_RULE_TEXT } from './thresholds.ts';
import { yearGroupLabel } from './year-groups.ts';

/**
 * Every report table as plain rows, for CSV and XLSX. Numbers stay numbers; a suppressed figure
 * is the word for it, never a number; and each table states whom it counts in its own columns.
 */

export type Cell = string | number | null;

export interface ReportTable {
  key: string;
  title: string;
  columns: string[];
  rows: Cell[][];
}

export const SCHOOL_TABLES = [
  'attainment',
  'groups',
  'over-time',
  'over-time-groups',
  'movement',
  'movement-pupils',
  'targets',
  'targets-pupils',
  'left-out',
] as const;

export const TRUST_TABLES = [
  'attainment',
  'schools',
  'groups',
  'over-time',
  'over-time-groups',
  'movement',
  'targets',
  'left-out',
] as const;

export type TableKey = (typeof SCHOOL_TABLES)[number] | (typeof TRUST_TABLES)[number];

export function tableKeys(report: Report): readonly TableKey[] {
  return report.schools.length === 1 ? SCHOOL_TABLES : TRUST_TABLES;
}

export async function reportTableOf(report: Report, key: TableKey): Promise<ReportTable | null> {
  if (!tableKeys(report).includes(key)) return null;
  const builders: Record<TableKey, () => Promise<ReportTable>> = {
    attainment: () => attainmentTable(report),
    schools: () => schoolsTable(report),
    groups: () => groupsTable(report),
    'over-time': () => overTimeTable(report),
    'over-time-groups': () => overTimeGroupsTable(report),
    movement: () => movementTable(report),
    'movement-pupils': () => movementPupilsTable(report),
    targets: () => targetsTable(report),
    'targets-pupils': () => targetPupilsTable(report),
    'left-out': () => leftOutTable(report),
  };
  return builders[key]();
}

async function attainmentTable(report: Report): Promise<ReportTable> {
  const { columns, grids } = await report.attainment();
  const rows: Cell[][] = grids.flatMap((grid) => [
    ...grid.rows.map((row) => [
      grid.subject,
      yearGroupLabel(row.year),
      ...row.counts,
      row.pupils,
      row.threshold?.code ?? null,
      row.threshold ? THRESHOLD_RULE_TEXT[row.threshold.rule] : null,
      row.atOrAbove,
      row.percent,
      null,
    ]),
    [
      grid.subject,
      'All year groups',
      ...grid.total.counts,
      grid.total.pupils,
      null,
      "each pupil against their year group's point",
      grid.total.atOrAbove,
      grid.total.percent,
      grid.leftOut.total,
    ],
  ]);
  return {
    key: 'attainment',
    title: `Attainment, ${report.collection.label}`,
    columns: [
      'Subject',
      'Year group',
      ...columns.map((column) => column.code),
      'Pupils counted',
      'Counted at or above',
      'Why that point',
      'At or above',
      'At or above (%)',
      'Left out (see left-out)',
    ],
    rows,
  };
}

async function schoolsTable(report: Report): Promise<ReportTable> {
  const bySchool = await report.bySchool();
  return {
    key: 'schools',
    title: `Schools, ${report.collection.label}`,
    columns: [
      'School',
      'Subject',
      'Pupils counted',
      'At or above',
      'At or above (%)',
      'No landed point',
      'Left before the collection date',
      'Joined after it',
    ],
    rows: bySchool.flatMap(({ school, grids }) =>
      grids.map((grid) => [
        school.name,
        grid.subject,
        grid.total.pupils,
        grid.total.atOrAbove,
        grid.total.percent,
        grid.leftOut.noPoint,
        grid.leftOut.left,
        grid.leftOut.joinedAfter,
      ]),
    ),
  };
}

const GROUP_COLUMNS = [
  'Group',
  'Group pupils',
  'Group at or above',
  'Group at or above (%)',
  'Other pupils',
  'Other pupils at or above',
  'Other pupils at or above (%)',
  'Gap (percentage points)',
  'Status not recorded',
];

async function groupsTable(report: Report): Promise<ReportTable> {
  const sections = await report.groups();
  const names = new Map(report.schools.map((school) => [school.id, school.name]));
  const partLabel = (table: GroupTable) => {
    if (table.part.kind === 'year') return yearGroupLabel(table.part.year);
    if (table.part.kind === 'school') return names.get(table.part.schoolId) ?? '';
    return 'All year groups';
  };
  return {
    key: 'groups',
    title: `Groups, ${report.collection.label}`,
    columns: ['Subject', 'Pupils', ...GROUP_COLUMNS],
    rows: sections.flatMap((section) =>
      section.tables.flatMap((table) =>
        table.figures.map((figure) => [
          section.subject,
          partLabel(table),
          ...groupCells(figure, report.options.suppressionThreshold),
        ]),
      ),
    ),
  };
}

function groupCells(figure: GroupFigure, threshold: number): Cell[] {
  const side = (value: PublishedSide): Cell[] =>
    value.suppressed
      ? [SUPPRESSION_TEXT[value.suppressed](threshold), null, null]
      : [value.pupils, value.atOrAbove, value.percent];
  return [
    figure.label,
    ...side(figure.comparison.group),
    ...side(figure.comparison.other),
    figure.comparison.gap,
    figure.notRecorded,
  ];
}

async function overTimeTable(report: Report): Promise<ReportTable> {
  const subjects = await report.overTime();
  return {
    key: 'over-time',
    title: `Over time, up to ${report.collection.label}`,
    columns: [
      'Subject',
      'Collection',
      'Year group',
      'Pupils counted',
      'Counted at or above',
      'At or above',
      'At or above (%)',
      'No landed point',
      'Left before the collection date',
      'Joined after it',
    ],
    rows: subjects.flatMap((subject) =>
      subject.points.flatMap((point) => [
        ...point.years.map((row) => [
          subject.subject,
          point.label,
          yearGroupLabel(row.year),
          row.pupils,
          row.threshold?.code ?? null,
          row.atOrAbove,
          row.percent,
          null,
          null,
          null,
        ]),
        [
          subject.subject,
          point.label,
          'All year groups',
          point.pupils,
          null,
          point.atOrAbove,
          point.percent,
          point.leftOut.noPoint,
          point.leftOut.left,
          point.leftOut.joinedAfter,
        ],
      ]),
    ),
  };
}

async function overTimeGroupsTable(report: Report): Promise<ReportTable> {
  const subjects = await report.overTime();
  return {
    key: 'over-time-groups',
    title: `Groups over time, up to ${report.collection.label}`,
    columns: ['Subject', 'Collection', ...GROUP_COLUMNS],
    rows: subjects.flatMap((subject) =>
      subject.points.flatMap((point) =>
        point.groups.map((figure) => [
          subject.subject,
          point.label,
          ...groupCells(figure, report.options.suppressionThreshold),
        ]),
      ),
    ),
  };
}

async function movementTable(report: Report): Promise<ReportTable> {
  const columns = [
    'Subject',
    'Up since previous',
    'Same since previous',
    'Down since previous',
    'No earlier point',
    'Up since baseline',
    'Same since baseline',
    'Down since baseline',
    'First point now',
  ];
  const cells = (movement: SubjectMovement): Cell[] => [
    movement.subject,
    movement.sincePrevious.up,
    movement.sincePrevious.same,
    movement.sincePrevious.down,
    movement.sincePrevious.none,
    movement.sinceBaseline.up,
    movement.sinceBaseline.same,
    movement.sinceBaseline.down,
    movement.sinceBaseline.none,
  ];
  const title = `Movement since ${report.previous?.label ?? 'the previous collection'}`;
  if (report.schools.length === 1) {
    return { key: 'movement', title, columns, rows: (await report.movement()).map(cells) };
  }
  const bySchool = await report.movementBySchool();
  const total = (await report.movement()).map((movement) => ['Whole trust', ...cells(movement)]);
  return {
    key: 'movement',
    title,
    columns: ['School', ...columns],
    rows: [
      ...bySchool.flatMap(({ school, movement }) =>
        movement.map((subject) => [school.name, ...cells(subject)]),
      ),
      ...total,
    ],
  };
}

async function movementPupilsTable(report: Report): Promise<ReportTable> {
  const movements = await report.movementPupils();
  return {
    key: 'movement-pupils',
    title: `Each pupil's movement, ${report.collection.label}`,
    columns: [
      'Subject',
      'UPN',
      'Pupil',
      'Year group',
      'Previous point',
      'Point now',
      'Points since previous',
      'Baseline point',
      'Baseline collection',
      'Points since baseline',
    ],
    rows: movements.flatMap((movement) =>
      movement.pupils.map((pupil) => [
        movement.subject,
        pupil.upn,
        pupil.name,
        yearGroupLabel(pupil.year),
        pupil.previous?.code ?? null,
        pupil.code,
        pupil.sincePrevious,
        pupil.baseline?.code ?? null,
        pupil.baseline?.collection ?? null,
        pupil.sinceBaseline,
      ]),
    ),
  };
}

async function targetsTable(report: Report): Promise<ReportTable> {
  const targets = await report.targets();
  const reviews = report.reviews;
  const columns = [
    'School',
    'Year group',
    'Subject',
    'Pupils',
    'With an outcome',
    'Outcome at expected',
    ...reviews.flatMap((review) => [
      `${review.label}: at or above outcome`,
      `${review.label}: one point below`,
      `${review.label}: further below`,
      `${review.label}: no point`,
    ]),
  ];
  if (!targets) return { key: 'targets', title: 'Most likely outcomes', columns, rows: [] };
  const rowsOf = (name: string, targetsReport: TargetsReport): Cell[][] => [
    ...targetsReport.outcomes.map((outcome) => [
      name,
      outcome.year,
      outcome.subject,
      outcome.pupils,
      outcome.withOutcome,
      outcome.outcomeAtExpected,
      ...outcome.reviews.flatMap((review) => [
        review.atOrAboveOutcome,
        review.oneBelow,
        review.furtherBelow,
        review.noPoint,
      ]),
    ]),
    [
      name,
      'Y1',
      'Phonics projection',
      targetsReport.phonics.pupils,
      targetsReport.phonics.pupils - targetsReport.phonics.noProjection,
      targetsReport.phonics.expectedToPass,
      ...reviews.flatMap(() => [null, null, null, null]),
    ],
  ];
  const single = report.schools.length === 1;
  return {
    key: 'targets',
    title: `Most likely outcomes, ${report.collection.yearLabel}`,
    columns,
    rows: single
      ? rowsOf(report.schools[0]!.name, targets.report)
      : [
          ...targets.bySchool.flatMap(({ school, report: r }) => rowsOf(school.name, r)),
          ...rowsOf('Whole trust', targets.report),
        ],
  };
}

async function targetPupilsTable(report: Report): Promise<ReportTable> {
  const targets = await report.targets();
  const subjects = new Map(report.subjects.map((subject) => [subject.id, subject.name]));
  return {
    key: 'targets-pupils',
    title: `Targets pupil by pupil, ${report.collection.yearLabel}`,
    columns: [
      'UPN',
      'Pupil',
      'Year group',
      'On roll',
      'Subject',
      'Target',
      ...report.reviews.map((review) => review.label),
    ],
    rows: (targets?.report.pupils ?? []).map((row) => [
      row.upn,
      row.name,
      row.year,
      row.onRoll ? 'yes' : 'no (left)',
      row.subjectId === null ? 'Phonics projection' : (subjects.get(row.subjectId) ?? null),
      row.subjectId === null && row.target ? PROJECTION_TEXT[row.target as Projection] : row.target,
      ...row.reviews,
    ]),
  };
}

async function leftOutTable(report: Report): Promise<ReportTable> {
  const subjects = new Map(report.subjects.map((subject) => [subject.id, subject.name]));
  if (report.schools.length === 1) {
    const pupils = await report.leftOut();
    return {
      key: 'left-out',
      title: `Pupils left out, ${report.collection.label}`,
      columns: ['UPN', 'Pupil', 'Year group', 'Left out of', 'Why', 'Detail', 'Date'],
      rows: pupils.map((pupil) => [
        pupil.upn,
        pupil.name,
        yearGroupLabel(pupil.year),
        pupil.reason === 'no_point'
          ? pupil.subjectIds.map((id) => subjects.get(id)).join(', ')
          : 'Every subject',
        LEFT_OUT_TEXT[pupil.reason],
        [
          pupil.hadPoint ? 'A point landed; it is not counted.' : '',
          ...Object.entries(pupil.details).map(
            ([id, text]) => `${subjects.get(Number(id))}: ${text}`,
          ),
        ]
          .filter(Boolean)
          .join(' '),
        pupil.on,
      ]),
    };
  }
  const bySchool = await report.leftOutBySchool();
  return {
    key: 'left-out',
    title: `Pupils left out, ${report.collection.label}`,
    columns: [
      'School',
      'Subject',
      'No landed point',
      'Left before the collection date',
      'Joined after it',
    ],
    rows: bySchool.flatMap(({ school, tallies }) =>
      report.subjects.map((subject) => {
        const tally = tallies.get(subject.id)!;
        return [school.name, subject.name, tally.noPoint, tally.left, tally.joinedAfter];
      }),
    ),
  };
}
