import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupFigure } from '../../src/reports/groups.ts';
import { Report, type ReportOptions } from '../../src/reports/report.ts';
import { buildDataset, type Dataset } from './dataset.ts';

/**
 * Every figure of the reports against the dataset's values worked out by hand (see dataset.ts).
 * Today is 3 December 2026; "autumn" is Autumn 2026/27 and "summer" Summer 2025/26.
 */

let dataset: Dataset;

beforeAll(async () => {
  dataset = await buildDataset();
});
afterAll(async () => {
  await dataset.database.close();
});

function open(schoolIds: string[], overrides: Partial<ReportOptions> = {}) {
  return Report.open(dataset.database.db, {
    schoolIds,
    collectionId: dataset.autumn26,
    today: '2026-12-03',
    suppressionThreshold: 5,
    point: null,
    ...overrides,
  });
}

const oakfield = () => open([dataset.oakfield]);
const brook = () => open([dataset.brook]);
const trust = () => open([dataset.oakfield, dataset.brook]);

async function mathsGrid(report: Report) {
  const { columns, grids } = await report.attainment();
  const grid = grids.find((candidate) => candidate.subjectId === dataset.maths)!;
  /** A row's pupils at each point, as "NX8:2". */
  const spread = (counts: number[]) =>
    counts.flatMap((n, i) => (n > 0 ? [`${columns[i]!.code}:${n}`] : [])).join(' ');
  return { grid, spread };
}

async function mathsGroups(report: Report) {
  const sections = await report.groups();
  return sections.find((section) => section.subjectId === dataset.maths)!.tables;
}

function figure(table: { figures: readonly GroupFigure[] }, group: string): GroupFigure {
  return table.figures.find((candidate) => candidate.group === group)!;
}

describe("a mainstream school's attainment", () => {
  it('counts year groups at each point, against NX7 at Y2, NX9 at Y6, else a median', async () => {
    const { grid, spread } = await mathsGrid(await oakfield());
    expect(
      grid.rows.map((row) => [
        row.year,
        spread(row.counts),
        row.pupils,
        `${row.threshold?.code} ${row.threshold?.rule}`,
        row.atOrAbove,
        row.percent,
      ]),
    ).toEqual([
      ['Y1', 'NX5:1', 1, 'NX5 median', 1, 100],
      ['Y2', 'NX6:1 NX7:1', 2, 'NX7 ks1_expected', 1, 50],
      ['Y4', 'NX7:1', 1, 'NX7 median', 1, 100],
      ['Y6', 'NX6:1 NX8:2 NX9:3 NX10:1', 7, 'NX9 ks2_expected', 4, 57.1],
    ]);
    expect(spread(grid.total.counts)).toBe('NX5:1 NX6:2 NX7:2 NX8:2 NX9:3 NX10:1');
    expect(grid.total).toMatchObject({ pupils: 11, atOrAbove: 7, percent: 63.6 });
  });

  it('says how many each figure leaves out, and why', async () => {
    const report = await oakfield();
    const { grids } = await report.attainment();
    const leftOut = Object.fromEntries(grids.map((grid) => [grid.subject, grid.leftOut]));
    expect(leftOut).toEqual({
      Reading: { noPoint: 0, left: 1, joinedAfter: 0, total: 1 },
      Writing: { noPoint: 0, left: 1, joinedAfter: 0, total: 1 },
      Mathematics: { noPoint: 1, left: 1, joinedAfter: 0, total: 2 },
    });
    expect(grids.find((grid) => grid.subject === 'Reading')!.total).toMatchObject({
      pupils: 12,
      atOrAbove: 7,
      percent: 58.3,
    });
  });

  it('lists each pupil left out, with the reason, the date and why no point landed', async () => {
    const pupils = await (await oakfield()).leftOut();
    expect(
      pupils.map(({ name, year, reason, subjectIds, hadPoint, on, details }) => ({
        name,
        year,
        reason,
        subjectIds,
        hadPoint,
        on,
        details,
      })),
    ).toEqual([
      {
        name: 'Jack Jones',
        year: 'Y6',
        reason: 'left',
        subjectIds: [],
        hadPoint: false,
        on: '2026-10-16',
        details: {},
      },
      {
        name: 'Lily Lewis',
        year: 'Y6',
        reason: 'no_point',
        subjectIds: [dataset.maths],
        hadPoint: false,
        on: null,
        details: { [dataset.maths]: 'Nothing has been entered for this pupil and subject yet.' },
      },
    ]);
  });

  it('lists a pupil who joined after the summer collection as left out of it', async () => {
    const pupils = await (
      await open([dataset.oakfield], { collectionId: dataset.summer25 })
    ).leftOut();
    expect(pupils.map((pupil) => [pupil.name, pupil.year, pupil.reason, pupil.on])).toEqual([
      ['Kit King', 'Y3', 'joined_after', '2026-07-20'],
    ]);
  });

  it('counts every year group at a point the reader chooses', async () => {
    const { grid } = await mathsGrid(await open([dataset.oakfield], { point: 'nx8' }));
    expect(grid.rows.map((row) => [row.year, row.threshold?.rule, row.atOrAbove])).toEqual([
      ['Y1', 'chosen', 0],
      ['Y2', 'chosen', 0],
      ['Y4', 'chosen', 0],
      ['Y6', 'chosen', 6],
    ]);
    expect(grid.total).toMatchObject({ pupils: 11, atOrAbove: 6, percent: 54.5 });
  });

  it('refuses a point that is not on the scale', async () => {
    await expect(open([dataset.oakfield], { point: 'NX99' })).rejects.toThrow(
      'NX99 is not a point on the Next Steps scale.',
    );
  });
});

