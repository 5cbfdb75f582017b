import { asc, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../../access/users.ts';
import { nxPoints, subjects as subjectsTable } from '../../db/schema.ts';
import { reportCollections, reviewsOf } from '../../reports/collections.ts';
import {
  outcomesDueOn,
  type SavedTargets,
  saveTargets,
  type TargetChange,
  TargetError,
  type TargetYear,
  targetCohort,
  targetYear,
} from '../../reports/targets.ts';
import { parseTargetsCsv, targetsTemplate } from '../../reports/targets-csv.ts';
import { reviewPoints } from '../../reports/targets-report.ts';
import { compareYearGroups } from '../../reports/year-groups.ts';
import { principalOf } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool } from '../scope.ts';
import { type TargetsPageView, targetsPage } from '../views/reports-targets.ts';
import { pickCollection } from './choices.ts';
import type { School } from './queries.ts';
import type { ReportAssets } from './reports.ts';
import { csvOf, sendCsv, slug } from './reports-export.ts';
import { canEnterTargets } from './reports-scope.ts';
import { csrfOf, type Site, sendPage, sendRedirect } from './respond.ts';

/**
 * Entering most likely outcomes and phonics projections (5.1.4): a form of the school's pupils
 * in Y1, Y2, Y4 and Y6, or a CSV upload of the template. Either saves through the engine, all or
 * nothing, with an audit entry; a refusal shows every problem, and the form keeps what was sent.
 */

const schoolParams = z.object({ schoolId: z.string() });
const targetsQuery = z.object({
  year: z.coerce.number().int().min(1900).max(2999).optional().catch(undefined),
  set: z.coerce.number().int().min(0).optional().catch(undefined),
  changed: z.coerce.number().int().min(0).optional().catch(undefined),
  cleared: z.coerce.number().int().min(0).optional().catch(undefined),
});
const FIELD = /^t\.([0-9a-f-]{36})\.(\d+|phonics)$/;

export function reportTargetRoutes(app: FastifyInstance, site: Site, assets: ReportAssets) {
  const { db } = site;

  const load = async (request: FastifyRequest, requestedYear?: number) => {
    const principal = principalOf(request);
    const { schoolId } = schoolParams.parse(request.params);
    const school = await visibleSchool(db, principal, schoolId);
    const today = site.context.clock.today();
    const all = await reportCollections(db);
    const startYear = requestedYear ?? pickCollection(all, today, null)?.startYear;
    const year = startYear === undefined ? null : await targetYear(db, startYear);
    if (!year) throw new HttpError(404, 'not_found', 'There is no such school year.');
    return { principal, school, year, today, canEdit: canEnterTargets(principal, school.id) };
  };

  app.get('/reports/schools/:schoolId/targets', async (request, reply) => {
    const query = targetsQuery.parse(request.query);
    const loaded = await load(request, query.year);
    const saved =
      query.set === undefined
        ? null
        : { set: query.set, changed: query.changed ?? 0, cleared: query.cleared ?? 0 };
    const view = await pageView(site, request, loaded, assets, { saved, problems: [] });
    return sendPage(site, request, reply, {
      title: `Targets: ${loaded.school.name}`,
      main: targetsPage(view),
    });
  });

  app.post('/reports/schools/:schoolId/targets', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const loaded = await load(request, Number(body.year) || undefined);
    requireThat(loaded.canEdit, "Only the school's data lead or a trust admin enters targets.");
    const changes = formChanges(body);
    return save(site, request, reply, loaded, assets, 'form', changes, changes);
  });

  app.post('/reports/schools/:schoolId/targets/upload', async (request, reply) => {
    const loaded = await load(request, targetsQuery.parse(request.query).year);
    requireThat(loaded.canEdit, "Only the school's data lead or a trust admin enters targets.");
    const text = await receiveText(request);
    if (text === null) {
      return refuse(site, request, reply, loaded, assets, ['Choose the CSV file to upload first.']);
    }
    const cohort = await targetCohort(db, [loaded.school.id], loaded.year, loaded.today);
    const parsed = parseTargetsCsv(text, cohort, await activeSubjects(site));
    if (parsed.problems.length > 0) {
      return refuse(site, request, reply, loaded, assets, parsed.problems);
    }
    return save(site, request, reply, loaded, assets, 'upload', parsed.changes);
  });

  app.get('/reports/schools/:schoolId/targets/template.csv', async (request, reply) => {
    const loaded = await load(request, targetsQuery.parse(request.query).year);
    const cohort = await targetCohort(db, [loaded.school.id], loaded.year, loaded.today);
    const [columns, ...rows] = targetsTemplate(cohort, await activeSubjects(site));
    const csv = csvOf({ key: 'targets', title: '', columns: columns!, rows });
    return sendCsv(reply, `targets-${slug(loaded.school.name)}-${loaded.year.startYear}`, csv);
  });
}

interface Loaded {
  school: School;
  year: TargetYear;
  today: string;
  canEdit: boolean;
}

