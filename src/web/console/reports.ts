import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html } from 'ghtml';
import { z } from 'zod';
import { isTrustWide } from '../../access/principal.ts';
import { reportCollections } from '../../reports/collections.ts';
import type { Report } from '../../reports/report.ts';
import { reportTableOf, type TableKey, tableKeys } from '../../reports/tables.ts';
import { principalOf } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { emptyState, pageHead } from '../views/components.ts';
import { phaseLabel } from '../views/labels.ts';
import { TRUST_NAME } from '../views/layout.ts';
import {
  movementPupilsPage,
  type ReportLinks,
  type ReportPageView,
  reportPage,
} from '../views/reports.ts';
import { standardsReport } from '../views/reports-standards.ts';
import { movementPupilsTable } from '../views/reports-tables.ts';
import { collectionChoices } from './choices.ts';
import { schoolsInScope } from './queries.ts';
import { csvOf, sendCsv, sendXlsx, slug, xlsxOf } from './reports-export.ts';
import {
  canEnterTargets,
  type Opened,
  openSchoolReport,
  openTrustReport,
  querySuffix,
  reportQuery,
} from './reports-scope.ts';
import { reportTargetRoutes } from './reports-targets.ts';
import { isFragment, prepare, type Site, sendPage, sendRedirect } from './respond.ts';

/**
 * Reports in the console: the School Performance Dashboard for each school (6.5), the trust's
 * summary, the Standards Report for printing (7.4), every table as CSV and XLSX, and where a
 * school enters its most likely outcomes. Read-only viewers read them all; a school's staff
 * read their own school's only.
 */

const schoolParams = z.object({ schoolId: z.string() });
const tableParams = z.object({ table: z.string() });
const YEAR = 'private, max-age=31536000, immutable';
const subjectQuery = z.object({ subject: z.coerce.number().int().optional().catch(undefined) });

export interface ReportAssets {
  css: string;
  print: string;
}