describe("a mainstream school's groups", () => {
  it('sets each group beside the other pupils, with the gap in percentage points', async () => {
    const [all] = await mathsGroups(await oakfield());
    expect(all).toMatchObject({ part: { kind: 'all' }, pupils: 11, atOrAbove: 7 });
    expect(figure(all!, 'disadvantaged')).toMatchObject({
      comparison: {
        group: { pupils: 5, atOrAbove: 2, percent: 40, suppressed: null },
        other: { pupils: 6, atOrAbove: 5, percent: 83.3, suppressed: null },
        gap: -43.3,
      },
      notRecorded: 0,
    });
    expect(figure(all!, 'girls')).toMatchObject({
      comparison: {
        group: { pupils: 6, atOrAbove: 6, percent: 100 },
        other: { pupils: 5, atOrAbove: 1, percent: 20 },
        gap: 80,
      },
    });
  });

  it('suppresses a group under five and the other pupils beside it, with no number', async () => {
    const [all] = await mathsGroups(await oakfield());
    // Two EAL pupils counted in maths; Kit's EAL status is not recorded.
    expect(figure(all!, 'eal')).toEqual({
      group: 'eal',
      label: 'English as an additional language',
      comparison: {
        group: { pupils: null, atOrAbove: null, percent: null, suppressed: 'small_group' },
        other: { pupils: null, atOrAbove: null, percent: null, suppressed: 'complement' },
        gap: null,
      },
      notRecorded: 1,
    });
    for (const group of ['sen_support', 'ehcp']) {
      expect(figure(all!, group)).toMatchObject({
        comparison: { group: { suppressed: 'small_group' }, gap: null },
      });
    }
  });

  it('holds back every year group too small to show', async () => {
    const tables = await mathsGroups(await oakfield());
    const y6 = tables.find((table) => table.part.kind === 'year' && table.part.year === 'Y6')!;
    expect(y6).toMatchObject({ pupils: 7, atOrAbove: 4 });
    expect(figure(y6, 'disadvantaged')).toMatchObject({
      comparison: { group: { suppressed: 'small_group' }, other: { suppressed: 'complement' } },
    });
    expect(figure(y6, 'girls')).toMatchObject({
      comparison: { group: { suppressed: 'small_group' }, other: { suppressed: 'complement' } },
    });
  });
});

