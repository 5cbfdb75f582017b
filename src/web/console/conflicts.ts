import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { canReviewConflict } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import {
  ConflictError,
  type ConflictStatus,
  findConflict,
  listConflicts,
  reviewConflict,
} from '../../sync/conflicts.ts';
import { principalOf } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool } from '../scope.ts';
import { conflictItem, conflictsView } from '../views/conflicts.ts';
import { csrfOf, type Site, sendFragment, sendPage } from './respond.ts';
import { parseForm } from './unmapped.ts';

/** A school's conflicting results: listed for review, each marked reviewed with a note. */

const schoolParams = z.object({ schoolId: z.string() });
const statusQuery = z.object({
  status: z.enum(['open', 'reviewed', 'all']).catch('open').default('open'),
});
const reviewForm = z.object({ note: z.string().default('') });

export function conflictRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  const page = async (
    request: Parameters<typeof principalOf>[0],
    schoolId: string,
    status: ConflictStatus,
  ) => {
    const principal = principalOf(request);
    const school = await visibleSchool(db, principal, schoolId);
    const conflicts = await listConflicts(db, school.id, status);
    const reviewable = new Set(
      conflicts
        .filter((conflict) => canReviewConflict(principal, school.id, conflict.subject.id))
        .map((conflict) => conflict.id),
    );
    return {
      title: `Conflicting results: ${school.name}`,
      main: conflictsView({
        crumbs: [
          { href: '/', label: 'Home' },
          { href: `/schools/${school.id}`, label: school.name },
          { href: null, label: 'Conflicting results' },
        ],
        school: { id: school.id, name: school.name },
        status,
        conflicts,
        reviewable,
        csrf: csrfOf(request),
      }),
    };
  };

  app.get('/schools/:schoolId/conflicts', async (request, reply) => {
    const { schoolId } = schoolParams.parse(request.params);
    const { status } = statusQuery.parse(request.query);
    return sendPage(site, request, reply, await page(request, schoolId, status));
  });

  app.post('/conflicts/:conflictId/review', async (request, reply) => {
    const principal = principalOf(request);
    const { conflictId } = z.object({ conflictId: z.coerce.number().int() }).parse(request.params);
    const found = await findConflict(db, conflictId);
    if (!found) throw new HttpError(404, 'not_found', 'There is no such conflict.');
    await visibleSchool(db, principal, found.schoolId);
    requireThat(
      canReviewConflict(principal, found.schoolId, found.conflict.subject.id),
      "Only the school's data lead, its subject leader or a trust admin reviews conflicts.",
    );
    const { note } = parseForm(reviewForm, request.body);
    const trimmed = note.trim();
    const csrf = csrfOf(request);
    const back = () => page(request, found.schoolId, 'open');
    const problem = !trimmed
      ? 'Say why the landed result stands before marking it reviewed.'
      : trimmed.length > 500
        ? `Keep the note to 500 characters; it has ${trimmed.length}.`
        : null;
    if (problem) {
      const item = conflictItem(found.conflict, true, csrf, problem);
      return sendFragment(site, request, reply, item, back, 422);
    }
    try {
      const reviewed = await reviewConflict(db, actorOf(principal), conflictId, trimmed);
      return sendFragment(site, request, reply, conflictItem(reviewed, true, csrf), back);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const current = (await findConflict(db, conflictId))?.conflict ?? found.conflict;
      const item = conflictItem(current, true, csrf, error.message);
      return sendFragment(site, request, reply, item, back, 409);
    }
  });
}
