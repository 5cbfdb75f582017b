import { and, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aspects, gradeRules, nxPoints, pupils, subjectMappings } from '../../src/db/schema.ts';
import {
  decideGradeRules,
  decideSubjectMappings,
  proposeGradeRule,
} from '../../src/sync/mapping.ts';
import { testApp, userWith } from '../support/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { testEngine, uploadAndRun } from '../support/engine.ts';
import { createSchool, createSource, seedTrust, subjectId, TODAY } from '../support/fixtures.ts';
import { makeUpn } from '../support/upn.ts';
import { escaped, HEADER, type Session, signInAs } from './trust.ts';

/**
 * Hostile text in every field the console renders, put there the way it would arrive: a school
 * named so by an admin, pupils and grades in an uploaded return, a rule's reasons, a person's
 * name. Every page that shows the field must show it as text, escaped, and never as markup.
 */

const CORPUS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  "'-alert(1)-'",
  '</textarea><svg onload=alert(1)>',
  '{{7*7}}',
  '<!--',
  '" autofocus onfocus="alert(1)',
];

/** A field's value: a plausible word, then the whole corpus. */
const hostile = (word: string) => `${word} ${CORPUS.join(' ')}`;

const FIELDS = {
  school: hostile('Oakfield Primary Academy'),
  forename: hostile('Amara'),
  surname: hostile('Okafor'),
  landedGrade: hostile('Secure'),
  unmappedGrade: hostile('Emerging'),
  aspect: hostile('Maths Attainment'),
  // A source's name is at most 120 characters: the corpus is split over two sources.
  source: `Termly return ${CORPUS.slice(0, 4).join(' ')}`,
  otherSource: `Baseline return ${CORPUS.slice(4).join(' ')}`,
  fileName: `${hostile('oakfield-autumn')}.csv`,
  brokenFile: `${hostile('oakfield-spring')}.xlsx`,
  header: hostile('Phonics'),
  flag: hostile('Maybe'),
  person: hostile('Jo Whitfield'),
  proposal: hostile('Agreed at the autumn subject leaders meeting'),
  decision: hostile('Checked against the moderation samples'),
};
type Field = keyof typeof FIELDS;

/** Names a spreadsheet would run as a formula: exports must keep them as text. */
const FORMULAS = {
  forename: '=HYPERLINK("http://evil.example/","Ofsted")',
  surname: '@SUM(1+1)',
  otherForename: '+44 7700 900123',
  otherSurname: '-Smith',
  school: '=1+2 Riverside Academy',
};

const upn = (serial: number) => makeUpn(801, 2345, 19, serial);
const cell = (text: string) => `"${text.replaceAll('"', '""')}"`;

const RETURN = [
  `${HEADER},${cell(FIELDS.header)}`,
  [
    upn(1),
    cell(FIELDS.surname),
    cell(FIELDS.forename),
    '14/03/2019,Y2,F,N,N,Y,27/11/2026,EXS',
    cell(FIELDS.landedGrade),
    cell(FIELDS.unmappedGrade),
    'yes',
  ].join(','),
  [
    upn(2),
    cell(FORMULAS.surname),
    cell(FORMULAS.forename),
    '02/09/2019,Y2,M,K,Y,Y,27/11/2026,Emerging,EXS,EXS,yes',
  ].join(','),
  [
    upn(3),
    cell(FORMULAS.otherSurname),
    cell(FORMULAS.otherForename),
    '21/06/2019,Y2,F,N,N,N,27/11/2026,Emerging,EXS,GDS,no',
  ].join(','),
  `${upn(4)},Hughes,Ellie-May,05/01/2019,Y2,F,N,${cell(FIELDS.flag)},N,27/11/2026,EXS,EXS,EXS,no`,
  '',
].join('\r\n');

let database: TestDatabase;
let app: FastifyInstance;
let admin: Session;
let person: Session;
let ids: {
  school: string;
  otherSchool: string;
  source: string;
  run: string;
  failedRun: string;
  maths: number;
  pupil: string;
  formulaPupil: string;
  ruleKey: string;
  personId: string;
};