describe('over time', () => {
  it('starts at the first collection with a point, with the same figures for each', async () => {
    const subjects = await (await oakfield()).overTime();
    const maths = subjects.find((subject) => subject.subjectId === dataset.maths)!;
    expect(
      maths.points.map((point) => [
        point.label,
        point.pupils,
        point.atOrAbove,
        point.percent,
        point.leftOut,
      ]),
    ).toEqual([
      ['Summer 2025/26', 11, 9, 81.8, { noPoint: 0, left: 0, joinedAfter: 1, total: 1 }],
      ['Autumn 2026/27', 11, 7, 63.6, { noPoint: 1, left: 1, joinedAfter: 0, total: 2 }],
    ]);
    const summer = maths.points[0]!;
    expect(
      summer.years.map((row) => [row.year, row.threshold?.code, row.atOrAbove, row.pupils]),
    ).toEqual([
      ['Y1', 'NX5', 2, 2],
      ['Y5', 'NX8', 7, 9],
    ]);
    expect(figure({ figures: summer.groups }, 'disadvantaged')).toMatchObject({
      comparison: {
        group: { pupils: 5, atOrAbove: 4, percent: 80 },
        other: { pupils: 6, atOrAbove: 5, percent: 83.3 },
        gap: -3.3,
      },
    });
  });
});

describe('movement', () => {
  it('counts pupils up, the same and down since the previous collection', async () => {
    const movements = await (await oakfield()).movement();
    const maths = movements.find((movement) => movement.subjectId === dataset.maths)!;
    expect(maths.sincePrevious).toEqual({ up: 5, same: 3, down: 1, none: 2 });
    expect(maths.sinceBaseline).toEqual({ up: 5, same: 3, down: 1, none: 2 });
    // The kept counts and the pupils listed one by one tally alike.
    const listed = await (await oakfield()).movementPupils();
    expect(listed.map(({ pupils: _, ...tallies }) => tallies)).toEqual(
      movements.map(({ pupils: _, ...tallies }) => tallies),
    );
  });

  it('lists a pupil who moved down as they are', async () => {
    const movements = await (await oakfield()).movementPupils();
    const maths = movements.find((movement) => movement.subjectId === dataset.maths)!;
    const dan = maths.pupils.find((pupil) => pupil.name === 'Dan Davies')!;
    expect(dan).toMatchObject({
      year: 'Y6',
      code: 'NX8',
      previous: { code: 'NX9' },
      sincePrevious: -1,
      baseline: { code: 'NX9', collection: 'Summer 2025/26' },
      sinceBaseline: -1,
    });
    const kit = maths.pupils.find((pupil) => pupil.name === 'Kit King')!;
    expect(kit).toMatchObject({ previous: null, sincePrevious: null, baseline: null });
    expect(maths.pupils.map((pupil) => pupil.name)).toHaveLength(11);
  });

  it("measures from a pupil's first point: down since last term, up since baseline", async () => {
    const movements = await (await brook()).movementPupils();
    const maths = movements.find((movement) => movement.subjectId === dataset.maths)!;
    expect(maths.pupils.find((pupil) => pupil.name === 'Mo Malik')).toMatchObject({
      code: 'NX2',
      previous: { code: 'NX3' },
      sincePrevious: -1,
      baseline: { code: 'NX1', collection: 'Summer 2024/25' },
      sinceBaseline: 1,
    });
    expect(maths.sincePrevious).toEqual({ up: 1, same: 1, down: 1, none: 0 });
    expect(maths.sinceBaseline).toEqual({ up: 2, same: 1, down: 0, none: 0 });
  });
});

describe('a specialist school', () => {
  it('counts every year group against its own median, not the statutory standards', async () => {
    const { grid } = await mathsGrid(await brook());
    expect(grid.rows.map((row) => [row.year, row.threshold?.code, row.threshold?.rule])).toEqual([
      ['Y4', 'NX2', 'median'],
      ['Y6', 'NX2', 'median'],
      ['X', 'NX3', 'median'],
    ]);
    expect(grid.total).toMatchObject({ pupils: 3, atOrAbove: 3 });
  });
});

