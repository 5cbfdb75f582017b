import { and, eq, sql } from 'drizzle-orm';
import { type Actor, recordAudit } from '../audit.ts';
import type { Db, Executor } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import { academicYears, halfTerms, nxPoints, subjects, targets, terms } from '../db/schema.ts';
import { onRollOn, yearGroupIn } from './cohort.ts';

/**
 * Most likely outcomes for pupils in Y2, Y4 and Y6, one per subject, and projections for the Y1
 * phonics screening check, shared at the end of autumn half term 1 (5.1.4) and reviewed against
 * the December, March and July collections (5.1.5). A school enters them by a form or a CSV;
 * every save is checked whole, saves nothing if any line is wrong, and is audited.
 */

export const MOST_LIKELY_OUTCOME = 'most_likely_outcome';
export const PHONICS_PROJECTION = 'phonics_projection';

export const OUTCOME_YEARS: readonly string[] = ['Y2', 'Y4', 'Y6'];
export const PHONICS_YEAR = 'Y1';

export type Projection = 'expected_to_pass' | 'not_expected_to_pass';

export const PROJECTION_TEXT: Record<Projection, string> = {
  expected_to_pass: 'Expected to pass',
  not_expected_to_pass: 'Not expected to pass',
};

export interface TargetPupil {
  pupilId: string;
  schoolId: string;
  upn: string | null;
  name: string;
  firstName: string;
  lastName: string;
  year: string;
  /** On roll on the reference day; a leaver's targets are kept and listed, not counted. */
  onRoll: boolean;
  /** Most likely outcome by subject id. */
  outcomes: Map<number, { code: string; position: number }>;
  phonics: Projection | null;
}

export interface TargetYear {
  id: number;
  startYear: number;
  label: string;
  startsOn: string;
  endsOn: string;
}

interface CohortRow extends Record<string, unknown> {
  pupil_id: string;
  school_id: string;
  upn: string | null;
  first_name: string;
  last_name: string;
  year: string;
  on_roll: boolean;
  kind: string | null;
  subject_id: number | null;
  code: string | null;
  position: number | null;
  projection: Projection | null;
}

export async function targetYear(executor: Executor, startYear: number) {
  const [year] = await executor
    .select({
      id: academicYears.id,
      startYear: academicYears.startYear,
      label: academicYears.label,
      startsOn: academicYears.startsOn,
      endsOn: academicYears.endsOn,
    })
    .from(academicYears)
    .where(eq(academicYears.startYear, startYear));
  return year ?? null;
}

/** The end of autumn half term 1, when most likely outcomes are shared (5.1.4). */
export async function outcomesDueOn(executor: Executor, year: TargetYear): Promise<string | null> {
  const [half] = await executor
    .select({ endsOn: halfTerms.endsOn })
    .from(halfTerms)
    .innerJoin(terms, eq(terms.id, halfTerms.termId))
    .where(and(eq(terms.academicYearId, year.id), eq(terms.kind, 'autumn'), eq(halfTerms.half, 1)));
  return half?.endsOn ?? null;
}

/**
 * The pupils targets are for: on roll in Y1, Y2, Y4 or Y6 that school year (today, or its last
 * day once it is over), with the targets they have; and anyone else who has a target.
 */
