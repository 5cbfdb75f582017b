import { sql } from 'drizzle-orm';
import type { Actor } from '../src/audit.ts';
import type { Database } from '../src/db/index.ts';
import { rows } from '../src/db/rows.ts';
import { generateSchool, lastTerms, type SyntheticSchool } from '../src/fakes/school.ts';
import { startWondeFake, type WondeFake } from '../src/fakes/wonde/index.ts';
import { createSource } from '../src/sync/sources.ts';
import { addSchool } from '../src/trust/schools.ts';

/** The synthetic trust the benchmarks sync: primary schools on Wonde, three terms of results. */

export const BENCH_ACTOR: Actor = { userId: null, label: 'bench' };
export const SECRET_KEY = Buffer.alloc(32, 7);

export interface BenchTrust {
  schools: SyntheticSchool[];
  fake: WondeFake;
  wondeIds: string[];
}

export async function startTrust(schoolCount: number, pupils: number): Promise<BenchTrust> {
  const perSchool = Math.ceil(pupils / schoolCount);
  const schools = Array.from({ length: schoolCount }, (_, index) =>
    generateSchool({
      seed: 1000 + index,
      name: `Bench Academy ${index + 1}`,
      urn: String(160000 + index),
      la: 801,
      establishment: 6000 + index,
      pupils: perSchool,
      style: 'primary',
      terms: lastTerms(2026, 3),
      currentStartYear: 2026,
    }),
  );
  const wondeIds = schools.map((_, index) => `B${String(1930500000 + index)}`);
  const fake = await startWondeFake({
    schools: schools.map((school, index) => ({ id: wondeIds[index]!, school })),
    maxPerPage: 500,
  });
  return { schools, fake, wondeIds };
}

export async function addTrustSources(database: Database, trust: BenchTrust) {
  for (const [index, school] of trust.schools.entries()) {
    const added = await addSchool(database.db, BENCH_ACTOR, {
      name: school.name,
      urn: school.urn,
      laestab: school.laestab,
      phase: 'primary',
      setting: 'mainstream',
      joinedTrustOn: '2019-09-01',
    });
    await createSource(database.db, SECRET_KEY, BENCH_ACTOR, {
      schoolId: added.id,
      kind: 'wonde',
      name: 'Wonde',
      config: {
        baseUrl: trust.fake.url,
        schoolId: trust.wondeIds[index],
        pageDelayMs: 0,
        pageSize: 500,
      },
      secrets: { token: trust.fake.token },
      schedule: null,
    });
  }
}

const WRITTEN_TABLES = ['pupils', 'source_pupils', 'staged_results', 'assessments', 'aspects'];

/** The current transaction id: rows written after it carry a newer xmin. */
export async function transactionMark(database: Database): Promise<number> {
  const [mark] = await rows<{ xid: string }>(
    database.db,
    sql`select (txid_current() % 4294967296)::text as xid`,
  );
  return Number(mark!.xid);
}

/** Rows inserted or updated since the mark in the tables a sync writes (their xmin is newer). */
export async function rowsWrittenSince(database: Database, mark: number): Promise<number> {
  let total = 0;
  for (const table of WRITTEN_TABLES) {
    const [found] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from ${sql.identifier(table)}
          where xmin::text::bigint > ${mark}`,
    );
    total += found?.n ?? 0;
  }
  return total;
}