describe('the trust', () => {
  it('counts over pupils, with one point per year group for the whole trust', async () => {
    const report = await trust();
    const { grid } = await mathsGrid(report);
    expect(
      grid.rows.map((row) => [row.year, row.pupils, row.threshold?.code, row.atOrAbove]),
    ).toEqual([
      ['Y1', 1, 'NX5', 1],
      ['Y2', 2, 'NX7', 1],
      ['Y4', 2, 'NX2', 2],
      ['Y6', 8, 'NX9', 4],
      ['X', 1, 'NX3', 1],
    ]);
    expect(grid.total).toMatchObject({ pupils: 14, atOrAbove: 9, percent: 64.3 });
    expect(grid.leftOut).toEqual({ noPoint: 1, left: 1, joinedAfter: 0, total: 2 });
    const schools = await report.bySchool();
    const maths = (name: string) =>
      schools
        .find((entry) => entry.school.name === name)!
        .grids.find((g) => g.subjectId === dataset.maths)!.total;
    expect(maths('Brook Special School')).toMatchObject({ pupils: 3, atOrAbove: 2 });
    expect(maths('Oakfield Primary Academy')).toMatchObject({ pupils: 11, atOrAbove: 7 });
  });

  it("compares the trust's groups, holding back a school that would reveal a group", async () => {
    const tables = await mathsGroups(await trust());
    const all = tables[0]!;
    expect(figure(all, 'disadvantaged')).toMatchObject({
      comparison: {
        group: { pupils: 6, atOrAbove: 2, percent: 33.3 },
        other: { pupils: 8, atOrAbove: 7, percent: 87.5 },
        gap: -54.2,
      },
    });
    expect(figure(all, 'girls')).toMatchObject({
      comparison: {
        group: { pupils: 8, atOrAbove: 8 },
        other: { pupils: 6, atOrAbove: 1 },
        gap: 83.3,
      },
    });
    expect(figure(all, 'ehcp')).toMatchObject({
      comparison: { group: { suppressed: 'small_group' } },
    });
    const school = (id: string) =>
      tables.find((table) => table.part.kind === 'school' && table.part.schoolId === id)!;
    // Brook has one disadvantaged pupil; with Oakfield shown, the trust less Oakfield is Brook.
    expect(figure(school(dataset.brook), 'disadvantaged')).toMatchObject({
      comparison: { group: { suppressed: 'small_group' }, other: { suppressed: 'complement' } },
    });
    expect(figure(school(dataset.oakfield), 'disadvantaged')).toMatchObject({
      comparison: { group: { suppressed: 'secondary', pupils: null }, gap: null },
    });
  });

  it('counts movement over every school', async () => {
    const maths = (await (await trust()).movement()).find((m) => m.subjectId === dataset.maths)!;
    expect(maths.sincePrevious).toEqual({ up: 6, same: 4, down: 2, none: 2 });
    expect(maths.sinceBaseline).toEqual({ up: 7, same: 4, down: 1, none: 2 });
    expect(maths.pupils).toEqual([]);
  });

  it('runs over time from the first point any school has, empty terms included', async () => {
    const subjects = await (await trust()).overTime();
    const maths = subjects.find((subject) => subject.subjectId === dataset.maths)!;
    expect(
      maths.points.map((point) => [point.label, point.pupils, point.atOrAbove, point.leftOut]),
    ).toEqual([
      ['Summer 2024/25', 1, 1, { noPoint: 13, left: 0, joinedAfter: 0, total: 13 }],
      ['Autumn 2025/26', 0, 0, { noPoint: 14, left: 0, joinedAfter: 1, total: 15 }],
      ['Spring 2025/26', 0, 0, { noPoint: 14, left: 0, joinedAfter: 1, total: 15 }],
      ['Summer 2025/26', 14, 11, { noPoint: 0, left: 0, joinedAfter: 1, total: 1 }],
      ['Autumn 2026/27', 14, 9, { noPoint: 1, left: 1, joinedAfter: 0, total: 2 }],
    ]);
  });
});