export async function targetCohort(
  executor: Executor,
  schoolIds: readonly string[],
  year: TargetYear,
  today: string,
): Promise<TargetPupil[]> {
  if (schoolIds.length === 0) return [];
  const day = sql`least(greatest(${today}::date, ${year.startsOn}::date), ${year.endsOn}::date)`;
  const found = await rows<CohortRow>(
    executor,
    sql`
    with cohort as (
      select p.id, p.school_id, p.upn, p.first_name, p.last_name,
        ${yearGroupIn(today, sql`${year.startYear}::int`)} as year, ${onRollOn(day)} as on_roll
      from pupils p where p.school_id in ${schoolIds}
    )
    select c.id as pupil_id, c.school_id, c.upn, c.first_name, c.last_name, c.year, c.on_roll,
      t.kind, t.subject_id, n.code, n.position, t.projection
    from cohort c
    left join targets t on t.pupil_id = c.id and t.academic_year_id = ${year.id}
    left join nx_points n on n.id = t.nx_point_id
    where (c.on_roll and c.year in ${[PHONICS_YEAR, ...OUTCOME_YEARS]}) or t.id is not null
    order by c.last_name, c.first_name, c.id`,
  );
  const pupils = new Map<string, TargetPupil>();
  for (const row of found) {
    const pupil = pupils.get(row.pupil_id) ?? {
      pupilId: row.pupil_id,
      schoolId: row.school_id,
      upn: row.upn,
      name: `${row.first_name} ${row.last_name}`,
      firstName: row.first_name,
      lastName: row.last_name,
      year: row.year,
      onRoll: row.on_roll,
      outcomes: new Map(),
      phonics: null,
    };
    if (row.kind === MOST_LIKELY_OUTCOME && row.subject_id !== null && row.code !== null) {
      pupil.outcomes.set(row.subject_id, { code: row.code, position: row.position! });
    }
    if (row.kind === PHONICS_PROJECTION) pupil.phonics = row.projection;
    pupils.set(row.pupil_id, pupil);
  }
  return [...pupils.values()];
}

/** One target to set, change or (with a null value) clear. */
export interface TargetChange {
  pupilId: string;
  /** A subject's most likely outcome; null for the phonics projection. */
  subjectId: number | null;
  /** An NX code for an outcome, a projection for phonics, or null to clear. */
  value: string | null;
  /** Where the change came from, for the problem it may cause: "row 4". */
  where?: string;
}

export interface SaveTargets {
  schoolId: string;
  startYear: number;
  today: string;
  via: 'form' | 'upload' | 'api';
  changes: readonly TargetChange[];
}

export interface SavedTargets {
  set: number;
  changed: number;
  cleared: number;
  unchanged: number;
}

export class TargetError extends Error {
  override name = 'TargetError';
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
  }
}

/** Sets a school's targets for a school year, all or nothing, and records who and when. */
export async function saveTargets(db: Db, actor: Actor, input: SaveTargets): Promise<SavedTargets> {
  const year = await targetYear(db, input.startYear);
  if (!year) throw new TargetError([`There is no school year ${input.startYear} in the calendar.`]);
  return db.transaction(async (tx) => {
    const cohort = await targetCohort(tx, [input.schoolId], year, input.today);
    const scale = await tx.select().from(nxPoints);
    const active = await tx.select().from(subjects).where(eq(subjects.active, true));
    const checked = input.changes.map((change) => check(change, { cohort, scale, active }));
    const problems = [
      ...checked.flatMap((result) => (result.problem ? [result.problem] : [])),
      ...duplicates(input.changes),
    ];
    if (problems.length > 0) throw new TargetError(problems);

    const saved: SavedTargets = { set: 0, changed: 0, cleared: 0, unchanged: 0 };
    const audited: Record<string, unknown>[] = [];
    for (const result of checked) {
      const outcome = await apply(tx, actor, year.id, result.target!);
      saved[outcome.effect] += 1;
      if (outcome.effect !== 'unchanged') audited.push(outcome.entry);
    }
    if (audited.length === 0) return saved;
    await recordAudit(tx, actor, {
      action: 'targets.save',
      entityType: 'school',
      entityId: input.schoolId,
      schoolId: input.schoolId,
      details: { academicYear: year.label, via: input.via, ...saved, changes: audited },
    });
    return saved;
  });
}

interface Checked {
  problem: string | null;
  target: {
    pupil: TargetPupil;
    subjectId: number | null;
    pointId: string | null;
    code: string | null;
    projection: Projection | null;
    before: string | null;
  } | null;
}

interface Lookups {
  cohort: readonly TargetPupil[];
  scale: readonly (typeof nxPoints.$inferSelect)[];
  active: readonly (typeof subjects.$inferSelect)[];
}

