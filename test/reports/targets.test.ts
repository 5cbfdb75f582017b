import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/audit.ts';
import { assessments, auditLog, pupils, targets } from '../../src/db/schema.ts';
import { Report } from '../../src/reports/report.ts';
import {
  outcomesDueOn,
  saveTargets,
  type TargetChange,
  TargetError,
  targetCohort,
  targetYear,
} from '../../src/reports/targets.ts';
import { parseTargetsCsv, targetsTemplate } from '../../src/reports/targets-csv.ts';
import { addSchool } from '../../src/trust/schools.ts';
import { collectionId } from '../support/fixtures.ts';
import { buildDataset, type Dataset, pointId } from './dataset.ts';

/** Most likely outcomes and phonics projections: saved with audit, then set beside reviews. */

const LEAD: Actor = { userId: null, label: 'Jo Whitfield (data lead)' };
const TODAY = '2026-12-03';

let dataset: Dataset;

beforeAll(async () => {
  dataset = await buildDataset();
});
afterAll(async () => {
  await dataset.database.close();
});

function save(changes: TargetChange[]) {
  return saveTargets(dataset.database.db, LEAD, {
    schoolId: dataset.oakfield,
    startYear: 2026,
    today: TODAY,
    via: 'form',
    changes,
  });
}

async function targetCount() {
  const [row] = await dataset.database.db.select({ n: sql<number>`count(*)::int` }).from(targets);
  return row!.n;
}

describe('saving targets', () => {
  it('sets outcomes and a projection, and audits who set what', async () => {
    const { pupil, maths } = dataset;
    const saved = await save([
      { pupilId: pupil.Ava!, subjectId: maths, value: 'NX9' },
      { pupilId: pupil.Ben!, subjectId: maths, value: 'nx9' },
      { pupilId: pupil.Dan!, subjectId: maths, value: 'NX9' },
      { pupilId: pupil.Finn!, subjectId: maths, value: 'NX8' },
      { pupilId: pupil.Hana!, subjectId: maths, value: 'NX7' },
      { pupilId: pupil.Ian!, subjectId: maths, value: 'NX7' },
      { pupilId: pupil.Maya!, subjectId: null, value: 'expected_to_pass' },
    ]);
    expect(saved).toEqual({ set: 7, changed: 0, cleared: 0, unchanged: 0 });
    const [entry] = await dataset.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'targets.save'));
    expect(entry).toMatchObject({
      actorLabel: 'Jo Whitfield (data lead)',
      entityType: 'school',
      entityId: dataset.oakfield,
      schoolId: dataset.oakfield,
    });
    expect(entry!.details).toMatchObject({ academicYear: '2026/27', via: 'form', set: 7 });
    expect((entry!.details.changes as unknown[])[0]).toEqual({
      pupilId: pupil.Ava,
      subjectId: maths,
      kind: 'most_likely_outcome',
      from: null,
      to: 'NX9',
    });
  });

  it('changes and clears, and audits only a save that changed something', async () => {
    const { pupil, maths } = dataset;
    const before = await dataset.database.db.select().from(auditLog);
    expect(await save([{ pupilId: pupil.Ava!, subjectId: maths, value: 'NX9' }])).toEqual({
      set: 0,
      changed: 0,
      cleared: 0,
      unchanged: 1,
    });
    expect(await dataset.database.db.select().from(auditLog)).toHaveLength(before.length);
    expect(
      await save([
        { pupilId: pupil.Gita!, subjectId: maths, value: 'NX10' },
        { pupilId: pupil.Gita!, subjectId: dataset.reading, value: 'NX9' },
      ]),
    ).toEqual({ set: 2, changed: 0, cleared: 0, unchanged: 0 });
    expect(
      await save([
        { pupilId: pupil.Gita!, subjectId: maths, value: 'NX9' },
        { pupilId: pupil.Gita!, subjectId: dataset.reading, value: null },
      ]),
    ).toEqual({ set: 0, changed: 1, cleared: 1, unchanged: 0 });
    const gita = await dataset.database.db
      .select()
      .from(targets)
      .where(eq(targets.pupilId, pupil.Gita!));
    expect(gita.map((target) => target.nxPointId)).toEqual([
      await pointId(dataset.database, 'NX9'),
    ]);
    await save([{ pupilId: pupil.Gita!, subjectId: maths, value: null }]);
  });

  it('refuses the whole save when one line is wrong, naming each problem', async () => {
    const { pupil, maths } = dataset;
    const before = await targetCount();
    const attempt = save([
      { pupilId: pupil.Cara!, subjectId: maths, value: 'NX10', where: 'row 2' },
      { pupilId: pupil.Maya!, subjectId: maths, value: 'NX6', where: 'row 3' },
      { pupilId: pupil.Hana!, subjectId: null, value: 'expected_to_pass', where: 'row 4' },
      { pupilId: pupil.Jack!, subjectId: maths, value: 'NX9', where: 'row 5' },
      { pupilId: pupil.Ella!, subjectId: maths, value: 'NX99', where: 'row 6' },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(TargetError);
    await expect(attempt).rejects.toMatchObject({
      problems: [
        'row 3: Maya Morris is in Y1; most likely outcomes are for Y2, Y4 and Y6 (5.1.4).',
        'row 4: Hana Hughes is in Y2; phonics projections are for Y1 (5.1.4).',
        'row 5: this pupil is not on roll at the school this year.',
        'row 6: "NX99" is not a Next Steps point.',
      ],
    });
    expect(await targetCount()).toBe(before);
  });
});

