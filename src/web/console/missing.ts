import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  EXCLUSION_REASON_TEXT,
  excludedPupils,
  MISSING_REASON_TEXT,
  type MissingReason,
  missingPupils,
} from '../../sync/reconcile.ts';
import { principalOf } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { visibleSchool } from '../scope.ts';
import { missingView } from '../views/missing.ts';
import { collectionChoices, pickCollection } from './choices.ts';
import { activeSubjects, baselineCollections, termlyCollections } from './queries.ts';
import { type Site, sendPage } from './respond.ts';

/**
 * Missing pupils for a school, collection and subject: who has no point and why, who is left out
 * of the collection and why (no silent exclusion), and the same as CSV.
 */

const schoolParams = z.object({ schoolId: z.string() });
const REASONS = Object.keys(MISSING_REASON_TEXT) as MissingReason[];
const missingQuery = z.object({
  collection: z.coerce.number().int().optional().catch(undefined),
  subject: z.coerce.number().int().optional().catch(undefined),
  why: z.enum(REASONS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).optional().catch(undefined),
});

/** Pupils a page of the list shows; the CSV holds everyone. */
export const MISSING_PAGE_SIZE = 200;

export function missingRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  const load = async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const { schoolId } = schoolParams.parse(request.params);
    const school = await visibleSchool(db, principal, schoolId);
    const query = missingQuery.parse(request.query);
    const termly = await termlyCollections(db);
    // The school's own baseline (8.3) is offered too, but only shown when asked for by id.
    const baselines = await baselineCollections(db, school.id);
    const all = [...termly, ...baselines];
    const collection =
      baselines.find((baseline) => baseline.id === query.collection) ??
      pickCollection(termly, site.context.clock.today(), query.collection ?? null);
    const subjects = await activeSubjects(db);
    const subject = subjects.find((option) => option.id === query.subject) ?? subjects[0];
    if (!collection || !subject) {
      throw new HttpError(404, 'not_found', 'There is no collection or subject to report on yet.');
    }
    const scope = { schoolId: school.id, collectionId: collection.id, subjectId: subject.id };
    const missing = await missingPupils(db, scope);
    const excluded = await excludedPupils(db, scope);
    return { school, all, collection, subjects, subject, missing, excluded, query };
  };

  app.get('/schools/:schoolId/missing', async (request, reply) => {
    const loaded = await load(request);
    const { school, all, collection, subjects, subject, missing, excluded } = loaded;
    const query = `collection=${collection.id}&subject=${subject.id}`;
    const listHref = (why: MissingReason | undefined, page = 1) =>
      `/schools/${school.id}/missing?${query}${why ? `&why=${why}` : ''}` +
      (page > 1 ? `&page=${page}` : '');
    const why = loaded.query.why;
    const listed = why ? missing.filter((pupil) => pupil.reason === why) : missing;
    const pages = Math.max(1, Math.ceil(listed.length / MISSING_PAGE_SIZE));
    const page = Math.min(loaded.query.page ?? 1, pages);
    const shown = listed.slice((page - 1) * MISSING_PAGE_SIZE, page * MISSING_PAGE_SIZE);
    const tally = new Map<MissingReason, number>();
    for (const pupil of missing) tally.set(pupil.reason, (tally.get(pupil.reason) ?? 0) + 1);
    const main = missingView({
      crumbs: [
        { href: '/', label: 'Home' },
        { href: `/schools/${school.id}`, label: school.name },
        { href: null, label: 'Missing pupils' },
      ],
      school: { id: school.id, name: school.name },
      collections: collectionChoices(all),
      subjects: subjects.map((option) => ({ value: String(option.id), label: option.name })),
      collection,
      subject,
      total: missing.length,
      reasons: REASONS.filter((reason) => tally.has(reason)).map((reason) => ({
        text: MISSING_REASON_TEXT[reason],
        count: tally.get(reason)!,
        href: listHref(reason),
        chosen: reason === why,
      })),
      allHref: why ? listHref(undefined) : null,
      paging: {
        from: shown.length === 0 ? 0 : (page - 1) * MISSING_PAGE_SIZE + 1,
        to: (page - 1) * MISSING_PAGE_SIZE + shown.length,
        previousHref: page > 1 ? listHref(why, page - 1) : null,
        nextHref: page < pages ? listHref(why, page + 1) : null,
      },
      missing: shown.map((pupil) => ({
        pupilId: pupil.pupil_id,
        name: `${pupil.first_name} ${pupil.last_name}`,
        upn: pupil.upn,
        ncYear: pupil.nc_year,
        reason: MISSING_REASON_TEXT[pupil.reason],
        detail: pupil.detail,
        fix: fixFor(school.id, pupil.reason),
      })),
      excluded: excluded.map((pupil) => ({
        pupilId: pupil.pupil_id,
        name: `${pupil.first_name} ${pupil.last_name}`,
        upn: pupil.upn,
        ncYear: pupil.nc_year,
        reason: EXCLUSION_REASON_TEXT[pupil.reason],
        on: pupil.on,
      })),
      csvHref: `/schools/${school.id}/missing.csv?${query}`,
    });
    return sendPage(site, request, reply, { title: `Missing pupils: ${school.name}`, main });
  });

  app.get('/schools/:schoolId/missing.csv', async (request, reply) => {
    const { school, collection, subject, missing, excluded } = await load(request);
    const lines = [
      ['List', 'UPN', 'Surname', 'Forename', 'Year group', 'Reason', 'Detail', 'Date'],
      ...missing.map((pupil) => [
        'Missing',
        pupil.upn ?? '',
        pupil.last_name,
        pupil.first_name,
        pupil.nc_year ?? '',
        MISSING_REASON_TEXT[pupil.reason],
        pupil.detail ?? '',
        '',
      ]),
      ...excluded.map((pupil) => [
        'Not expected',
        pupil.upn ?? '',
        pupil.last_name,
        pupil.first_name,
        pupil.nc_year ?? '',
        EXCLUSION_REASON_TEXT[pupil.reason],
        '',
        pupil.on ?? '',
      ]),
    ];
    const csv = `\uFEFF${lines.map((line) => line.map(csvCell).join(',')).join('\r\n')}\r\n`;
    const name = `missing-${slug(school.name)}-${slug(subject.name)}-${slug(collection.label)}.csv`;
    return reply
      .type('text/csv; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="${name}"`)
      .send(csv);
  });
}

function fixFor(schoolId: string, reason: MissingReason) {
  if (reason === 'value_unmapped' || reason === 'aspect_unmapped') {
    return { href: `/schools/${schoolId}/unmapped`, label: 'Map it in unmapped values' };
  }
  if (reason === 'source_failed') {
    return { href: `/schools/${schoolId}`, label: "See the school's sync health" };
  }
  return null;
}

/**
 * One CSV cell, quoted. A cell that starts with = + - @ (or a tab or carriage return) is a formula
 * to a spreadsheet, so it gets a leading ' and is shown as the text it is.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