function check(change: TargetChange, lookups: Lookups): Checked {
  const where = change.where ? `${change.where}: ` : '';
  const refuse = (message: string): Checked => ({ problem: `${where}${message}`, target: null });
  const pupil = lookups.cohort.find((candidate) => candidate.pupilId === change.pupilId);
  if (!pupil?.onRoll) return refuse('this pupil is not on roll at the school this year.');
  const value = change.value?.trim() || null;

  if (change.subjectId === null) {
    if (pupil.year !== PHONICS_YEAR) {
      return refuse(`${pupil.name} is in ${pupil.year}; phonics projections are for Y1 (5.1.4).`);
    }
    if (value !== null && !(value in PROJECTION_TEXT)) {
      return refuse(`"${value}" is not a projection: write expected or not expected to pass.`);
    }
    const before = pupil.phonics;
    const projection = value as Projection | null;
    return ok(pupil, null, null, null, projection, before);
  }

  const subject = lookups.active.find((candidate) => candidate.id === change.subjectId);
  if (!subject) return refuse('there is no such subject.');
  if (!OUTCOME_YEARS.includes(pupil.year)) {
    return refuse(
      `${pupil.name} is in ${pupil.year}; most likely outcomes are for Y2, Y4 and Y6 (5.1.4).`,
    );
  }
  const point = value === null ? null : lookups.scale.find((p) => sameCode(p.code, value));
  if (value !== null && !point) return refuse(`"${value}" is not a Next Steps point.`);
  const before = pupil.outcomes.get(subject.id)?.code ?? null;
  return ok(pupil, subject.id, point?.id ?? null, point?.code ?? null, null, before);
}

/** A pupil and subject given twice in one save: which one was meant is not ours to guess. */
function duplicates(changes: readonly TargetChange[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const change of changes) {
    const key = `${change.pupilId}|${change.subjectId}`;
    if (seen.has(key)) {
      const where = change.where ? `${change.where}: ` : '';
      problems.push(`${where}this pupil's target for this subject is given twice.`);
    }
    seen.add(key);
  }
  return problems;
}

function ok(
  pupil: TargetPupil,
  subjectId: number | null,
  pointId: string | null,
  code: string | null,
  projection: Projection | null,
  before: string | null,
): Checked {
  return { problem: null, target: { pupil, subjectId, pointId, code, projection, before } };
}

function sameCode(a: string, b: string): boolean {
  return a.replace(/\s+/g, '').toUpperCase() === b.replace(/\s+/g, '').toUpperCase();
}

async function apply(
  executor: Executor,
  actor: Actor,
  academicYearId: number,
  target: NonNullable<Checked['target']>,
) {
  const kind = target.subjectId === null ? PHONICS_PROJECTION : MOST_LIKELY_OUTCOME;
  const after = target.subjectId === null ? target.projection : target.code;
  const entry = {
    pupilId: target.pupil.pupilId,
    subjectId: target.subjectId,
    kind,
    from: target.before,
    to: after,
  };
  if (after === target.before) return { effect: 'unchanged' as const, entry };
  const key = and(
    eq(targets.pupilId, target.pupil.pupilId),
    eq(targets.academicYearId, academicYearId),
    eq(targets.kind, kind),
    target.subjectId === null
      ? sql`${targets.subjectId} is null`
      : eq(targets.subjectId, target.subjectId),
  );
  if (after === null) {
    await executor.delete(targets).where(key);
    return { effect: 'cleared' as const, entry };
  }
  await executor
    .insert(targets)
    .values({
      pupilId: target.pupil.pupilId,
      academicYearId,
      subjectId: target.subjectId,
      kind,
      nxPointId: target.pointId,
      projection: target.projection,
      enteredBy: actor.userId,
    })
    .onConflictDoUpdate({
      target: [targets.pupilId, targets.academicYearId, targets.kind, targets.subjectId],
      set: {
        nxPointId: target.pointId,
        projection: target.projection,
        enteredBy: actor.userId,
        enteredAt: new Date(),
      },
    });
  return { effect: target.before === null ? ('set' as const) : ('changed' as const), entry };
}