beforeAll(async () => {
  database = await testDatabase();
  const db = database.db;
  await seedTrust(db);
  const school = await createSchool(db, { name: FIELDS.school });
  const other = await createSchool(db, {
    name: FORMULAS.school,
    urn: '141002',
    laestab: '8014002',
  });
  const writing = await subjectId(db, 'writing');
  const maths = await subjectId(db, 'mathematics');
  const adminUser = await userWith(database, 'Sam Carter', [
    { role: 'trust_admin', schoolId: null, subjectId: null },
  ]);
  const hostileUser = await userWith(database, FIELDS.person, [
    { role: 'school_data_lead', schoolId: school.id, subjectId: null },
  ]);
  const actor = { userId: adminUser.id, label: 'Sam Carter' };
  const proposer = { userId: hostileUser.id, label: FIELDS.person };

  const source = await createSource(db, school.id);
  const engine = testEngine(database);
  const run = await uploadAndRun(engine, source, FIELDS.fileName, RETURN);
  const failed = await uploadAndRun(engine, source, FIELDS.brokenFile, 'PK\u0003\u0004 not a zip');

  // A school's MIS names its assessments as it likes; Wonde passes the name on as it is.
  await db
    .update(aspects)
    .set({ name: FIELDS.aspect })
    .where(and(eq(aspects.sourceId, source.id), eq(aspects.name, 'Maths')));
  const mappings = await db.select({ id: subjectMappings.id }).from(subjectMappings);
  await decideSubjectMappings(
    db,
    actor,
    mappings.map((mapping) => mapping.id),
    { decision: 'confirm', reason: 'Columns of the trust template' },
    TODAY,
  );
  const library = await db
    .select({ id: gradeRules.id })
    .from(gradeRules)
    .where(eq(gradeRules.status, 'proposed'));
  await decideGradeRules(
    db,
    actor,
    library.map((rule) => rule.id),
    { decision: 'confirm', reason: 'Trust library' },
    TODAY,
  );
  const [nx7] = await db.select().from(nxPoints).where(eq(nxPoints.code, 'NX7'));
  const rule = (value: string, subject: number) =>
    proposeGradeRule(db, proposer, {
      schoolId: school.id,
      subjectId: subject,
      aspectId: null,
      gradeSet: null,
      yearFrom: null,
      yearTo: null,
      match: 'value',
      value,
      rangeMin: null,
      rangeMax: null,
      aliasOf: null,
      nxPointId: nx7!.id,
      reason: FIELDS.proposal,
    });
  const landing = await rule(FIELDS.landedGrade, writing);
  await decideGradeRules(
    db,
    actor,
    [landing.id],
    { decision: 'confirm', reason: FIELDS.decision },
    TODAY,
  );
  await rule(FIELDS.unmappedGrade, maths);

  const [pupil] = await db
    .select()
    .from(pupils)
    .where(eq(pupils.upn, upn(1)));
  const [formulaPupil] = await db
    .select()
    .from(pupils)
    .where(eq(pupils.upn, upn(2)));
  app = await testApp(database);
  admin = await signInAs(app, adminUser);
  person = await signInAs(app, hostileUser);
  // The data lead names the source in its form, as anyone editing a source would.
  const renamed = await app.inject({
    method: 'POST',
    url: `/sources/${source.id}/edit`,
    headers: { cookie: person.cookie },
    payload: { _csrf: person.csrf, name: FIELDS.source },
  });
  expect(renamed.statusCode).toBe(303);
  const added = await app.inject({
    method: 'POST',
    url: `/schools/${school.id}/sources`,
    headers: { cookie: person.cookie },
    payload: { _csrf: person.csrf, kind: 'spreadsheet', name: FIELDS.otherSource },
  });
  expect(added.statusCode).toBe(303);
  ids = {
    school: school.id,
    otherSchool: other.id,
    source: source.id,
    run: run.id,
    failedRun: failed.id,
    maths,
    pupil: pupil!.id,
    formulaPupil: formulaPupil!.id,
    ruleKey: landing.ruleKey,
    personId: hostileUser.id,
  };
});
afterAll(async () => {
  await app?.close();
  await database.close();
});

