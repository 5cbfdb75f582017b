import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Actor } from '../src/audit.ts';
import type { Database } from '../src/db/index.ts';
import { rows } from '../src/db/rows.ts';
import { createSource } from '../src/sync/sources.ts';
import { addSchool } from '../src/trust/schools.ts';

/** The synthetic trust the benchmarks sync: primary schools on Wonde, three terms of results. */

export const BENCH_ACTOR: Actor = { userId: null, label: 'bench' };
export const SECRET_KEY = Buffer.alloc(32, 7);

export interface BenchTrust {
  schools: { name: string; urn: string; laestab: string; results: number }[];
  fake: { url: string; token: string; close(): Promise<void> };
  wondeIds: string[];
}

/** Starts the trust's school systems in a child process (`trust-host.ts`) and waits for them. */
export async function startTrust(schoolCount: number, pupils: number): Promise<BenchTrust> {
  const host = fork(fileURLToPath(new URL('./trust-host.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Omit<BenchTrust, 'fake'> & { url: string; token: string }>(
    (resolve, reject) => {
      host.once('message', (message) => resolve(message as never));
      host.once('exit', (code) => reject(new Error(`the trust's school systems exited (${code})`)));
      host.send({ schools: schoolCount, pupils });
    },
  );
  const close = () =>
    new Promise<void>((resolve) => {
      host.once('exit', () => resolve());
      host.disconnect();
    });
  return {
    schools: ready.schools,
    wondeIds: ready.wondeIds,
    fake: { url: ready.url, token: ready.token, close },
  };
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
