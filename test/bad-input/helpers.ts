import { readFileSync } from 'node:fs';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordProblem } from '../../src/connectors/contract.ts';
import { rows } from '../../src/db/rows.ts';
import {
  aspects,
  gradeRules,
  pupils,
  recordProblems,
  subjectMappings,
  syncRunEvents,
  syncRuns,
} from '../../src/db/schema.ts';
import type { Engine } from '../../src/sync/engine.ts';
import { decideGradeRules, decideSubjectMappings } from '../../src/sync/mapping.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { ANALYST, testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust, TODAY } from '../support/fixtures.ts';

/**
 * What a person sees after a broken input went through the product: the run's status and
 * message, the records it could not read, and what was staged and landed beside them.
 */

export const FIXTURES = new URL('./fixtures/', import.meta.url);

export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

export interface Outcome {
  status: string;
  failureCode: string | null;
  message: string | null;
  problems: RecordProblem[];
  pupils: number;
  staged: number;
  landed: number;
}

let schools = 0;

/** A school of its own for each input, so that counts belong to that input alone. */
export async function freshSource(database: TestDatabase, kind: string) {
  schools += 1;
  const school = await createSchool(database.db, {
    name: `Oakfield Primary Academy ${schools}`,
    urn: String(138_200 + schools),
    laestab: String(8_012_300 + schools),
  });
  return createSource(database.db, school.id, kind);
}

/** The trust library's grade rules, confirmed as a subject leader would before results land. */
export async function confirmLibrary(database: TestDatabase) {
  const library = await database.db
    .select({ id: gradeRules.id })
    .from(gradeRules)
    .where(and(isNull(gradeRules.schoolId), eq(gradeRules.status, 'proposed')));
  await decideGradeRules(
    database.db,
    ANALYST,
    library.map((rule) => rule.id),
    { decision: 'confirm', reason: 'Trust library agreed at the autumn PLC' },
    TODAY,
  );
}

/** Uploads the file as the school would, runs it, confirms the suggested subjects, and reports. */
export async function uploadFixture(
  engine: Engine,
  database: TestDatabase,
  kind: string,
  fileName: string,
  bytes: Buffer = fixture(fileName),
): Promise<Outcome> {
  const source = await freshSource(database, kind);
  const run = await uploadAndRun(engine, source, fileName, bytes);
  await confirmSuggestedSubjects(database, source.schoolId);
  return outcomeOf(database, run.id, source.schoolId);
}

export async function confirmSuggestedSubjects(database: TestDatabase, schoolId: string) {
  const proposed = await database.db
    .select({ id: subjectMappings.id })
    .from(subjectMappings)
    .innerJoin(aspects, eq(aspects.id, subjectMappings.aspectId))
    .where(and(eq(aspects.schoolId, schoolId), eq(subjectMappings.status, 'proposed')));
  if (proposed.length === 0) return;
  await decideSubjectMappings(
    database.db,
    ANALYST,
    proposed.map((mapping) => mapping.id),
    { decision: 'confirm', reason: 'Columns of the trust template' },
    TODAY,
  );
}

export async function outcomeOf(
  database: TestDatabase,
  runId: string,
  schoolId: string,
): Promise<Outcome> {
  const db = database.db;
  const [run] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  const problems = await db
    .select({
      location: recordProblems.location,
      row: recordProblems.row,
      field: recordProblems.field,
      code: recordProblems.code,
      message: recordProblems.message,
    })
    .from(recordProblems)
    .where(eq(recordProblems.runId, runId))
    .orderBy(asc(recordProblems.id));
  const [counts] = await rows<{ pupils: number; staged: number; landed: number }>(
    db,
    sql`
    select
      (select count(*)::int from pupils where school_id = ${schoolId}) as pupils,
      (select count(*)::int from staged_results where school_id = ${schoolId}) as staged,
      (select count(*)::int from assessments where school_id = ${schoolId}) as landed`,
  );
  return {
    status: run!.status,
    failureCode: run!.failureCode,
    message: run!.message,
    problems,
    ...counts!,
  };
}

/** The run log a person reads in the console, as "level code: message". */
export async function runLog(database: TestDatabase, runId: string): Promise<string[]> {
  const events = await database.db
    .select()
    .from(syncRunEvents)
    .where(eq(syncRunEvents.runId, runId))
    .orderBy(asc(syncRunEvents.id));
  return events.map((event) => `${event.level} ${event.code}: ${event.message}`);
}

/** Every row of every table as text, to show that a value reached none of them. */
export async function everyStoredText(database: TestDatabase): Promise<string> {
  const tables = await rows<{ name: string }>(
    database.db,
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const found = await rows<{ row: string }>(
      database.db,
      sql`select t::text as row from ${sql.identifier(name)} t`,
    );
    parts.push(...found.map((entry) => entry.row));
  }
  return parts.join('\n');
}

/** A problem as the tests write it out: where, what and the message in full. */
export function problem(
  location: string,
  row: number | null,
  field: string | null,
  code: string,
  message: string,
): RecordProblem {
  return { location, row, field, code, message };
}

/** One broken file, and everything a person sees once it has been uploaded and run. */
export interface FileCase {
  fixture: string;
  kind: 'spreadsheet' | 'ctf' | 'oneroster_csv';
  /** What is wrong with it, for the test's title. */
  wrong: string;
  status: 'succeeded' | 'succeeded_with_warnings' | 'failed';
  message: string | null;
  problems: RecordProblem[];
  /** Pupils and results staged, and NX points landed once the suggested subjects are confirmed. */
  pupils: number;
  staged: number;
  landed: number;
  /** The school's pupils afterwards, as "Surname, Forename". */
  names: string[];
}

/** The school of the latest upload's pupils, as "Surname, Forename", sorted. */
export async function pupilNames(database: TestDatabase, schoolId: string): Promise<string[]> {
  const found = await database.db
    .select({ lastName: pupils.lastName, firstName: pupils.firstName })
    .from(pupils)
    .where(eq(pupils.schoolId, schoolId))
    .orderBy(asc(pupils.lastName), asc(pupils.firstName));
  return found.map((pupil) => `${pupil.lastName}, ${pupil.firstName}`);
}

/**
 * A table of broken files, each uploaded to a school of its own and run by the worker, in one
 * database for the whole table.
 */
export function fileCorpus(title: string, cases: readonly FileCase[]): () => TestDatabase {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await testDatabase();
    await seedTrust(database.db);
    await confirmLibrary(database);
  });
  afterAll(() => database.close());

  describe(title, () => {
    for (const expected of cases) {
      const landed = `${expected.staged} results staged, ${expected.landed} landed`;
      it(`${expected.fixture}, ${expected.wrong}: ${expected.status}, ${landed}`, async () => {
        const source = await freshSource(database, expected.kind);
        const bytes = fixture(expected.fixture);
        const run = await uploadAndRun(testEngine(database), source, expected.fixture, bytes);
        await confirmSuggestedSubjects(database, source.schoolId);
        const outcome = await outcomeOf(database, run.id, source.schoolId);

        expect({
          status: outcome.status,
          message: outcome.message,
          problems: outcome.problems,
          pupils: outcome.pupils,
          staged: outcome.staged,
          landed: outcome.landed,
          names: await pupilNames(database, source.schoolId),
        }).toEqual({
          status: expected.status,
          message: expected.message,
          problems: expected.problems,
          pupils: expected.pupils,
          staged: expected.staged,
          landed: expected.landed,
          names: expected.names,
        });
      });
    }
  });
  return () => database;
}
