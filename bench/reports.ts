import { sql } from 'drizzle-orm';
import type { Database } from '../src/db/index.ts';
import { rows } from '../src/db/rows.ts';
import { addSchool } from '../src/trust/schools.ts';
import { BENCH_ACTOR } from './trust.ts';

/**
 * A trust with years of landed history, for the report pages: pupils, three subjects and the
 * termly collections up to today, written straight into `assessments` by SQL. Reports read only
 * landed points, so the pull that would have put them there is not what they measure.
 */

export interface ReportTrust {
  schoolIds: string[];
  collectionIds: number[];
  assessments: number;
}

export async function seedReportTrust(
  database: Database,
  options: { schools: number; pupils: number; collections: number; today: string },
): Promise<ReportTrust> {
  const schoolIds: string[] = [];
  for (let index = 0; index < options.schools; index += 1) {
    const added = await addSchool(database.db, BENCH_ACTOR, {
      name: `Report Academy ${index + 1}`,
      urn: String(170000 + index),
      laestab: String(8017000 + index),
      phase: 'primary',
      setting: index % 10 === 9 ? 'specialist' : 'mainstream',
      joinedTrustOn: '2019-09-01',
    });
    schoolIds.push(added.id);
  }
  const perSchool = Math.ceil(options.pupils / options.schools);
  // Year groups R to Y6; a few pupils in each school left or joined during the year.
  await database.db.execute(sql`
    insert into pupils (school_id, upn, first_name, last_name, date_of_birth, sex, nc_year,
      nc_year_ordinal, sen_status, disadvantaged, eal, on_roll_from, on_roll_to)
    select s.id, null, 'Pupil' || g.n, 'Bench' || s.ordinal,
      make_date(2020 - (g.n % 7), 1 + g.n % 12, 1 + g.n % 28),
      case when g.n % 2 = 0 then 'F' else 'M' end,
      case when g.n % 7 = 0 then 'R' else 'Y' || (g.n % 7)::text end, (g.n % 7)::smallint,
      (case when g.n % 13 = 0 then 'K' when g.n % 41 = 0 then 'E' else 'N' end)::sen_status,
      g.n % 4 = 0, g.n % 6 = 0,
      case when g.n % 97 = 0 then date '2026-11-16' else date '2019-09-02' end,
      case when g.n % 89 = 0 then date '2026-10-23' else null end
    from (select id, row_number() over (order by id) as ordinal
          from schools where id in ${schoolIds}) s
    cross join generate_series(1, ${perSchool}) as g(n)`);
  const collectionIds = (
    await rows<{ id: number }>(
      database.db,
      sql`select id from collections
          where kind <> 'baseline' and school_id is null and collection_date <= (
            select min(collection_date) from collections
            where kind <> 'baseline' and school_id is null and collection_date >= ${options.today})
          order by collection_date desc limit ${options.collections}`,
    )
  ).map((row) => row.id);
  // Each pupil's point rises with their year group at the time, with some staying or going down.
  await database.db.execute(sql`
    insert into assessments (pupil_id, school_id, subject_id, collection_id, nx_point_id,
      raw_value, assessed_on)
    select p.id, p.school_id, sub.id, c.id, n.id, n.code, c.collection_date
    from pupils p
    join schools s on s.id = p.school_id and s.id in ${schoolIds}
    cross join subjects sub
    join collections c on c.id in ${collectionIds}
    join academic_years ay on ay.id = c.academic_year_id
    join nx_points n on n.position = least(13, greatest(1,
      (p.nc_year_ordinal - (2026 - ay.start_year)) + 2
        + (select count(*) from terms t where t.academic_year_id = ay.id
           and t.starts_on <= c.collection_date)::int / 2
        + (abs(hashtext(p.id::text || sub.id::text || c.id::text)) % 3) - 1))
    where sub.active and p.nc_year_ordinal - (2026 - ay.start_year) >= 0
      and (p.on_roll_from is null or p.on_roll_from <= c.collection_date)
      and (p.on_roll_to is null or p.on_roll_to >= c.collection_date)
      and abs(hashtext(p.id::text || sub.id::text || c.id::text)) % 50 <> 0`);
  await database.db.execute(sql`analyze`);
  const [count] = await rows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from assessments`,
  );
  return { schoolIds, collectionIds, assessments: count?.n ?? 0 };
}

export interface PageTiming {
  page: string;
  url: string;
  median: number;
  p95: number;
  bytes: number;
}

/** The report pages and their API sections. */
export function reportPages(trust: ReportTrust): [string, string][] {
  const school = trust.schoolIds[0]!;
  const collection = trust.collectionIds[0]!;
  return [
    ['trust dashboard', `/reports/trust?collection=${collection}`],
    ['school dashboard', `/reports/schools/${school}?collection=${collection}`],
    ['trust Standards Report', `/reports/trust/standards?collection=${collection}`],
    ['school Standards Report', `/reports/schools/${school}/standards?collection=${collection}`],
    ['API trust attainment', `/api/v1/reports/trust/attainment?collectionId=${collection}`],
    ['API trust movement', `/api/v1/reports/trust/movement?collectionId=${collection}`],
    [
      'API school left out',
      `/api/v1/reports/schools/${school}/left-out?collectionId=${collection}`,
    ],
  ];
}

/** Each page `times` times after one warm-up, or once with no warm-up when `warm` is false. */
export async function timePages(
  baseUrl: string,
  token: string,
  pages: [string, string][],
  times: number,
  warm = true,
): Promise<PageTiming[]> {
  const { request } = await import('undici');
  const { percentile } = await import('./measure.ts');
  const timings: PageTiming[] = [];
  for (const [page, url] of pages) {
    const samples: number[] = [];
    let bytes = 0;
    const first = warm ? 1 : 0;
    for (let n = 0; n < times + 1; n += 1) {
      const started = performance.now();
      const response = await request(`${baseUrl}${url}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = await response.body.text();
      if (response.statusCode !== 200) {
        throw new Error(`${url} answered ${response.statusCode}: ${body.slice(0, 200)}`);
      }
      bytes = body.length;
      if (n >= first) samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    timings.push({
      page,
      url,
      median: percentile(samples, 0.5),
      p95: percentile(samples, 0.95),
      bytes,
    });
  }
  return timings;
}