describe('targets beside the reviews', () => {
  it('counts outcomes at the expected standard and where pupils are at each review', async () => {
    const report = await Report.open(dataset.database.db, {
      schoolIds: [dataset.oakfield],
      collectionId: dataset.autumn26,
      today: TODAY,
      suppressionThreshold: 5,
      point: null,
    });
    const found = (await report.targets())!.report;
    const outcome = (year: string) =>
      found.outcomes.find((o) => o.year === year && o.subjectId === dataset.maths)!;
    expect(found.reviews.map((review) => review.label)).toEqual([
      'Autumn 2026/27',
      'Spring 2026/27',
      'Summer 2026/27',
    ]);
    expect(outcome('Y6')).toMatchObject({
      pupils: 8,
      withOutcome: 4,
      expected: 'NX9',
      outcomeAtExpected: 3,
      outcomeAtExpectedPercent: 75,
    });
    expect(outcome('Y6').reviews[0]).toMatchObject({
      withPoint: 4,
      atOrAboveOutcome: 1,
      oneBelow: 2,
      furtherBelow: 1,
      noPoint: 0,
      atExpected: 1,
    });
    expect(outcome('Y6').reviews[1]).toMatchObject({ withPoint: 0, noPoint: 4 });
    expect(outcome('Y2')).toMatchObject({ pupils: 2, withOutcome: 2, outcomeAtExpected: 2 });
    expect(outcome('Y2').reviews[0]).toMatchObject({ atOrAboveOutcome: 1, oneBelow: 1 });
    expect(outcome('Y4')).toMatchObject({ pupils: 1, withOutcome: 0, expected: null });
    expect(found.phonics).toEqual({
      pupils: 1,
      expectedToPass: 1,
      notExpectedToPass: 0,
      noProjection: 0,
      expectedPercent: 100,
    });
    expect(found.leavers).toBe(0);
  });

  it('are shared at the end of autumn half term 1', async () => {
    const year = (await targetYear(dataset.database.db, 2026))!;
    expect(await outcomesDueOn(dataset.database.db, year)).toBe('2026-10-23');
  });
});

describe('a targets CSV', () => {
  it('gives the template with targets so far, and reads it back unchanged', async () => {
    const year = (await targetYear(dataset.database.db, 2026))!;
    const cohort = await targetCohort(dataset.database.db, [dataset.oakfield], year, TODAY);
    const subjects = [
      { id: dataset.reading, name: 'Reading' },
      { id: dataset.writing, name: 'Writing' },
      { id: dataset.maths, name: 'Mathematics' },
    ];
    const template = targetsTemplate(cohort, subjects);
    expect(template[0]).toEqual([
      'UPN',
      'Surname',
      'Forename',
      'Year group',
      'Reading',
      'Writing',
      'Mathematics',
      'Phonics projection',
    ]);
    const ava = template.find((row) => row[2] === 'Ava')!;
    expect(ava.slice(3)).toEqual(['Y6', '', '', 'NX9', '']);
    const maya = template.find((row) => row[2] === 'Maya')!;
    expect(maya.slice(3)).toEqual(['Y1', '', '', '', 'Expected to pass']);
    const csv = template.map((row) => row.join(',')).join('\n');
    const parsed = parseTargetsCsv(csv, cohort, subjects);
    expect(parsed.problems).toEqual([]);
    expect(await save(parsed.changes)).toMatchObject({ set: 0, changed: 0, cleared: 0 });
  });

  it('names the row of a UPN it does not know and of a projection it cannot read', async () => {
    const year = (await targetYear(dataset.database.db, 2026))!;
    const cohort = await targetCohort(dataset.database.db, [dataset.oakfield], year, TODAY);
    const [maya] = await dataset.database.db
      .select()
      .from(pupils)
      .where(and(eq(pupils.firstName, 'Maya'), eq(pupils.schoolId, dataset.oakfield)));
    const parsed = parseTargetsCsv(
      `UPN,Mathematics,Phonics projection\nA000000000000,NX7,\n${maya!.upn},,perhaps\n`,
      cohort,
      [{ id: dataset.maths, name: 'Mathematics' }],
    );
    expect(parsed.problems).toEqual([
      'row 2: no pupil on roll here in Y1, Y2, Y4 or Y6 has UPN "A000000000000".',
      'row 3: "perhaps" is not a projection; write "Expected to pass" or "Not expected to pass".',
    ]);
  });
});

describe("a converted school's baseline", () => {
  it("stands in for its term's collection, and is the pupils' first point", async () => {
    const db = dataset.database.db;
    const school = await addSchool(db, LEAD, {
      name: 'Meadow Lane Primary',
      urn: '150123',
      laestab: '8010123',
      phase: 'primary',
      setting: 'mainstream',
      joinedTrustOn: '2026-09-01',
    });
    const baseline = await collectionId(db, 'Baseline (Autumn 2026/27)');
    const [pupil] = await db
      .insert(pupils)
      .values({
        schoolId: school.id,
        firstName: 'Zara',
        lastName: 'Quinn',
        ncYear: 'Y6',
        ncYearOrdinal: 6,
        onRollFrom: '2020-09-01',
      })
      .returning();
    await db.insert(assessments).values({
      pupilId: pupil!.id,
      schoolId: school.id,
      subjectId: dataset.maths,
      collectionId: baseline,
      nxPointId: await pointId(dataset.database, 'NX9'),
      rawValue: 'NX9',
    });
    const report = await Report.open(db, {
      schoolIds: [school.id],
      collectionId: dataset.autumn26,
      today: TODAY,
      suppressionThreshold: 5,
      point: null,
    });
    const { grids } = await report.attainment();
    expect(grids.find((grid) => grid.subjectId === dataset.maths)!.total).toMatchObject({
      pupils: 1,
      atOrAbove: 1,
    });
    const maths = (await report.movement()).find((m) => m.subjectId === dataset.maths)!;
    expect(maths.sinceBaseline).toEqual({ up: 0, same: 0, down: 0, none: 1 });
  });
});
