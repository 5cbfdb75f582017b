import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pupils } from '../../src/db/schema.ts';
import { buildDataset, type Dataset, type ReportUsers, reportUsers } from '../reports/dataset.ts';
import { testApp } from '../support/app.ts';
import { makeUpn } from '../support/upn.ts';
import { type Session, signInAs } from './console-fixtures.ts';

/**
 * The report pages, their exports and who may open them. A pupil whose name a spreadsheet would
 * run as a formula is on Oakfield's roll with no point, so every export that lists pupils has
 * to make it harmless.
 */

const FORMULA = '=HYPERLINK("http://evil.example","Click")';

let dataset: Dataset;
let users: ReportUsers;
let app: FastifyInstance;
const sessions: Partial<Record<keyof ReportUsers, Session>> = {};

beforeAll(async () => {
  dataset = await buildDataset();
  users = await reportUsers(dataset);
  await dataset.database.db.insert(pupils).values({
    schoolId: dataset.oakfield,
    upn: makeUpn(801, 2345, 16, 90),
    firstName: FORMULA,
    lastName: '+Smith',
    ncYear: 'Y6',
    ncYearOrdinal: 6,
    onRollFrom: '2019-09-01',
  });
  app = await testApp(dataset.database);
  for (const name of Object.keys(users) as (keyof ReportUsers)[]) {
    sessions[name] = await signInAs(app, users[name]);
  }
});
afterAll(async () => {
  await app.close();
  await dataset.database.close();
});

function get(url: string, who: keyof ReportUsers) {
  return app.inject({ url, headers: { cookie: sessions[who]!.cookie } });
}

const school = (id: string, rest = '') => `/reports/schools/${id}${rest}`;

describe('the report pages', () => {
  it("show a school's dashboard: grid, groups, over time, movement, left out", async () => {
    const response = await get(school(dataset.oakfield), 'oakfieldLead');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.body;
    expect(body).toContain('School Performance Dashboard · Oakfield Primary Academy');
    expect(body).toContain('Mathematics: pupils at each Next Steps point by year group.');
    expect(body).toContain('11 pupils counted.');
    expect(body).toContain('suppressed (fewer than 5)');
    expect(body).toContain('suppressed (would reveal a group of fewer than 5)');
    expect(body).toContain('−43 pts');
    expect(body).toContain('Movement since Summer 2025/26');
    expect(body).toContain('Left the school before the collection date.');
    expect(body).toMatch(/<link rel="stylesheet" href="\/reports\/assets\/reports\.css\?v&#61;/);
    expect(body).toContain('aria-current="page">Reports</a>');
    expect(body).not.toContain('Brook Special School');
  });

  it("open each pupil's movement from the dashboard, in place or as its own page", async () => {
    const dashboard = (await get(school(dataset.oakfield), 'oakfieldLead')).body;
    // The dashboard gives the counts and fetches the pupils only when a reader opens them.
    expect(dashboard).not.toContain('Dan Davies</a></th>');
    const link = new RegExp(
      `hx-get="(/reports/schools/${dataset.oakfield}/movement-pupils\\?collection&#61;\\d+&#38;subject&#61;${dataset.maths})"`,
    ).exec(dashboard);
    expect(link).not.toBeNull();
    const href = link![1]!.replaceAll('&#61;', '=').replaceAll('&#38;', '&');
    const fragment = await app.inject({
      url: href,
      headers: { cookie: sessions.oakfieldLead!.cookie, 'hx-request': 'true' },
    });
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).toMatch(/^<div class="table-wrap"/);
    expect(fragment.body).toContain('Mathematics: every counted pupil&#39;s movement (11 pupils).');
    expect(fragment.body).toMatch(/Dan Davies<\/a><\/th>[\s\S]*?NX9[\s\S]*?NX8/);
    expect(fragment.body).not.toContain('Reading: every counted');

    const page = await get(href.replace(/&subject=\d+/, ''), 'oakfieldLead');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Each pupil&#39;s movement: Autumn 2026/27');
    for (const subject of ['Reading', 'Writing', 'Mathematics']) {
      expect(page.body).toContain(`${subject}: every counted pupil&#39;s movement`);
    }
    const other = await get(href.replace(dataset.oakfield, dataset.brook), 'oakfieldLead');
    expect(other.statusCode).toBe(403);
  });

  it("show the trust's summary, every school counted over its pupils", async () => {
    const response = await get('/reports/trust', 'analyst');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Trust summary · 2 schools');
    expect(response.body).toContain('Brook Special School');
    expect(response.body).toContain('Whole trust');
  });

  it('give the Standards Report as a document with no pupil named in it', async () => {
    for (const [url, title] of [
      [school(dataset.oakfield, '/standards'), 'Oakfield Primary Academy: Autumn 2026/27'],
      ['/reports/trust/standards', 'Nexus MAT: Autumn 2026/27'],
    ] as const) {
      const response = await get(url, 'viewer');
      expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
      expect(response.body).toContain(title);
      expect(response.body).toContain('How the figures are made');
      expect(response.body).toMatch(/<script src="\/reports\/assets\/print\.js\?v&#61;\w+" defer>/);
      expect(response.body).not.toContain('Jack Jones');
      expect(response.body).not.toContain('Dan Davies');
    }
  });

  it('serve a print stylesheet that drops the console around the report', async () => {
    const page = await get(school(dataset.oakfield, '/standards'), 'viewer');
    const href = /href="(\/reports\/assets\/reports\.css)\?v&#61;(\w+)"/.exec(page.body)!;
    const css = await get(`${href[1]}?v=${href[2]}`, 'viewer');
    expect(css.headers['content-type']).toContain('text/css');
    expect(css.body).toContain('@media print');
    expect(css.body).toMatch(/\.site-header,[\s\S]*display: none !important/);
  });

  it('open at a chosen point and collection, and say so', async () => {
    const url = school(dataset.oakfield, `?collection=${dataset.summer25}&point=NX8`);
    const response = await get(url, 'oakfieldLead');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<h1>Summer 2025/26</h1>');
    expect(response.body).toContain('NX8 · chosen');
  });

  it('refuse a point that is not on the scale', async () => {
    const response = await get(school(dataset.oakfield, '?point=NX99'), 'oakfieldLead');
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('NX99 is not a point on the Next Steps scale.');
  });
});