export function reportRoutes(app: FastifyInstance, site: Site) {
  const assets = reportAssetRoutes(app);
  const { context } = site;

  app.get('/reports', async (request, reply) => {
    const principal = principalOf(request);
    if (isTrustWide(principal)) return sendRedirect(request, reply, '/reports/trust');
    const schools = await schoolsInScope(site.db, principal);
    if (schools.length === 1) {
      return sendRedirect(request, reply, `/reports/schools/${schools[0]!.id}`);
    }
    const main = schoolList(schools);
    return sendPage(site, request, reply, { title: 'Reports', main });
  });

  app.get('/reports/trust', async (request, reply) => {
    const opened = await openTrustReport(context, principalOf(request), query(request));
    const main = reportPage(await pageView(site, request, opened, assets));
    return sendPage(site, request, reply, {
      title: `Trust report: ${opened.report.collection.label}`,
      main,
    });
  });

  app.get('/reports/schools/:schoolId', async (request, reply) => {
    const { schoolId } = schoolParams.parse(request.params);
    const opened = await openSchoolReport(context, principalOf(request), schoolId, query(request));
    const main = reportPage(await pageView(site, request, opened, assets));
    return sendPage(site, request, reply, { title: `Reports: ${opened.school.name}`, main });
  });

  // Each pupil's movement: one subject's table for the dashboard to show in place, or the page.
  app.get('/reports/schools/:schoolId/movement-pupils', async (request, reply) => {
    const { schoolId } = schoolParams.parse(request.params);
    const opened = await openSchoolReport(context, principalOf(request), schoolId, query(request));
    const { subject } = subjectQuery.parse(request.query);
    const movements = (await opened.report.movementPupils()).filter(
      (movement) => subject === undefined || movement.subjectId === subject,
    );
    if (isFragment(request)) {
      prepare(reply);
      return reply.send(movements.map((movement) => movementPupilsTable(movement)).join(''));
    }
    const base = basePath(opened);
    const main = movementPupilsPage(
      {
        crumbs: [
          { href: '/', label: 'Home' },
          { href: base, label: `Reports: ${opened.school.name}` },
          { href: null, label: "Each pupil's movement" },
        ],
        school: opened.school.name,
        collection: opened.report.collection.label,
        back: `${base}${querySuffix(opened.report)}#movement`,
      },
      movements,
    );
    return sendPage(site, request, reply, { title: `Movement: ${opened.school.name}`, main });
  });

  app.get('/reports/trust/standards', async (request, reply) => {
    const opened = await openTrustReport(context, principalOf(request), query(request));
    const main = standardsReport(await standardsView(opened, assets));
    return sendPage(site, request, reply, { title: 'Standards Report: the trust', main });
  });

  app.get('/reports/schools/:schoolId/standards', async (request, reply) => {
    const { schoolId } = schoolParams.parse(request.params);
    const opened = await openSchoolReport(context, principalOf(request), schoolId, query(request));
    const main = standardsReport(await standardsView(opened, assets));
    return sendPage(site, request, reply, {
      title: `Standards Report: ${opened.school.name}`,
      main,
    });
  });

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/reports/trust/tables/:table.${format}`, async (request, reply) => {
      const opened = await openTrustReport(context, principalOf(request), query(request));
      return sendTable(reply, opened, tableParams.parse(request.params).table, format);
    });
    app.get(`/reports/schools/:schoolId/tables/:table.${format}`, async (request, reply) => {
      const { schoolId } = schoolParams.parse(request.params);
      const opened = await openSchoolReport(
        context,
        principalOf(request),
        schoolId,
        query(request),
      );
      return sendTable(reply, opened, tableParams.parse(request.params).table, format);
    });
  }

  app.get('/reports/trust/report.xlsx', async (request, reply) => {
    const opened = await openTrustReport(context, principalOf(request), query(request));
    return sendWorkbook(reply, opened);
  });

  app.get('/reports/schools/:schoolId/report.xlsx', async (request, reply) => {
    const { schoolId } = schoolParams.parse(request.params);
    const opened = await openSchoolReport(context, principalOf(request), schoolId, query(request));
    return sendWorkbook(reply, opened);
  });

  reportTargetRoutes(app, site, assets);
}

function query(request: FastifyRequest) {
  return reportQuery.parse(request.query);
}

/** For someone who sees several schools but not the whole trust: a link to each. */
function schoolList(
  schools: readonly { id: string; name: string; phase: string; setting: string }[],
) {
  const head = pageHead({
    eyebrow: 'Reports',
    title: 'Your schools',
    lede: "Each school's dashboard, Standards Report and targets.",
  });
  if (schools.length === 0) {
    return head + emptyState('No schools', 'You have no school to report on yet.');
  }
  const items = schools.map(
    (school) => html`<li>
      <a class="link-card" href="/reports/schools/${school.id}">
        <span class="link-card-title">${school.name}</span>
        <span class="link-card-text">${phaseLabel(school.phase, school.setting)}</span>
      </a>
    </li>`,
  );
  return html`!${head}<ul class="link-cards">!${items}</ul>`;
}

function basePath(opened: Opened): string {
  return opened.school ? `/reports/schools/${opened.school.id}` : '/reports/trust';
}

function links(opened: Opened, canTarget: boolean): ReportLinks {
  const base = basePath(opened);
  const suffix = querySuffix(opened.report);
  return {
    self: base,
    standards: `${base}/standards${suffix}`,
    workbook: `${base}/report.xlsx${suffix}`,
    table: (key, format) => `${base}/tables/${key}.${format}${suffix}`,
    targets:
      opened.school && canTarget
        ? `${base}/targets?year=${opened.report.collection.startYear}`
        : null,
    movementPupils: opened.school
      ? (subjectId) =>
          `${base}/movement-pupils${suffix}${subjectId === null ? '' : `&subject=${subjectId}`}`
      : null,
  };
}

async function pageView(
  site: Site,
  request: FastifyRequest,
  opened: Opened,
  assets: ReportAssets,
): Promise<ReportPageView> {
  const { report, school } = opened;
  const principal = principalOf(request);
  const all = await reportCollections(site.db);
  const trust = school === null;
  // The sections read at once: on PostgreSQL each takes its own connection from the pool.
  const [attainment, groups, overTime, movement, targets, leftOut] = await Promise.all([
    report.attainment(),
    report.groups(),
    report.overTime(),
    report.movement(),
    report.targets(),
    trust ? null : report.leftOut(),
  ]);
  const [bySchool, movementBySchool, leftOutBySchool] = trust
    ? await Promise.all([report.bySchool(), report.movementBySchool(), report.leftOutBySchool()])
    : [[], [], []];
  return {
    scope: trust ? 'trust' : 'school',
    crumbs: school
      ? [
          { href: '/', label: 'Home' },
          { href: `/schools/${school.id}`, label: school.name },
          { href: null, label: 'Reports' },
        ]
      : [
          { href: '/', label: 'Home' },
          { href: null, label: 'Reports' },
        ],
    title: report.collection.label,
    eyebrow: school
      ? `School Performance Dashboard · ${school.name}`
      : `Trust summary · ${report.schools.length} schools`,
    stylesheet: assets.css,
    collection: report.collection,
    previousLabel: report.previous?.label ?? null,
    collections: collectionChoices(all),
    points: pointChoices(report),
    point: report.chosen?.code ?? '',
    subjects: report.subjects,
    columns: attainment.columns,
    attainment: attainment.grids,
    groups,
    overTime,
    movement,
    targets: targets?.report ?? null,
    suppressionThreshold: report.options.suppressionThreshold,
    today: report.options.today,
    schoolNames: new Map(report.schools.map((s) => [s.id, s.name])),
    links: links(opened, school ? canEnterTargets(principal, school.id) : false),
    leftOut,
    schools: trust
      ? bySchool.map((entry) => ({
          id: entry.school.id,
          name: entry.school.name,
          grids: entry.grids,
        }))
      : null,
    leftOutBySchool: leftOutBySchool.map((entry) => ({
      id: entry.school.id,
      name: entry.school.name,
      tallies: entry.tallies,
    })),
    movementBySchool: movementBySchool.map((entry) => ({
      id: entry.school.id,
      name: entry.school.name,
      movement: entry.movement,
    })),
    targetsBySchool: (targets?.bySchool ?? []).map((entry) => ({
      id: entry.school.id,
      name: entry.school.name,
      report: entry.report,
    })),
  };
}

function pointChoices(report: Report) {
  return [
    { value: '', label: 'The point for each year group' },
    ...report.scale
      .filter((point) => point.active)
      .map((point) => ({ value: point.code, label: point.code })),
  ];
}

async function standardsView(opened: Opened, assets: ReportAssets) {
  const { report, school } = opened;
  const [attainment, groups, overTime, movement, targets, bySchool] = await Promise.all([
    report.attainment(),
    report.groups(),
    report.overTime(),
    report.movement(),
    report.targets(),
    school ? [] : report.bySchool(),
  ]);
  const base = basePath(opened);
  return {
    scope: school ? ('school' as const) : ('trust' as const),
    crumbs: [
      { href: '/', label: 'Home' },
      { href: `${base}${querySuffix(report)}`, label: school ? school.name : 'Trust report' },
      { href: null, label: 'Standards Report' },
    ],
    stylesheet: assets.css,
    printScript: assets.print,
    subjectOf: school?.name ?? TRUST_NAME,
    schoolCount: report.schools.length,
    collection: report.collection,
    previousLabel: report.previous?.label ?? null,
    today: report.options.today,
    subjects: report.subjects,
    columns: attainment.columns,
    attainment: attainment.grids,
    schools: school
      ? null
      : bySchool.map((entry) => ({
          id: entry.school.id,
          name: entry.school.name,
          grids: entry.grids,
        })),
    groups,
    overTime,
    movement,
    targets: targets?.report ?? null,
    suppressionThreshold: report.options.suppressionThreshold,
    schoolNames: new Map(report.schools.map((s) => [s.id, s.name])),
    dashboard: `${base}${querySuffix(report)}`,
  };
}

async function sendTable(
  reply: FastifyReply,
  opened: Opened,
  table: string,
  format: 'csv' | 'xlsx',
) {
  const key = table as TableKey;
  const found = tableKeys(opened.report).includes(key)
    ? await reportTableOf(opened.report, key)
    : null;
  if (!found) throw new HttpError(404, 'not_found', `There is no report table called ${table}.`);
  const name = fileName(opened, key);
  if (format === 'csv') return sendCsv(reply, name, csvOf(found));
  return sendXlsx(reply, name, await xlsxOf([found]));
}

async function sendWorkbook(reply: FastifyReply, opened: Opened) {
  const tables = [];
  for (const key of tableKeys(opened.report)) {
    const table = await reportTableOf(opened.report, key);
    if (table) tables.push(table);
  }
  return sendXlsx(reply, fileName(opened, 'report'), await xlsxOf(tables));
}

function fileName(opened: Opened, what: string): string {
  const who = opened.school ? slug(opened.school.name) : 'trust';
  return `${who}-${what}-${slug(opened.report.collection.label)}`;
}

/** The reports' stylesheet and print button, for signed-in readers, their address hashed. */
function reportAssetRoutes(app: FastifyInstance): ReportAssets {
  const css = readFileSync(new URL('../views/reports.css', import.meta.url));
  const print = Buffer.from(
    "document.querySelector('[data-print]')?.addEventListener('click', () => window.print());\n",
  );
  app.get('/reports/assets/reports.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('Cache-Control', YEAR).send(css),
  );
  app.get('/reports/assets/print.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', YEAR).send(print),
  );
  return {
    css: `/reports/assets/reports.css?v=${fingerprint(css)}`,
    print: `/reports/assets/print.js?v=${fingerprint(print)}`,
  };
}

function fingerprint(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}
