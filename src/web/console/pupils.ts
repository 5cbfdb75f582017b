import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listScale } from '../../trust/scale.ts';
import { principalOf } from '../auth.ts';
import { visiblePupil, visibleSchool } from '../scope.ts';
import { shortCollection } from '../views/labels.ts';
import { pupilSearchView, pupilView } from '../views/pupils.ts';
import { activeSubjects, pupilPoints, schoolsInScope, searchPupils } from './queries.ts';
import { type Site, sendPage } from './respond.ts';

/**
 * Finding a pupil within your schools, and a pupil's points over time with where each came from.
 * The search runs with request logging off, so that no name typed into it reaches the log.
 */

const LIMIT = 50;
const searchQuery = z.object({
  q: z.string().max(100).default(''),
  school: z.string().max(40).default(''),
});

export function pupilRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  app.get('/pupils', { logLevel: 'warn' }, async (request, reply) => {
    const principal = principalOf(request);
    const query = searchQuery.parse(request.query);
    const school = query.school ? await visibleSchool(db, principal, query.school) : null;
    const schools = await schoolsInScope(db, principal);
    const text = query.q.trim();
    const found =
      text.length >= 2 ? await searchPupils(db, principal, text, school?.id ?? null, LIMIT) : null;
    const main = pupilSearchView({
      query: text,
      schools: [
        { value: '', label: 'All your schools' },
        ...schools.map((option) => ({ value: option.id, label: option.name })),
      ],
      school: school?.id ?? '',
      hits:
        found?.map((hit) => ({
          id: hit.id,
          name: `${hit.firstName} ${hit.lastName}`,
          upn: hit.upn,
          ncYear: hit.ncYear,
          school: hit.school,
        })) ?? null,
      limit: LIMIT,
    });
    return sendPage(site, request, reply, { title: 'Pupils', main });
  });

  app.get('/pupils/:pupilId', async (request, reply) => {
    const principal = principalOf(request);
    const { pupilId } = z.object({ pupilId: z.string() }).parse(request.params);
    const pupil = await visiblePupil(db, principal, pupilId);
    const school = await visibleSchool(db, principal, pupil.schoolId);
    const points = await pupilPoints(db, pupil.id);
    const subjects = await activeSubjects(db);
    const scale = await listScale(db);
    const labels = [...new Set(points.map((point) => point.collection))];
    const name = `${pupil.firstName} ${pupil.lastName}`;
    const main = pupilView({
      crumbs: [
        { href: '/', label: 'Home' },
        { href: `/schools/${school.id}`, label: school.name },
        { href: '/pupils', label: 'Pupils' },
        { href: null, label: name },
      ],
      pupil: { ...pupil, name },
      school: { id: school.id, name: school.name },
      subjects: subjects
        .map((subject) => subject.name)
        .filter((subject) => points.some((point) => point.subject === subject)),
      collections: labels.map((label) => ({ label, short: shortCollection(label) })),
      points: points.map((point) => ({
        ...point,
        source: point.sourceId ? { id: point.sourceId, name: point.sourceName ?? 'Source' } : null,
        rule: point.ruleKey ? { ruleKey: point.ruleKey, version: point.ruleVersion ?? 1 } : null,
      })),
      scaleTop: Math.max(...scale.map((point) => point.position), 2),
    });
    return sendPage(site, request, reply, { title: 'Pupil', main });
  });
}