describe('who may read which report', () => {
  it("sends a school's staff from Reports to their own school", async () => {
    const response = await get('/reports', 'oakfieldLead');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(school(dataset.oakfield));
    expect((await get('/reports', 'viewer')).headers.location).toBe('/reports/trust');
  });

  it("refuses a data lead every report page and table of another school's", async () => {
    const urls = [
      school(dataset.brook),
      school(dataset.brook, '/standards'),
      school(dataset.brook, '/tables/attainment.csv'),
      school(dataset.brook, '/tables/movement-pupils.xlsx'),
      school(dataset.brook, '/report.xlsx'),
      school(dataset.brook, '/targets'),
      school(dataset.brook, '/targets/template.csv'),
      '/reports/trust',
      '/reports/trust/standards',
      '/reports/trust/tables/schools.csv',
      '/reports/trust/report.xlsx',
    ];
    for (const url of urls) {
      const response = await get(url, 'oakfieldLead');
      expect({ url, status: response.statusCode }).toEqual({ url, status: 403 });
      expect(response.body).not.toContain('Mo Malik');
    }
  });

  it("lets a school's governor read its reports but not enter targets", async () => {
    expect((await get(school(dataset.oakfield), 'governor')).statusCode).toBe(200);
    expect((await get(school(dataset.brook), 'governor')).statusCode).toBe(403);
    const targets = await get(school(dataset.oakfield, '/targets'), 'governor');
    expect(targets.statusCode).toBe(200);
    expect(targets.body).toContain("Only the school's data lead or a trust admin enters targets.");
    expect(targets.body).not.toContain('<select id="t-');
    const posted = await app.inject({
      method: 'POST',
      url: school(dataset.oakfield, '/targets'),
      headers: { cookie: sessions.governor!.cookie },
      payload: { _csrf: sessions.governor!.csrf, year: '2026' },
    });
    expect(posted.statusCode).toBe(403);
  });
});