/** The payloads that are markup: shown unescaped, any of them would run. */
const MARKUP = CORPUS.filter((payload) => escaped(payload) !== payload);

function unsafe(body: string): string[] {
  const found = MARKUP.filter((payload) => body.includes(payload));
  if (/(href|src|action|formaction)\s*=\s*["']?\s*javascript:/i.test(body))
    found.push('a javascript: link');
  return found;
}

async function page(url: string, session: Session = admin) {
  const response = await app.inject({ url, headers: { cookie: session.cookie } });
  return { status: response.statusCode, body: response.body };
}

describe('hostile text in the console', () => {
  it('is refused as a sign-in next page and a typed email, and echoed only as text', async () => {
    const next = `/pupils?q=${encodeURIComponent(CORPUS.join(' '))}`;
    const form = await app.inject({ url: `/sign-in?next=${encodeURIComponent(next)}` });
    expect(unsafe(form.body)).toEqual([]);
    expect(form.body).toContain(escaped(next));
    const email = hostile('jo@nexus-mat.example');
    const refused = await app.inject({
      method: 'POST',
      url: '/sign-in',
      payload: { email, password: 'not the password' },
    });
    expect(refused.statusCode).toBe(401);
    expect(unsafe(refused.body)).toEqual([]);
    expect(refused.body).toContain(escaped(email));
  });

  const pages: { name: string; url: () => string; shows: Field[]; as?: () => Session }[] = [
    { name: 'the overview', url: () => '/', shows: ['school'] },
    { name: 'the schools list', url: () => '/schools', shows: ['school'] },
    {
      name: 'the school page',
      url: () => `/schools/${ids.school}`,
      shows: ['school', 'source', 'otherSource'],
    },
    {
      name: 'unmapped values',
      url: () => `/schools/${ids.school}/unmapped`,
      shows: ['school', 'unmappedGrade', 'aspect', 'proposal', 'person'],
    },
    {
      name: 'the mapping rules',
      url: () => `/schools/${ids.school}/rules`,
      shows: ['landedGrade', 'unmappedGrade', 'proposal', 'decision', 'person'],
    },
    {
      name: 'a rule history',
      url: () => `/rules/${ids.ruleKey}`,
      shows: ['school', 'landedGrade', 'proposal', 'decision', 'person'],
    },
    {
      name: 'missing pupils',
      url: () => `/schools/${ids.school}/missing?subject=${ids.maths}`,
      shows: ['forename', 'surname'],
    },
    {
      name: 'the uploads',
      url: () => `/schools/${ids.school}/uploads`,
      shows: ['school', 'source', 'fileName'],
    },
    {
      name: 'the pupil search',
      url: () => '/pupils?q=Okafor',
      shows: ['forename', 'surname', 'school'],
    },
    {
      name: 'a pupil page',
      url: () => `/pupils/${ids.pupil}`,
      shows: ['forename', 'surname', 'school', 'landedGrade', 'source'],
    },
    { name: 'the sync health', url: () => `/sources/${ids.source}`, shows: ['source', 'school'] },
    {
      name: 'the run log',
      url: () => `/runs/${ids.run}`,
      shows: ['source', 'school', 'fileName', 'header', 'flag'],
    },
    {
      name: "a failed run's log",
      url: () => `/runs/${ids.failedRun}`,
      shows: ['source', 'school', 'brokenFile'],
    },
    { name: 'the school report', url: () => `/reports/schools/${ids.school}`, shows: ['school'] },
    {
      name: 'the Standards Report',
      url: () => `/reports/schools/${ids.school}/standards`,
      shows: ['school'],
    },
    {
      name: 'the targets form',
      url: () => `/reports/schools/${ids.school}/targets`,
      shows: ['school', 'forename', 'surname'],
    },
    { name: 'the trust report', url: () => '/reports/trust', shows: ['school'] },
    { name: 'the audit log', url: () => '/audit', shows: ['person', 'school', 'decision'] },
    { name: 'the users', url: () => '/admin/users', shows: ['person', 'school'] },
    { name: 'a user', url: () => `/admin/users/${ids.personId}`, shows: ['person', 'school'] },
    {
      name: 'the header of the hostile person’s own pages',
      url: () => `/schools/${ids.school}`,
      shows: ['person', 'school'],
      as: () => person,
    },
  ];

  for (const { name, url, shows, as } of pages) {
    it(`is shown escaped on ${name}`, async () => {
      const { status, body } = await page(url(), as?.());
      expect(status).toBe(200);
      expect(unsafe(body)).toEqual([]);
      const missing = shows.filter((field) => !body.includes(escaped(FIELDS[field])));
      expect(missing).toEqual([]);
    });
  }

  it('is shown escaped in htmx fragments and error pages', async () => {
    const fragment = await app.inject({
      url: `/schools/${ids.school}/unmapped`,
      headers: { cookie: admin.cookie, 'hx-request': 'true' },
    });
    expect(unsafe(fragment.body)).toEqual([]);
    expect(fragment.body).toContain(escaped(FIELDS.unmappedGrade));
    const notFound = await page(`/${encodeURIComponent(CORPUS[0]!)}/${CORPUS[1]}`);
    expect(notFound.status).toBe(404);
    expect(unsafe(notFound.body)).toEqual([]);
  });
});

describe('exports', () => {
  const FORMULA_CELL = /(^|,)"?[=+\-@]/m;

  it('keep names that start with = + - @ as text in the missing pupils CSV', async () => {
    const response = await page(`/schools/${ids.school}/missing.csv`);
    expect(response.status).toBe(200);
    expect(response.body).not.toMatch(FORMULA_CELL);
    expect(response.body).toContain(`"'${FORMULAS.forename.replaceAll('"', '""')}"`);
    expect(response.body).toContain(`"'${FORMULAS.surname}"`);
    expect(response.body).toContain(`"'${FORMULAS.otherForename}"`);
    expect(response.body).toContain(`"'${FORMULAS.otherSurname}"`);
  });

  it('keep them as text in report tables and the targets template', async () => {
    const csvs = [
      `/reports/schools/${ids.school}/tables/movement-pupils.csv`,
      `/reports/schools/${ids.school}/targets/template.csv`,
      '/reports/trust/tables/schools.csv',
    ];
    const seen: string[] = [];
    for (const url of csvs) {
      const response = await page(url);
      expect({ url, status: response.status }).toEqual({ url, status: 200 });
      expect({ url, formula: FORMULA_CELL.test(response.body) }).toEqual({ url, formula: false });
      seen.push(response.body);
    }
    expect(seen.join('\n')).toContain(`'${FORMULAS.surname}`);
    expect(seen.join('\n')).toContain(`'${FORMULAS.school}`);
  });

  it('keep them as text in XLSX workbooks, with no formula cells', async () => {
    const workbooks = [
      `/reports/schools/${ids.school}/report.xlsx`,
      '/reports/trust/report.xlsx',
      `/reports/schools/${ids.school}/tables/movement-pupils.xlsx`,
    ];
    const texts: string[] = [];
    for (const url of workbooks) {
      const response = await app.inject({ url, headers: { cookie: admin.cookie } });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
      workbook.eachSheet((sheet) =>
        sheet.eachRow((row) =>
          row.eachCell((one) => {
            expect(one.type).not.toBe(ExcelJS.ValueType.Formula);
            if (typeof one.value === 'string') texts.push(one.value);
          }),
        ),
      );
    }
    expect(texts.filter((text) => /^[=+\-@]/.test(text))).toEqual([]);
    expect(texts).toContain(`'${FORMULAS.school}`);
    expect(texts.some((text) => text.includes(FORMULAS.surname))).toBe(true);
  });
});