async function save(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  loaded: Loaded,
  assets: ReportAssets,
  via: 'form' | 'upload',
  changes: TargetChange[],
  sent: TargetChange[] = [],
) {
  let saved: SavedTargets;
  try {
    saved = await saveTargets(site.db, actorOf(principalOf(request)), {
      schoolId: loaded.school.id,
      startYear: loaded.year.startYear,
      today: loaded.today,
      via,
      changes,
    });
  } catch (error) {
    if (error instanceof TargetError) {
      return refuse(site, request, reply, loaded, assets, error.problems, sent);
    }
    throw error;
  }
  const url =
    `/reports/schools/${loaded.school.id}/targets?year=${loaded.year.startYear}` +
    `&set=${saved.set}&changed=${saved.changed}&cleared=${saved.cleared}`;
  return sendRedirect(request, reply, url);
}

async function refuse(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  loaded: Loaded,
  assets: ReportAssets,
  problems: string[],
  sent: TargetChange[] = [],
) {
  const view = await pageView(site, request, loaded, assets, { saved: null, problems, sent });
  return sendPage(site, request, reply, {
    title: `Targets: ${loaded.school.name}`,
    main: targetsPage(view),
    status: 422,
  });
}

/** The form's fields as changes: `t.<pupil>.<subject>` or `t.<pupil>.phonics`, blank to clear. */
function formChanges(body: Record<string, unknown>): TargetChange[] {
  return Object.entries(body).flatMap(([name, value]) => {
    const match = FIELD.exec(name);
    if (!match || typeof value !== 'string') return [];
    return [
      {
        pupilId: match[1]!,
        subjectId: match[2] === 'phonics' ? null : Number(match[2]),
        value: value.trim() || null,
      },
    ];
  });
}

async function receiveText(request: FastifyRequest): Promise<string | null> {
  if (!request.isMultipart()) return null;
  let text: string | null = null;
  for await (const part of request.parts()) {
    if (part.type === 'file') text = (await part.toBuffer()).toString('utf8');
  }
  return text && text.trim() !== '' ? text : null;
}

function activeSubjects(site: Site) {
  return site.db
    .select({ id: subjectsTable.id, name: subjectsTable.name })
    .from(subjectsTable)
    .where(eq(subjectsTable.active, true))
    .orderBy(asc(subjectsTable.position));
}

async function pageView(
  site: Site,
  request: FastifyRequest,
  loaded: Loaded,
  assets: ReportAssets,
  state: { saved: TargetsPageView['saved']; problems: string[]; sent?: TargetChange[] },
): Promise<TargetsPageView> {
  const { db } = site;
  const { school, year, today } = loaded;
  const cohort = await targetCohort(db, [school.id], year, today);
  const subjects = await activeSubjects(site);
  const scale = await db
    .select()
    .from(nxPoints)
    .where(eq(nxPoints.active, true))
    .orderBy(asc(nxPoints.position));
  const reviews = reviewsOf(await reportCollections(db), year.startYear);
  const points = await reviewPoints(db, {
    schoolIds: [school.id],
    collectionIds: reviews.map((review) => review.id),
    today,
  });
  const order = new Map(reviews.map((review, index) => [review.id, index]));
  const latest = new Map<string, { code: string; at: number }>();
  for (const point of points) {
    const key = `${point.pupil_id}|${point.subject_id}`;
    const at = order.get(point.collection_id) ?? -1;
    if ((latest.get(key)?.at ?? -2) < at) latest.set(key, { code: point.code, at });
  }
  // A refused form shows what was sent, so that nobody types it all again.
  const sent = new Map(
    (state.sent ?? []).map((change) => [`${change.pupilId}|${change.subjectId}`, change.value]),
  );
  const chosen = (pupilId: string, subjectId: number | null, saved: string | null) => {
    const key = `${pupilId}|${subjectId}`;
    return sent.has(key) ? (sent.get(key) ?? null) : saved;
  };
  const base = `/reports/schools/${school.id}/targets`;
  return {
    crumbs: [
      { href: '/', label: 'Home' },
      { href: `/reports/schools/${school.id}`, label: `Reports: ${school.name}` },
      { href: null, label: 'Targets' },
    ],
    stylesheet: assets.css,
    school: { id: school.id, name: school.name },
    year: { startYear: year.startYear, label: year.label },
    dueOn: await outcomesDueOn(db, year),
    subjects,
    points: scale.map((point) => ({ value: point.code, label: point.code })),
    pupils: cohort
      .filter((pupil) => pupil.onRoll)
      .sort((a, b) => compareYearGroups(a.year, b.year))
      .map((pupil) => ({
        pupilId: pupil.pupilId,
        name: pupil.name,
        upn: pupil.upn,
        year: pupil.year,
        outcomes: Object.fromEntries(
          subjects.flatMap((subject) => {
            const value = chosen(
              pupil.pupilId,
              subject.id,
              pupil.outcomes.get(subject.id)?.code ?? null,
            );
            return value ? [[subject.id, value]] : [];
          }),
        ),
        phonics: chosen(pupil.pupilId, null, pupil.phonics),
        latest: Object.fromEntries(
          subjects.flatMap((subject) => {
            const found = latest.get(`${pupil.pupilId}|${subject.id}`);
            return found ? [[subject.id, found.code]] : [];
          }),
        ),
      })),
    canEdit: loaded.canEdit,
    csrf: csrfOf(request),
    saved: state.saved,
    problems: state.problems,
    action: base,
    uploadAction: `${base}/upload?year=${year.startYear}`,
    templateHref: `${base}/template.csv?year=${year.startYear}`,
    reportHref: `/reports/schools/${school.id}#targets`,
  };
}