describe('exports', () => {
  it('give every table of a school as CSV, with formula-like text made harmless', async () => {
    const tables = [
      'attainment',
      'groups',
      'over-time',
      'over-time-groups',
      'movement',
      'movement-pupils',
      'targets',
      'targets-pupils',
      'left-out',
    ];
    for (const table of tables) {
      const response = await get(school(dataset.oakfield, `/tables/${table}.csv`), 'oakfieldLead');
      expect({ table, status: response.statusCode }).toEqual({ table, status: 200 });
      expect(response.headers['content-type']).toContain('text/csv');
      expect(response.headers['content-disposition']).toBe(
        `attachment; filename="oakfield-primary-academy-${table}-autumn-2026-27.csv"`,
      );
    }
    const leftOut = await get(school(dataset.oakfield, '/tables/left-out.csv'), 'oakfieldLead');
    expect(leftOut.body).toContain(`"'=HYPERLINK(""http://evil.example"",""Click"") +Smith"`);
    expect(leftOut.body).not.toMatch(/(^|,)"=HYPERLINK/m);
    expect(leftOut.body).toContain('"Jack Jones","Year 6","Every subject"');
  });

  it('write numbers as numbers, a negative gap included, and suppression in words', async () => {
    const groups = await get(school(dataset.oakfield, '/tables/groups.csv'), 'oakfieldLead');
    expect(groups.body).toContain(
      '"Mathematics","All year groups","Disadvantaged",5,2,40,6,5,83.3,-43.3,0',
    );
    expect(groups.body).toContain(
      '"Mathematics","All year groups","English as an additional language",' +
        '"suppressed (fewer than 5)",,,"suppressed (would reveal a group of fewer than 5)",,,,1',
    );
  });

  it('give a table as XLSX, formula-like text as text with a leading quote', async () => {
    const response = await get(school(dataset.oakfield, '/tables/left-out.xlsx'), 'oakfieldLead');
    expect(response.headers['content-type']).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('left-out')!;
    const names = sheet.getColumn(2).values.filter((value) => typeof value === 'string');
    expect(names).toContain(`'${FORMULA} +Smith`);
    sheet.eachRow((row) =>
      row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)),
    );
    const groups = await get(school(dataset.oakfield, '/tables/groups.xlsx'), 'oakfieldLead');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(groups.rawPayload as unknown as ArrayBuffer);
    const rows = book.getWorksheet('groups')!.getSheetValues();
    const disadvantaged = rows.find(
      (row) => Array.isArray(row) && row[1] === 'Mathematics' && row[3] === 'Disadvantaged',
    ) as unknown[];
    expect(disadvantaged.slice(4)).toEqual([5, 2, 40, 6, 5, 83.3, -43.3, 0]);
  });

  it('give every table of the trust in one workbook, a sheet each', async () => {
    const response = await get('/reports/trust/report.xlsx', 'analyst');
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="trust-report-autumn-2026-27.xlsx"',
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'attainment',
      'schools',
      'groups',
      'over-time',
      'over-time-groups',
      'movement',
      'targets',
      'left-out',
    ]);
  });

  it('say there is no such table', async () => {
    const response = await get(school(dataset.oakfield, '/tables/pupils.csv'), 'oakfieldLead');
    expect(response.statusCode).toBe(404);
    const trust = await get('/reports/trust/tables/movement-pupils.csv', 'analyst');
    expect(trust.statusCode).toBe(404);
  });
});

describe('entering targets in the console', () => {
  it('saves the form, all of it, and says what changed', async () => {
    const session = sessions.oakfieldLead!;
    const response = await app.inject({
      method: 'POST',
      url: school(dataset.oakfield, '/targets'),
      headers: { cookie: session.cookie },
      payload: {
        _csrf: session.csrf,
        year: '2026',
        [`t.${dataset.pupil.Ava}.${dataset.maths}`]: 'NX9',
        [`t.${dataset.pupil.Maya}.phonics`]: 'not_expected_to_pass',
        [`t.${dataset.pupil.Ben}.${dataset.maths}`]: '',
      },
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(
      `${school(dataset.oakfield, '/targets')}?year=2026&set=2&changed=0&cleared=0`,
    );
    const page = await get(response.headers.location as string, 'oakfieldLead');
    expect(page.body).toContain('Saved: 2 targets set, 0 changed, 0 cleared.');
    expect(page.body).toMatch(
      new RegExp(`name="t\\.${dataset.pupil.Ava}\\.${dataset.maths}"[\\s\\S]*?selected\\s*>NX9`),
    );
  });

  it('refuses a form with a wrong line, keeping what was sent', async () => {
    const session = sessions.oakfieldLead!;
    const response = await app.inject({
      method: 'POST',
      url: school(dataset.oakfield, '/targets'),
      headers: { cookie: session.cookie },
      payload: {
        _csrf: session.csrf,
        year: '2026',
        [`t.${dataset.pupil.Cara}.${dataset.maths}`]: 'NX10',
        [`t.${dataset.pupil.Jack}.${dataset.maths}`]: 'NX9',
      },
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Nothing was saved');
    expect(response.body).toContain('this pupil is not on roll at the school this year.');
    expect(response.body).toMatch(
      new RegExp(`name="t\\.${dataset.pupil.Cara}\\.${dataset.maths}"[\\s\\S]*?selected\\s*>NX10`),
    );
  });

  it('takes the CSV template back as an upload', async () => {
    const session = sessions.oakfieldLead!;
    const template = await get(school(dataset.oakfield, '/targets/template.csv'), 'oakfieldLead');
    expect(template.body).toContain(
      '"UPN","Surname","Forename","Year group","Reading","Writing","Mathematics"',
    );
    const csv = template.body
      .replace(/^\uFEFF/, '')
      .replace(/("Hughes","Hana","Y2",)"","",""/, '$1"NX7","NX7","NX7"');
    const boundary = '----reports-test';
    const payload =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="targets.csv"\r\n` +
      `Content-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
    const response = await app.inject({
      method: 'POST',
      url: school(dataset.oakfield, '/targets/upload?year=2026'),
      headers: {
        cookie: session.cookie,
        'x-csrf-token': session.csrf,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload,
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toContain('set=3&changed=0&cleared=0');
  });
});
