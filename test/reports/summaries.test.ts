import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessments, nxPoints, pupils, reportSummaries } from '../../src/db/schema.ts';
import { Report } from '../../src/reports/report.ts';
import { saveTargets } from '../../src/reports/targets.ts';
import { buildDataset, type Dataset, pointId } from './dataset.ts';

/**
 * Reports keep each school's counts until something they count changes. Every change a report
 * can see, made here the way the service makes it, must show in the next report exactly as if
 * nothing had been kept, and must leave the other school's kept counts alone.
 */

let dataset: Dataset;

beforeAll(async () => {
  dataset = await buildDataset();
});
afterAll(async () => {
  await dataset.database.close();
});

const open = () =>
  Report.open(dataset.database.db, {
    schoolIds: [dataset.oakfield, dataset.brook],
    collectionId: dataset.autumn26,
    today: '2026-12-03',
    suppressionThreshold: 5,
    point: null,
  });

/** Everything the trust's dashboard shows, from one report. */
async function figures() {
  const report = await open();
  return JSON.parse(
    JSON.stringify({
      attainment: await report.attainment(),
      bySchool: await report.bySchool(),
      groups: await report.groups(),
      overTime: await report.overTime(),
      movement: await report.movement(),
      movementBySchool: await report.movementBySchool(),
      leftOut: (await report.leftOutBySchool()).map(({ school, tallies }) => ({
        school: school.name,
        tallies: Object.fromEntries(tallies),
      })),
      targets: await report.targets(),
    }),
  );
}

/** The same figures with nothing kept: every school counted afresh. */
async function counted() {
  await dataset.database.db.delete(reportSummaries);
  return figures();
}

async function keptFor(schoolId: string) {
  return dataset.database.db
    .select({ kind: reportSummaries.kind, version: reportSummaries.version })
    .from(reportSummaries)
    .where(eq(reportSummaries.schoolId, schoolId))
    .orderBy(reportSummaries.kind, reportSummaries.collectionId);
}

/** The trust's Y6 maths pupils at each point, as "NX8:2 NX9:3". */
async function mathsY6() {
  const { grids, columns } = await (await open()).attainment();
  const grid = grids.find((candidate) => candidate.subjectId === dataset.maths)!;
  const row = grid.rows.find((candidate) => candidate.year === 'Y6')!;
  return row.counts.flatMap((n, i) => (n > 0 ? [`${columns[i]!.code}:${n}`] : [])).join(' ');
}

describe('kept report counts', () => {
  it('are kept per school and collection, and read back the same as counting afresh', async () => {
    const first = await figures();
    expect((await keptFor(dataset.oakfield)).map((entry) => entry.kind)).toContain('cells');
    expect(await figures()).toEqual(first);
    expect(await counted()).toEqual(first);
  });

  it('follow a point that changes, and leave the other school counted as it was', async () => {
    await figures();
    const brookBefore = await keptFor(dataset.brook);
    const before = await mathsY6();
    await dataset.database.db
      .update(assessments)
      .set({ nxPointId: await pointId(dataset.database, 'NX12'), rawValue: 'GDS' })
      .where(
        and(
          eq(assessments.pupilId, dataset.pupil.Ava!),
          eq(assessments.subjectId, dataset.maths),
          eq(assessments.collectionId, dataset.autumn26),
        ),
      );
    const after = await figures();
    expect(await mathsY6()).not.toEqual(before);
    expect(await mathsY6()).toContain('NX12:1');
    expect(await keptFor(dataset.brook)).toEqual(brookBefore);
    expect(await counted()).toEqual(after);
  });

  it('follow a point that is withdrawn and one that lands', async () => {
    const before = await figures();
    await dataset.database.db
      .delete(assessments)
      .where(
        and(
          eq(assessments.pupilId, dataset.pupil.Ben!),
          eq(assessments.collectionId, dataset.autumn26),
        ),
      );
    const withdrawn = await figures();
    expect(withdrawn.leftOut).not.toEqual(before.leftOut);
    expect(withdrawn).toEqual(await counted());
    await dataset.database.db.insert(assessments).values({
      pupilId: dataset.pupil.Ben!,
      schoolId: dataset.oakfield,
      subjectId: dataset.maths,
      collectionId: dataset.autumn26,
      nxPointId: await pointId(dataset.database, 'NX7'),
      rawValue: 'WTS',
    });
    const landed = await figures();
    expect(landed).not.toEqual(withdrawn);
    expect(landed).toEqual(await counted());
  });

  it('follow a pupil who leaves before the collection date', async () => {
    await figures();
    const before = await mathsY6();
    await dataset.database.db
      .update(pupils)
      .set({ onRollTo: '2026-11-20' })
      .where(eq(pupils.id, dataset.pupil.Cara!));
    const after = await figures();
    expect(await mathsY6()).not.toEqual(before);
    expect(after).toEqual(await counted());
  });

  it('follow targets a school enters', async () => {
    await figures();
    const before = (await figures()).targets;
    await saveTargets(
      dataset.database.db,
      { userId: null, label: 'Jo Whitfield' },
      {
        schoolId: dataset.oakfield,
        startYear: 2026,
        today: '2026-12-03',
        via: 'form',
        changes: [{ pupilId: dataset.pupil.Gita!, subjectId: dataset.maths, value: 'NX11' }],
      },
    );
    const after = await figures();
    expect(after.targets).not.toEqual(before);
    expect(after).toEqual(await counted());
  });

  it('follow the scale when its points are renumbered, for every school', async () => {
    await figures();
    const brookBefore = await keptFor(dataset.brook);
    await dataset.database.db.execute(
      sql`update ${nxPoints} set position = position + 100 where code in ('NX1', 'NX2', 'NX3')`,
    );
    const after = await figures();
    expect(await keptFor(dataset.brook)).not.toEqual(brookBefore);
    expect(after).toEqual(await counted());
    await dataset.database.db.execute(
      sql`update ${nxPoints} set position = position - 100 where position > 100`,
    );
  });
});
